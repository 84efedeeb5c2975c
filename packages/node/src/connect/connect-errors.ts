import { fromAbortReason, fromSystemError, NetSocketsError } from "@netsockets/errors";

/** Where a connect failed; decides what an unrecognised system error becomes. */
export type ConnectStage = "dns" | "tcp" | "tls" | "proxy" | "http";

/**
 * The error an aborted connect rejects with, from the reason of `signal` (an `AbortSignal` or
 * the connect's `ConnectCancellation`) by the errors package's `fromAbortReason`:
 * `TimeoutError` when the reason is a timeout (as from `AbortSignal.timeout`), else
 * `OperationCanceledError`; the reason is the `cause`. Our own handshake deadline aborts with a
 * netsockets `TimeoutError`, which is passed on as it is.
 */
export function abortError(signal: { readonly reason: unknown }): NetSocketsError {
  const reason: unknown = signal.reason;
  if (NetSocketsError.isInstance(reason)) return reason;
  return fromAbortReason(reason, { operation: "connect" });
}

/**
 * Wraps a Node system or TLS error of a connect stage with the errors package's
 * `fromSystemError` (its table decides the status). Before TCP is up, an unrecognised error is
 * `cannotConnect`; once it is (TLS, proxy, HTTP), `connectionAborted` — TLS alerts from the
 * server, such as "certificate required", land there.
 */
export function connectError(error: unknown, stage: ConnectStage): NetSocketsError {
  return fromSystemError(error, {
    phase: stage === "dns" || stage === "tcp" ? "connect" : "connected",
    operation: `connect (${stage})`,
  });
}
