import {
  CertificateError,
  ConnectionClosedError,
  NetworkError,
  OperationCanceledError,
  TimeoutError,
} from "./error-classes.js";
import { errorLineage, type NetSocketsError } from "./netsockets-error.js";
import { WebErrorStatus } from "./web-error-status.js";
import { WebSocketError } from "./web-socket-error.js";

const S = WebErrorStatus;

/** Where a failure happened, for {@link fromSystemError} and {@link fromAbortReason}. */
export interface FailureContext {
  /**
   * `"connect"` (the default): while connecting (DNS, TCP, TLS, handshake); an unrecognised error
   * becomes `NetworkError` `ERR_CANNOT_CONNECT`. `"connected"`: on an open connection; an
   * unrecognised error becomes `ConnectionClosedError` `ERR_CONNECTION_ABORTED`.
   */
  readonly phase?: "connect" | "connected";
  /** What was being done, prefixed to the message (`"connectAsync wss://example.com"`). */
  readonly operation?: string;
}

/** The original error's message, never a throw. */
function describe(error: unknown): string {
  try {
    if (typeof error === "number")
      return `HRESULT 0x${(error >>> 0).toString(16).padStart(8, "0")}`;
    const message = (error as { message?: unknown } | null | undefined)?.message;
    return typeof message === "string" && message !== "" ? message : String(error);
  } catch {
    return "unknown error";
  }
}

function prefixed(context: FailureContext, text: string): string {
  return context.operation === undefined ? text : `${context.operation}: ${text}`;
}

/**
 * Turns a Node system or TLS error (or an HRESULT, or an abort) into the netsockets error that
 * says the same, with the status `WebSocketError.getStatus` gives the original and the original
 * as `cause`. A netsockets error (from any copy of the package) is returned unchanged.
 *
 * | status of the original | result |
 * |---|---|
 * | hostNameNotResolved | `NetworkError` `ERR_HOST_NOT_RESOLVED` |
 * | cannotConnect | `NetworkError` `ERR_CANNOT_CONNECT` |
 * | serverUnreachable | `NetworkError` `ERR_SERVER_UNREACHABLE` |
 * | httpToHttpsOnRedirection, httpsToHttpOnRedirection, redirectFailed | `NetworkError` `ERR_REDIRECT` |
 * | certificate… (1–5) | `CertificateError` `ERR_CERTIFICATE` with that status |
 * | timeout | `TimeoutError` |
 * | operationCanceled | `OperationCanceledError` |
 * | connectionReset | `ConnectionClosedError` `ERR_CONNECTION_RESET` |
 * | connectionAborted, disconnected | `ConnectionClosedError` `ERR_CONNECTION_ABORTED` with that status |
 * | anything else | by `context.phase`: `NetworkError` `ERR_CANNOT_CONNECT` or `ConnectionClosedError` `ERR_CONNECTION_ABORTED` |
 *
 * @example
 * ```ts
 * socket.once("error", (err) => reject(fromSystemError(err, { operation: "connectAsync" })));
 * ```
 */
export function fromSystemError(error: unknown, context: FailureContext = {}): NetSocketsError {
  if (errorLineage(error) !== undefined) return error as NetSocketsError;
  const status = WebSocketError.getStatus(error);
  const message = prefixed(context, describe(error));
  const options = { cause: error };
  switch (status) {
    case S.hostNameNotResolved:
      return new NetworkError("ERR_HOST_NOT_RESOLVED", message, options);
    case S.cannotConnect:
      return new NetworkError("ERR_CANNOT_CONNECT", message, options);
    case S.serverUnreachable:
      return new NetworkError("ERR_SERVER_UNREACHABLE", message, options);
    case S.httpToHttpsOnRedirection:
    case S.httpsToHttpOnRedirection:
    case S.redirectFailed:
      return new NetworkError("ERR_REDIRECT", message, { ...options, status });
    case S.certificateCommonNameIsIncorrect:
    case S.certificateExpired:
    case S.certificateContainsErrors:
    case S.certificateRevoked:
    case S.certificateIsInvalid:
      return new CertificateError(message, { ...options, status });
    case S.timeout:
      return new TimeoutError(message, options);
    case S.operationCanceled:
      return new OperationCanceledError(message, options);
    case S.connectionReset:
      return new ConnectionClosedError("ERR_CONNECTION_RESET", message, options);
    case S.connectionAborted:
    case S.disconnected:
      return new ConnectionClosedError("ERR_CONNECTION_ABORTED", message, { ...options, status });
    default:
      return context.phase === "connected"
        ? new ConnectionClosedError("ERR_CONNECTION_ABORTED", message, options)
        : new NetworkError("ERR_CANNOT_CONNECT", message, options);
  }
}

/**
 * The error an operation rejects with when its `AbortSignal` fires: `TimeoutError` when the
 * reason is a timeout (`AbortSignal.timeout()`'s `TimeoutError` DOMException, or anything
 * `WebSocketError.getStatus` calls `timeout`), otherwise `OperationCanceledError`. The reason is
 * the `cause`.
 *
 * @example
 * ```ts
 * if (signal.aborted) throw fromAbortReason(signal.reason, { operation: "loadAsync" });
 * ```
 */
export function fromAbortReason(
  reason: unknown,
  context: Pick<FailureContext, "operation"> = {},
): TimeoutError | OperationCanceledError {
  const options = { cause: reason };
  return WebSocketError.getStatus(reason) === S.timeout
    ? new TimeoutError(prefixed(context, "the operation timed out"), options)
    : new OperationCanceledError(prefixed(context, "the operation was cancelled"), options);
}
