import type { ErrorCode } from "./error-code.js";
import { errorCodes } from "./error-code.js";
import { NetSocketsError, type NetSocketsErrorOptions } from "./netsockets-error.js";

/**
 * The peer broke RFC 6455. `closeCode` is the close code the connection sent (1002, 1003, 1007,
 * 1008 or 1009).
 */
export class ProtocolError extends NetSocketsError {
  /** The close code sent to the peer because of this violation. */
  readonly closeCode: number;

  constructor(code: ErrorCode, message: string, options: NetSocketsErrorOptions = {}) {
    super(code, message, options);
    const row = errorCodes[code];
    this.closeCode = "closeCode" in row ? row.closeCode : 1002;
  }
}

/** A message or frame exceeded `maxMessageSize` (close code 1009). */
export class MessageTooBigError extends ProtocolError {
  /** The limit that was exceeded, in bytes. */
  readonly limit: number;

  constructor(
    limit: number,
    message = `message exceeds maxMessageSize (${limit} bytes)`,
    options: NetSocketsErrorOptions = {},
  ) {
    super("WS_ERR_MESSAGE_TOO_BIG", message, options);
    this.limit = limit;
  }
}

/** Local misuse: a call not allowed in the object's current state, or a closed object. */
export class InvalidStateError extends NetSocketsError {
  constructor(message: string, options: NetSocketsErrorOptions & { code?: ErrorCode } = {}) {
    super(options.code ?? "ERR_INVALID_STATE", message, options);
  }
}

/** Local misuse: an argument out of range or of the wrong type (`E_INVALIDARG`, or `E_BOUNDS` for reads past the data). */
export class InvalidArgumentError extends NetSocketsError {
  constructor(message: string, options: NetSocketsErrorOptions & { code?: ErrorCode } = {}) {
    super(options.code ?? "ERR_INVALID_ARGUMENT", message, options);
  }
}

/** Why a handshake failed. */
export type HandshakeFailure =
  | "bad-request"
  | "unsupported-version"
  | "bad-status"
  | "bad-response"
  | "subprotocol"
  | "extension"
  | "headers-too-large"
  | "certificate-rejected";

/** Options of a {@link HandshakeError}. */
export interface HandshakeErrorOptions extends NetSocketsErrorOptions {
  /** The HTTP status the server answered (client side) or that we answer (server side). */
  readonly statusCode?: number;
  /** The response (client side) or request (server side) headers, lower-case names. */
  readonly headers?: Readonly<Record<string, string | string[] | undefined>>;
}

const handshakeCodes: Record<HandshakeFailure, ErrorCode> = {
  "bad-request": "ERR_HANDSHAKE_BAD_REQUEST",
  "unsupported-version": "ERR_HANDSHAKE_UNSUPPORTED_VERSION",
  "bad-status": "ERR_HANDSHAKE_BAD_STATUS",
  "bad-response": "ERR_HANDSHAKE_BAD_RESPONSE",
  subprotocol: "ERR_HANDSHAKE_SUBPROTOCOL",
  extension: "ERR_HANDSHAKE_EXTENSION",
  "headers-too-large": "ERR_HANDSHAKE_HEADERS_TOO_LARGE",
  "certificate-rejected": "ERR_SERVER_CERTIFICATE_REJECTED",
};

/**
 * The opening handshake failed or was refused. A non-101 answer carries `statusCode` and
 * `headers`, and its `status` is the {@link WebErrorStatus} of that HTTP status where one exists.
 */
export class HandshakeError extends NetSocketsError {
  /** Why it failed. */
  readonly reason: HandshakeFailure;
  /** The HTTP status, where there was one. */
  readonly statusCode: number | undefined;
  /** The HTTP headers, where there were some. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;

  constructor(reason: HandshakeFailure, message: string, options: HandshakeErrorOptions = {}) {
    super(handshakeCodes[reason], message, options);
    this.reason = reason;
    this.statusCode = options.statusCode;
    this.headers = options.headers ?? {};
  }
}

/** Who ended a connection. */
export type ClosedBy = "local" | "remote" | "transport";

/** Options of a {@link ConnectionClosedError}. */
export interface ConnectionClosedErrorOptions extends NetSocketsErrorOptions {
  /** The close code (1006 when no close frame was exchanged). */
  readonly closeCode?: number;
  /** The close reason. */
  readonly closeReason?: string;
  /** Whether the closing handshake completed. */
  readonly wasClean?: boolean;
  /** Who started the close, or `"transport"` when TCP ended without one. */
  readonly closedBy?: ClosedBy;
}

/**
 * The connection is closed, closing, or was lost. `code` tells which: `ERR_CONNECTION_CLOSED`
 * after a closing handshake, `ERR_CONNECTION_ABORTED` / `ERR_CONNECTION_RESET` after a loss.
 */
export class ConnectionClosedError extends NetSocketsError {
  /** The close code (1006 when no close frame was exchanged). */
  readonly closeCode: number;
  /** The close reason. */
  readonly closeReason: string;
  /** Whether the closing handshake completed. */
  readonly wasClean: boolean;
  /** Who started the close. */
  readonly closedBy: ClosedBy;

  constructor(
    code:
      | "ERR_CONNECTION_CLOSED"
      | "ERR_CONNECTION_ABORTED"
      | "ERR_CONNECTION_RESET"
      | "ERR_PEER_UNRESPONSIVE",
    message: string,
    options: ConnectionClosedErrorOptions = {},
  ) {
    super(code, message, options);
    this.closeCode = options.closeCode ?? 1006;
    this.closeReason = options.closeReason ?? "";
    this.wasClean = options.wasClean ?? false;
    this.closedBy = options.closedBy ?? "transport";
  }
}

/** An operation did not finish within its timeout (`WebErrorStatus.timeout`). */
export class TimeoutError extends NetSocketsError {
  constructor(message = "the operation timed out", options: NetSocketsErrorOptions = {}) {
    super("ERR_TIMEOUT", message, options);
  }
}

/** An operation was cancelled through its `AbortSignal` (`WebErrorStatus.operationCanceled`). */
export class OperationCanceledError extends NetSocketsError {
  constructor(message = "the operation was cancelled", options: NetSocketsErrorOptions = {}) {
    super("ERR_OPERATION_CANCELED", message, options);
  }
}

/**
 * Connecting failed below HTTP: the URI, DNS, TCP, a redirect. The Node system error is the
 * `cause`.
 */
export class NetworkError extends NetSocketsError {}

/**
 * The server's certificate failed validation. `status` is the exact certificate status
 * (certificateIsInvalid, certificateExpired, certificateCommonNameIsIncorrect, …).
 */
export class CertificateError extends NetSocketsError {
  constructor(message: string, options: NetSocketsErrorOptions = {}) {
    super("ERR_CERTIFICATE", message, options);
  }
}
