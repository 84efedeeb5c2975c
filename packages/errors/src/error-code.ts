import { HResult } from "./hresult.js";
import { WebErrorStatus } from "./web-error-status.js";

/** The name of the error class that carries a code (see `error-classes.ts`). */
export type ErrorClassName =
  | "ProtocolError"
  | "MessageTooBigError"
  | "InvalidStateError"
  | "InvalidArgumentError"
  | "HandshakeError"
  | "ConnectionClosedError"
  | "TimeoutError"
  | "OperationCanceledError"
  | "NetworkError"
  | "CertificateError";

/** What one stable error code means, and what it maps to. */
export interface ErrorCodeInfo {
  /** The class whose instances carry this code; its constructor accepts only its own codes. */
  readonly class: ErrorClassName;
  /** The {@link WebErrorStatus} that `WebSocketError.getStatus` reports for it. */
  readonly status: WebErrorStatus;
  /** The Windows HRESULT, where Windows has one. */
  readonly hresult?: number;
  /** The close code a connection sends when this is the reason it fails, for peer violations. */
  readonly closeCode?: number;
  /** One line for the documentation table. */
  readonly meaning: string;
}

const S = WebErrorStatus;
const H = HResult;

/**
 * Every stable error code of netsockets, with its class, status, HRESULT and close code. This
 * table is the single place that maps a failure to a status; `packages/errors/README.md` lists
 * it, and a test fails when the two differ. To add a code, add a row here (all fields but
 * `hresult` / `closeCode` required), the same line at the same place in the README table, and
 * its pin in `error-classes.test.ts`.
 */
export const errorCodes = freezeRows({
  // The peer broke RFC 6455 (ProtocolError). Close code sent in brackets.
  WS_ERR_INVALID_OPCODE: {
    class: "ProtocolError",
    status: S.unknown,
    hresult: H.E_INVALID_PROTOCOL_FORMAT,
    closeCode: 1002,
    meaning: "A frame used a reserved opcode (3–7, 11–15).",
  },
  WS_ERR_UNEXPECTED_RSV: {
    class: "ProtocolError",
    status: S.unknown,
    hresult: H.E_INVALID_PROTOCOL_FORMAT,
    closeCode: 1002,
    meaning: "RSV1/2/3 set without an extension that claims it, or on a frame where it may not be.",
  },
  WS_ERR_EXPECTED_MASK: {
    class: "ProtocolError",
    status: S.unknown,
    hresult: H.E_INVALID_PROTOCOL_FORMAT,
    closeCode: 1002,
    meaning: "A client sent an unmasked frame to the server.",
  },
  WS_ERR_UNEXPECTED_MASK: {
    class: "ProtocolError",
    status: S.unknown,
    hresult: H.E_INVALID_PROTOCOL_FORMAT,
    closeCode: 1002,
    meaning: "A server sent a masked frame to the client.",
  },
  WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH: {
    class: "ProtocolError",
    status: S.unknown,
    hresult: H.E_INVALID_PROTOCOL_FORMAT,
    closeCode: 1002,
    meaning: "A control frame carried more than 125 bytes.",
  },
  WS_ERR_EXPECTED_FIN: {
    class: "ProtocolError",
    status: S.unknown,
    hresult: H.E_INVALID_PROTOCOL_FORMAT,
    closeCode: 1002,
    meaning: "A control frame was fragmented (FIN clear).",
  },
  WS_ERR_INVALID_CONTINUATION_FRAME: {
    class: "ProtocolError",
    status: S.unknown,
    hresult: H.E_INVALID_PROTOCOL_FORMAT,
    closeCode: 1002,
    meaning: "A continuation frame arrived with no fragmented message in progress.",
  },
  WS_ERR_EXPECTED_CONTINUATION: {
    class: "ProtocolError",
    status: S.unknown,
    hresult: H.E_INVALID_PROTOCOL_FORMAT,
    closeCode: 1002,
    meaning: "A new text or binary frame arrived while a fragmented message was open.",
  },
  WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: {
    class: "ProtocolError",
    status: S.unknown,
    hresult: H.E_INVALID_PROTOCOL_FORMAT,
    closeCode: 1002,
    meaning: "A 64-bit payload length had its top bit set, or a length was not minimally encoded.",
  },
  WS_ERR_INVALID_CLOSE_PAYLOAD: {
    class: "ProtocolError",
    status: S.unknown,
    hresult: H.E_INVALID_PROTOCOL_FORMAT,
    closeCode: 1002,
    meaning: "A close frame carried a 1-byte payload.",
  },
  WS_ERR_INVALID_CLOSE_CODE: {
    class: "ProtocolError",
    status: S.unknown,
    hresult: H.E_INVALID_PROTOCOL_FORMAT,
    closeCode: 1002,
    meaning:
      "A close frame carried a code a peer may not send (0–999, 1004–1006, 1015–2999, ≥5000).",
  },
  WS_ERR_INVALID_UTF8: {
    class: "ProtocolError",
    status: S.unknown,
    hresult: H.E_INVALID_PROTOCOL_FORMAT,
    closeCode: 1007,
    meaning: "A text message or close reason was not valid UTF-8.",
  },
  WS_ERR_UNSUPPORTED_DATA: {
    class: "ProtocolError",
    status: S.unknown,
    hresult: H.E_INVALID_PROTOCOL_FORMAT,
    closeCode: 1003,
    meaning: "The peer sent a kind of data this socket cannot accept (text on a StreamWebSocket).",
  },
  WS_ERR_MESSAGE_TOO_BIG: {
    class: "MessageTooBigError",
    status: S.unknown,
    hresult: H.E_INVALID_PROTOCOL_FORMAT,
    closeCode: 1009,
    meaning: "A frame or message (inflated bytes, where compressed) exceeded maxMessageSize.",
  },
  WS_ERR_TOO_MANY_FRAGMENTS: {
    class: "ProtocolError",
    status: S.unknown,
    hresult: H.E_INVALID_PROTOCOL_FORMAT,
    closeCode: 1008,
    meaning: "A message arrived in more fragments than maxFragments allows.",
  },
  WS_ERR_EXTENSION_FAILED: {
    class: "ProtocolError",
    status: S.unknown,
    hresult: H.E_INVALID_PROTOCOL_FORMAT,
    closeCode: 1002,
    meaning: "A negotiated extension could not decode a frame (e.g. corrupt deflate data).",
  },
  // The handshake failed (HandshakeError).
  ERR_HANDSHAKE_BAD_REQUEST: {
    class: "HandshakeError",
    status: S.badRequest,
    hresult: H.E_INVALID_PROTOCOL_FORMAT,
    meaning: "An upgrade request was not a valid WebSocket handshake (the server answers 400).",
  },
  ERR_HANDSHAKE_UNSUPPORTED_VERSION: {
    class: "HandshakeError",
    status: S.badRequest,
    hresult: H.E_PROTOCOL_VERSION_NOT_SUPPORTED,
    meaning:
      "An upgrade request asked for a WebSocket version other than 13 (the server answers 426).",
  },
  ERR_HANDSHAKE_BAD_STATUS: {
    class: "HandshakeError",
    status: S.unexpectedStatusCode,
    hresult: H.HTTP_E_STATUS_UNEXPECTED,
    meaning:
      "The server answered the upgrade with a status other than 101; the status is on the error.",
  },
  ERR_HANDSHAKE_BAD_RESPONSE: {
    class: "HandshakeError",
    status: S.errorHttpInvalidServerResponse,
    hresult: H.WININET_E_INVALID_SERVER_RESPONSE,
    meaning: "The 101 response was invalid (Upgrade, Connection or Sec-WebSocket-Accept wrong).",
  },
  ERR_HANDSHAKE_SUBPROTOCOL: {
    class: "HandshakeError",
    status: S.errorHttpInvalidServerResponse,
    hresult: H.E_SUBPROTOCOL_NOT_SUPPORTED,
    meaning: "The server chose a subprotocol the client did not offer.",
  },
  ERR_HANDSHAKE_EXTENSION: {
    class: "HandshakeError",
    status: S.errorHttpInvalidServerResponse,
    hresult: H.E_PROTOCOL_EXTENSIONS_NOT_SUPPORTED,
    meaning: "The server accepted an extension the client did not offer, or with bad parameters.",
  },
  ERR_HANDSHAKE_HEADERS_TOO_LARGE: {
    class: "HandshakeError",
    status: S.errorHttpInvalidServerResponse,
    hresult: H.WININET_E_INVALID_SERVER_RESPONSE,
    meaning:
      "The handshake exceeded the header count or size limit (a server answers 431 to such a request).",
  },
  // Connecting (NetworkError, CertificateError); the exact status may differ per error.
  ERR_HOST_NOT_RESOLVED: {
    class: "NetworkError",
    status: S.hostNameNotResolved,
    hresult: H.WININET_E_NAME_NOT_RESOLVED,
    meaning: "The host name could not be resolved.",
  },
  ERR_CANNOT_CONNECT: {
    class: "NetworkError",
    status: S.cannotConnect,
    hresult: H.WININET_E_CANNOT_CONNECT,
    meaning: "No address of the host accepted a TCP connection.",
  },
  ERR_SERVER_UNREACHABLE: {
    class: "NetworkError",
    status: S.serverUnreachable,
    hresult: H.WININET_E_SERVER_UNREACHABLE,
    meaning: "The host or network is unreachable.",
  },
  ERR_CERTIFICATE: {
    class: "CertificateError",
    status: S.certificateIsInvalid,
    hresult: H.WININET_E_INVALID_CA,
    meaning: "The server certificate failed validation; the exact status is on the error.",
  },
  ERR_SERVER_CERTIFICATE_REJECTED: {
    class: "CertificateError",
    status: S.unknown,
    hresult: H.INET_E_SECURITY_PROBLEM,
    meaning: "A servercustomvalidationrequested listener rejected the server certificate.",
  },
  ERR_REDIRECT: {
    class: "NetworkError",
    status: S.redirectFailed,
    hresult: H.WININET_E_REDIRECT_FAILED,
    meaning: "A redirect could not be followed; the exact status is on the error.",
  },
  // The connection ended (ConnectionClosedError).
  ERR_CONNECTION_ABORTED: {
    class: "ConnectionClosedError",
    status: S.connectionAborted,
    hresult: H.WININET_E_CONNECTION_ABORTED,
    meaning: "The TCP connection ended without a closing handshake.",
  },
  ERR_CONNECTION_RESET: {
    class: "ConnectionClosedError",
    status: S.connectionReset,
    hresult: H.WININET_E_CONNECTION_RESET,
    meaning: "The peer reset the TCP connection.",
  },
  ERR_CONNECTION_CLOSED: {
    class: "ConnectionClosedError",
    status: S.disconnected,
    hresult: H.RO_E_CLOSED,
    meaning:
      "The WebSocket is closed or closing; the close code, reason and who closed are on the error.",
  },
  ERR_PEER_UNRESPONSIVE: {
    class: "ConnectionClosedError",
    status: S.timeout,
    hresult: H.WININET_E_TIMEOUT,
    meaning: "Keepalive: no pong arrived within pingTimeout.",
  },
  // Time and cancellation.
  ERR_TIMEOUT: {
    class: "TimeoutError",
    status: S.timeout,
    hresult: H.WININET_E_TIMEOUT,
    meaning: "An operation did not finish within its timeout.",
  },
  ERR_OPERATION_CANCELED: {
    class: "OperationCanceledError",
    status: S.operationCanceled,
    hresult: H.WININET_E_OPERATION_CANCELLED,
    meaning: "An operation was cancelled through its AbortSignal.",
  },
  // Local misuse.
  ERR_INVALID_ARGUMENT: {
    class: "InvalidArgumentError",
    status: S.unknown,
    hresult: H.E_INVALIDARG,
    meaning: "An argument was out of range or of the wrong type.",
  },
  ERR_INVALID_STATE: {
    class: "InvalidStateError",
    status: S.unknown,
    hresult: H.E_ILLEGAL_METHOD_CALL,
    meaning: "The call is not allowed in the object's current state.",
  },
  ERR_OBJECT_CLOSED: {
    class: "InvalidStateError",
    status: S.unknown,
    hresult: H.RO_E_CLOSED,
    meaning: "The object (socket, stream, reader, writer) was closed.",
  },
  ERR_CONCURRENT_OPERATION: {
    class: "InvalidStateError",
    status: S.unknown,
    hresult: H.ERROR_INVALID_OPERATION,
    meaning: "An operation was started while another one on the same object was in progress.",
  },
  ERR_INVALID_URI: {
    class: "InvalidArgumentError",
    status: S.unknown,
    hresult: H.E_INVALIDARG,
    meaning: "The URI is not an absolute ws:// or wss:// URI without a fragment.",
  },
  ERR_OUT_OF_BOUNDS: {
    class: "InvalidArgumentError",
    status: S.unknown,
    hresult: H.E_BOUNDS,
    meaning: "A read asked for more bytes than were loaded.",
  },
  ERR_INVALID_ENCODING: {
    class: "InvalidArgumentError",
    status: S.unknown,
    hresult: H.E_INVALIDARG,
    meaning: "Bytes to be decoded as text were not valid in the chosen encoding.",
  },
} as const satisfies Record<string, ErrorCodeInfo>);

/** Freezes the table and each row, so no caller can change what a code means. */
function freezeRows<T extends Record<string, ErrorCodeInfo>>(table: T): Readonly<T> {
  for (const row of Object.values(table)) Object.freeze(row);
  return Object.freeze(table);
}

/** A stable string code of a netsockets error. */
export type ErrorCode = keyof typeof errorCodes;

/** The codes whose table row names class `C` (the codes `C`'s constructor accepts). */
export type ErrorCodeOf<C extends ErrorClassName> = {
  [K in ErrorCode]: (typeof errorCodes)[K]["class"] extends C ? K : never;
}[ErrorCode];

/** The frozen list of every {@link ErrorCode}, for iteration. */
export const ErrorCode = Object.freeze(
  Object.fromEntries(Object.keys(errorCodes).map((code) => [code, code])) as {
    readonly [K in ErrorCode]: K;
  },
);

/** The table row of a code. */
export function errorCodeInfo(code: ErrorCode): ErrorCodeInfo {
  return errorCodes[code];
}
