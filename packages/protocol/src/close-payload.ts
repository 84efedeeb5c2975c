/**
 * The body of a close frame (RFC 6455 §5.5.1): an optional 2-byte big-endian status code followed
 * by an optional UTF-8 reason, 125 bytes at most in all, so the reason takes at most 123 bytes.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-5.5.1
 */
import {
  CloseCode,
  InvalidArgumentError,
  isReceivableCloseCode,
  isSendableCloseCode,
  ProtocolError,
} from "@netsockets/errors";
import { isValidUtf8 } from "./utf8.js";

/** The most bytes a close reason may take: 125 (the control frame limit) minus the 2-byte code. */
export const MAX_CLOSE_REASON_BYTES = 123;

const encoder = new TextEncoder();
// ignoreBOM keeps a leading U+FEFF in the reason instead of silently dropping it.
const decoder = new TextDecoder("utf-8", { ignoreBOM: true });

/**
 * Encodes the payload of a close frame we send: empty without a code, else the code and the
 * reason's UTF-8 bytes. Every byte of the result is written (no uninitialised memory can reach
 * the peer). A reason with lone surrogates is encoded as the WHATWG `WebSocket.close()` does,
 * with U+FFFD in their place.
 *
 * "If there is a body, the first two bytes of the body MUST be a 2-byte unsigned integer (in
 * network byte order) representing a status code" … "All control frames MUST have a payload
 * length of 125 bytes or less".
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-5.5.1
 *
 * @param code - A close code an endpoint may send (1000–1003, 1007–1014, 3000–4999), or
 *   `undefined` for an empty payload.
 * @param reason - A string of at most 123 UTF-8 bytes; only allowed with a code.
 * @throws InvalidArgumentError when the code may not be sent, the reason is not a string, is too
 *   long, or comes without a code.
 */
export function encodeClosePayload(code?: number, reason?: string): Uint8Array {
  // Typed arrays, numbers and the like are refused rather than converted (ws S1 / S13).
  if (reason !== undefined && typeof reason !== "string") {
    throw new InvalidArgumentError(`the close reason must be a string, got ${describe(reason)}`);
  }
  if (code === undefined) {
    if (reason !== undefined && reason !== "") {
      throw new InvalidArgumentError("a close reason needs a close code");
    }
    return new Uint8Array(0);
  }
  if (typeof code !== "number" || !isSendableCloseCode(code)) {
    throw new InvalidArgumentError(
      `${describe(code)} is not a close code that may be sent (1000–1003, 1007–1014, 3000–4999)`,
    );
  }
  const text = reason === undefined || reason === "" ? undefined : encoder.encode(reason);
  const reasonLength = text === undefined ? 0 : text.length;
  if (reasonLength > MAX_CLOSE_REASON_BYTES) {
    throw new InvalidArgumentError(
      `the close reason takes ${reasonLength} UTF-8 bytes, more than the ${MAX_CLOSE_REASON_BYTES} allowed`,
    );
  }
  const payload = new Uint8Array(2 + reasonLength);
  payload[0] = code >>> 8;
  payload[1] = code & 0xff;
  if (text !== undefined) payload.set(text, 2);
  return payload;
}

/** The outcome of {@link decodeClosePayload}. */
export type DecodedClosePayload =
  | { readonly ok: true; readonly code: number; readonly reason: string }
  | { readonly ok: false; readonly error: ProtocolError };

/**
 * Decodes the payload of a close frame we received. An empty payload means "no status code"
 * (1005). It never throws: a violation comes back as `{ ok: false, error }`, whose `closeCode`
 * is the code to fail the connection with. The frame parser has already refused payloads over
 * 125 bytes.
 *
 * @param payload - The unmasked close frame payload.
 * @param validateUtf8 - Checks the reason bytes; default {@link isValidUtf8} (a driver may pass
 *   the runtime's native validator).
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-5.5.1
 */
export function decodeClosePayload(
  payload: Uint8Array,
  validateUtf8: (bytes: Uint8Array) => boolean = isValidUtf8,
): DecodedClosePayload {
  const length = payload.length;
  if (length === 0) return { ok: true, code: CloseCode.noStatusReceived, reason: "" };
  if (length === 1) {
    // "If there is a body, the first two bytes of the body MUST be a 2-byte unsigned integer".
    return {
      ok: false,
      error: new ProtocolError(
        "WS_ERR_INVALID_CLOSE_PAYLOAD",
        "Invalid WebSocket frame: close payload of 1 byte",
      ),
    };
  }
  const code = ((payload[0] as number) << 8) | (payload[1] as number);
  if (!isReceivableCloseCode(code)) {
    // 1005, 1006 and 1015 "MUST NOT be set as a status code in a Close control frame by an
    // endpoint"; the unassigned codes fail the connection as ws, Python websockets and Autobahn
    // 7.9.* expect.
    return {
      ok: false,
      error: new ProtocolError(
        "WS_ERR_INVALID_CLOSE_CODE",
        `Invalid WebSocket frame: invalid status code ${code}`,
      ),
    };
  }
  const reasonBytes = payload.subarray(2);
  // "the body … MAY contain UTF-8-encoded data" and invalid UTF-8 must fail the connection.
  // @see https://www.rfc-editor.org/rfc/rfc6455#section-8.1
  if (!validateUtf8(reasonBytes)) {
    return {
      ok: false,
      error: new ProtocolError(
        "WS_ERR_INVALID_UTF8",
        "Invalid WebSocket frame: invalid UTF-8 sequence in the close reason",
      ),
    };
  }
  return { ok: true, code, reason: reasonBytes.length === 0 ? "" : decoder.decode(reasonBytes) };
}

/** A short description of an unexpected argument for an error message. */
function describe(value: unknown): string {
  if (typeof value === "number") return String(value);
  if (typeof value === "string") return JSON.stringify(value);
  if (value === null) return "null";
  if (typeof value === "object") return (value as object).constructor?.name ?? "an object";
  return typeof value;
}
