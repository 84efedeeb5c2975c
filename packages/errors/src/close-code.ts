/**
 * WebSocket close status codes (RFC 6455 §7.4.1 and the IANA registry), as a frozen object.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-7.4.1
 */
export const CloseCode = Object.freeze({
  normalClosure: 1000,
  goingAway: 1001,
  protocolError: 1002,
  unsupportedData: 1003,
  /** Reserved; never sent, never accepted. */
  reserved: 1004,
  /** "No status code was actually present": reported locally, never sent. */
  noStatusReceived: 1005,
  /** The connection closed without a close frame: reported locally, never sent. */
  abnormalClosure: 1006,
  invalidFramePayloadData: 1007,
  policyViolation: 1008,
  messageTooBig: 1009,
  mandatoryExtension: 1010,
  internalError: 1011,
  serviceRestart: 1012,
  tryAgainLater: 1013,
  badGateway: 1014,
  /** The TLS handshake failed: reported locally, never sent. */
  tlsHandshake: 1015,
} as const);

/** One of the values of {@link CloseCode}. */
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/**
 * Whether a close frame may carry `code` on the wire: 1000–1003 and 1007–1014 (RFC 6455 §7.4.1
 * and the IANA registry) and 3000–4999 (libraries, frameworks and applications).
 *
 * "1005 is a reserved value and MUST NOT be set as a status code in a Close control frame by an
 * endpoint." The same sentence stands for 1006 and 1015.
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-7.4.1
 *
 * "Status codes in the range 0-999 are not used." 1000–2999 are "reserved for definition by this
 * protocol, its future revisions, and extensions": 1004 has no meaning yet and 1016–2999 are
 * unassigned, so neither side may use them today.
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-7.4.2
 */
function isWireCloseCode(code: number): boolean {
  if (!Number.isInteger(code)) return false;
  return (
    (code >= 1000 && code <= 1003) ||
    (code >= 1007 && code <= 1014) ||
    (code >= 3000 && code <= 4999)
  );
}

/**
 * Whether an application may send `code` in `close(code, reason)`: 1000–1003, 1007–1014 and
 * 3000–4999. 1005, 1006 and 1015 are never sent; 1004 and the unassigned 1016–2999 are reserved;
 * anything below 1000, from 5000, or not an integer is refused.
 */
export function isSendableCloseCode(code: number): boolean {
  return isWireCloseCode(code);
}

/**
 * Whether a received close frame may carry `code`: the same set as {@link isSendableCloseCode}.
 * RFC 6455 gives no rule for a code outside it; netsockets treats it as a protocol error and
 * fails the connection with 1002 (`WS_ERR_INVALID_CLOSE_CODE`), as ws, browsers and the
 * Autobahn test suite (cases 7.9.x) do.
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-7.4.2
 */
export function isReceivableCloseCode(code: number): boolean {
  return isWireCloseCode(code);
}
