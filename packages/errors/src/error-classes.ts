import type { ErrorCodeOf } from "./error-code.js";
import { errorCodes } from "./error-code.js";
import {
  defineErrorClass,
  NetSocketsError,
  type NetSocketsErrorOptions,
} from "./netsockets-error.js";
import { webErrorStatusFromHttpStatus } from "./web-error-status.js";

/**
 * The peer broke RFC 6455. `closeCode` is the close code the connection sent (1002, 1003, 1007,
 * 1008 or 1009), taken from the code's table row.
 */
export class ProtocolError extends NetSocketsError {
  /** The close code sent to the peer because of this violation. */
  readonly closeCode: number;

  constructor(
    code: ErrorCodeOf<"ProtocolError">,
    message: string,
    options: NetSocketsErrorOptions = {},
  ) {
    super(code, message, options);
    this.closeCode = errorCodes[code].closeCode;
  }
}
defineErrorClass(ProtocolError, "ProtocolError");

/** A message or frame exceeded `maxMessageSize` (close code 1009). */
export class MessageTooBigError extends ProtocolError {
  /** The limit that was exceeded, in bytes. */
  readonly limit: number;

  constructor(
    limit: number,
    message = `message exceeds maxMessageSize (${limit} bytes)`,
    options: NetSocketsErrorOptions = {},
  ) {
    // The one code ProtocolError's own signature refuses: a too-big message is always this class.
    super("WS_ERR_MESSAGE_TOO_BIG" as ErrorCodeOf<"ProtocolError">, message, options);
    this.limit = limit;
  }
}
defineErrorClass(MessageTooBigError, "MessageTooBigError");

/**
 * Local misuse: a call not allowed in the object's current state (`ERR_INVALID_STATE`,
 * `E_ILLEGAL_METHOD_CALL`), a closed object (`ERR_OBJECT_CLOSED`, `RO_E_CLOSED`), or a second
 * operation while one is running (`ERR_CONCURRENT_OPERATION`).
 */
export class InvalidStateError extends NetSocketsError {
  constructor(
    message: string,
    options: NetSocketsErrorOptions & { readonly code?: ErrorCodeOf<"InvalidStateError"> } = {},
  ) {
    super(options.code ?? "ERR_INVALID_STATE", message, options);
  }
}
defineErrorClass(InvalidStateError, "InvalidStateError");

/**
 * Local misuse: an argument out of range or of the wrong type (`ERR_INVALID_ARGUMENT`,
 * `E_INVALIDARG`), a bad URI (`ERR_INVALID_URI`), a read past the loaded data
 * (`ERR_OUT_OF_BOUNDS`, `E_BOUNDS`) or bytes invalid in the chosen text encoding.
 */
export class InvalidArgumentError extends NetSocketsError {
  constructor(
    message: string,
    options: NetSocketsErrorOptions & { readonly code?: ErrorCodeOf<"InvalidArgumentError"> } = {},
  ) {
    super(options.code ?? "ERR_INVALID_ARGUMENT", message, options);
  }
}
defineErrorClass(InvalidArgumentError, "InvalidArgumentError");

/** Why a handshake failed. */
export type HandshakeFailure =
  | "bad-request"
  | "unsupported-version"
  | "bad-status"
  | "bad-response"
  | "subprotocol"
  | "extension"
  | "headers-too-large";

/** Options of a {@link HandshakeError}. */
export interface HandshakeErrorOptions extends NetSocketsErrorOptions {
  /** The HTTP status the server answered (client side) or that we answer (server side). */
  readonly statusCode?: number;
  /** The response (client side) or request (server side) headers, lower-case names. */
  readonly headers?: Readonly<Record<string, string | readonly string[] | undefined>>;
}

const handshakeCodes: Readonly<Record<HandshakeFailure, ErrorCodeOf<"HandshakeError">>> =
  Object.freeze({
    "bad-request": "ERR_HANDSHAKE_BAD_REQUEST",
    "unsupported-version": "ERR_HANDSHAKE_UNSUPPORTED_VERSION",
    "bad-status": "ERR_HANDSHAKE_BAD_STATUS",
    "bad-response": "ERR_HANDSHAKE_BAD_RESPONSE",
    subprotocol: "ERR_HANDSHAKE_SUBPROTOCOL",
    extension: "ERR_HANDSHAKE_EXTENSION",
    "headers-too-large": "ERR_HANDSHAKE_HEADERS_TOO_LARGE",
  });

/**
 * Status of a `bad-status` answer, as WinRT reports a failed HTTP exchange: the member mirroring
 * the HTTP status (404 → `notFound`), else the catch-all of its class. The HRESULT follows the
 * status (404 → `HTTP_E_STATUS_NOT_FOUND` 0x80190194, 418 → `HTTP_E_STATUS_UNEXPECTED_CLIENT_ERROR`).
 */
function badStatusOptions(options: HandshakeErrorOptions): NetSocketsErrorOptions {
  if (options.status !== undefined || options.statusCode === undefined) return options;
  return { ...options, status: webErrorStatusFromHttpStatus(options.statusCode) };
}

/**
 * The opening handshake failed or was refused. A non-101 answer (`bad-status`) carries
 * `statusCode` and `headers`, and its `status` is the {@link WebErrorStatus} of that HTTP status
 * (`webErrorStatusFromHttpStatus`) unless `options.status` says otherwise.
 */
export class HandshakeError extends NetSocketsError {
  /** Why it failed. */
  readonly reason: HandshakeFailure;
  /** The HTTP status, where there was one. */
  readonly statusCode: number | undefined;
  /** The HTTP headers, where there were some (lower-case names). */
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;

  constructor(reason: HandshakeFailure, message: string, options: HandshakeErrorOptions = {}) {
    super(
      handshakeCodes[reason],
      message,
      reason === "bad-status" ? badStatusOptions(options) : options,
    );
    this.reason = reason;
    this.statusCode = options.statusCode;
    this.headers = options.headers ?? {};
  }
}
defineErrorClass(HandshakeError, "HandshakeError");

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
 * after a closing handshake, `ERR_CONNECTION_ABORTED` / `ERR_CONNECTION_RESET` after a loss,
 * `ERR_PEER_UNRESPONSIVE` when keepalive gave up.
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
    code: ErrorCodeOf<"ConnectionClosedError">,
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
defineErrorClass(ConnectionClosedError, "ConnectionClosedError");

/** An operation did not finish within its timeout (`WebErrorStatus.timeout`). */
export class TimeoutError extends NetSocketsError {
  constructor(message = "the operation timed out", options: NetSocketsErrorOptions = {}) {
    super("ERR_TIMEOUT", message, options);
  }
}
defineErrorClass(TimeoutError, "TimeoutError");

/** An operation was cancelled through its `AbortSignal` (`WebErrorStatus.operationCanceled`). */
export class OperationCanceledError extends NetSocketsError {
  constructor(message = "the operation was cancelled", options: NetSocketsErrorOptions = {}) {
    super("ERR_OPERATION_CANCELED", message, options);
  }
}
defineErrorClass(OperationCanceledError, "OperationCanceledError");

/**
 * Connecting failed below HTTP: DNS (`ERR_HOST_NOT_RESOLVED`), TCP (`ERR_CANNOT_CONNECT`,
 * `ERR_SERVER_UNREACHABLE`) or a redirect (`ERR_REDIRECT`, with `status`
 * `httpToHttpsOnRedirection` / `httpsToHttpOnRedirection` / `redirectFailed`). The Node system
 * error is the `cause`.
 */
export class NetworkError extends NetSocketsError {
  constructor(
    code: ErrorCodeOf<"NetworkError">,
    message: string,
    options: NetSocketsErrorOptions = {},
  ) {
    super(code, message, options);
  }
}
defineErrorClass(NetworkError, "NetworkError");

/**
 * The server's certificate was refused. `ERR_CERTIFICATE`: it failed validation, and `status`
 * is the exact certificate status (certificateIsInvalid, certificateExpired,
 * certificateCommonNameIsIncorrect, certificateRevoked, certificateContainsErrors) with its
 * WinINet HRESULT. `ERR_SERVER_CERTIFICATE_REJECTED`: a `servercustomvalidationrequested`
 * listener rejected it (`INET_E_SECURITY_PROBLEM`, status `unknown` as on Windows).
 */
export class CertificateError extends NetSocketsError {
  constructor(
    message: string,
    options: NetSocketsErrorOptions & { readonly code?: ErrorCodeOf<"CertificateError"> } = {},
  ) {
    super(options.code ?? "ERR_CERTIFICATE", message, options);
  }
}
defineErrorClass(CertificateError, "CertificateError");

/** Every error class, by the tag its instances carry (the names of `ErrorCodeInfo.class`). */
export const errorClasses = Object.freeze({
  ProtocolError,
  MessageTooBigError,
  InvalidStateError,
  InvalidArgumentError,
  HandshakeError,
  ConnectionClosedError,
  TimeoutError,
  OperationCanceledError,
  NetworkError,
  CertificateError,
});
