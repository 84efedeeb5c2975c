// The errors of this package, in one place so every class throws the same code for the same
// misuse (reference/uwp-api.md §11.3, §15.3, §16.3).
import {
  fromAbortReason,
  InvalidArgumentError,
  InvalidStateError,
  NetSocketsError,
} from "@netsockets/errors";

/** `E_BOUNDS`: a read asked for more bytes than are loaded. */
export function outOfBounds(wanted: number, available: number): InvalidArgumentError {
  return new InvalidArgumentError(
    `cannot read ${wanted} bytes: only ${available} unconsumed bytes are loaded`,
    { code: "ERR_OUT_OF_BOUNDS" },
  );
}

/** `E_INVALIDARG`: an argument out of range or of the wrong type. */
export function invalidArgument(message: string): InvalidArgumentError {
  return new InvalidArgumentError(message);
}

/** `RO_E_CLOSED`: the object was closed. */
export function objectClosed(what: string): InvalidStateError {
  return new InvalidStateError(`the ${what} is closed`, { code: "ERR_OBJECT_CLOSED" });
}

/** `HRESULT_FROM_WIN32(ERROR_INVALID_OPERATION)`: another operation is in progress. */
export function concurrentOperation(what: string): InvalidStateError {
  return new InvalidStateError(`another operation on this ${what} is in progress`, {
    code: "ERR_CONCURRENT_OPERATION",
  });
}

/** `E_ILLEGAL_METHOD_CALL`: the call is not allowed in the current state. */
export function invalidState(message: string): InvalidStateError {
  return new InvalidStateError(message);
}

/** Text that is not valid in the chosen encoding. */
export function invalidEncoding(message: string, cause?: unknown): InvalidArgumentError {
  return new InvalidArgumentError(message, {
    code: "ERR_INVALID_ENCODING",
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * The error an aborted operation rejects with: `TimeoutError` for a timeout reason (such as the
 * `DOMException` of `AbortSignal.timeout`), else `OperationCanceledError`, with the reason as the
 * `cause` (`fromAbortReason` of @netsockets/errors). A netsockets error given as the reason (our
 * own `TimeoutError`, or the closed error `close()` ends a pending operation with) is already the
 * right answer and is passed on unchanged.
 */
export function abortError(signal: AbortSignal): NetSocketsError {
  const reason: unknown = signal.reason;
  if (NetSocketsError.isInstance(reason)) return reason;
  return fromAbortReason(reason);
}
