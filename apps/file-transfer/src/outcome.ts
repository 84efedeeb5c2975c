/**
 * How a transfer ended, on either side, and the `WebErrorStatus` both sides print for it.
 */
import { WebErrorStatus, WebSocketError, webErrorStatusName } from "netsockets";
import { TransferStatus } from "./wire-format.js";

/** The end of one transfer, as the sender or the receiver saw it. */
export interface TransferOutcome {
  /** Whether the file arrived, matched its hash and got its name. */
  readonly ok: boolean;
  /** The receiver's final status, when one was sent/received; `null` after a connection loss. */
  readonly status: TransferStatus | null;
  /** `null` when `ok`; otherwise the WebErrorStatus that names the failure. */
  readonly errorStatus: WebErrorStatus | null;
  /** A human explanation of a failure ("" when `ok`). */
  readonly detail: string;
  /** Body bytes the receiver confirmed (received, hashed and written). */
  readonly confirmed: number;
  /** Body size announced in the header. */
  readonly size: number;
  /** SHA-256 of the body from the header, hex. */
  readonly sha256: string;
}

/**
 * The WebErrorStatus of a receiver's final status (README "Failures"): there is no WinRT status
 * for application-level failures, so each gets the HTTP-like one closest to its meaning.
 */
export function statusToWebErrorStatus(status: TransferStatus): WebErrorStatus | null {
  switch (status) {
    case TransferStatus.complete:
    case TransferStatus.progress:
      return null;
    case TransferStatus.hashMismatch:
      return WebErrorStatus.preconditionFailed;
    case TransferStatus.badHeader:
      return WebErrorStatus.badRequest;
    case TransferStatus.writeFailed:
      return WebErrorStatus.internalServerError;
  }
}

/** A human word for a final status. */
export function describeStatus(status: TransferStatus): string {
  switch (status) {
    case TransferStatus.complete:
      return "complete";
    case TransferStatus.progress:
      return "in progress";
    case TransferStatus.hashMismatch:
      return "SHA-256 mismatch";
    case TransferStatus.badHeader:
      return "bad header";
    case TransferStatus.writeFailed:
      return "the receiver could not write the file";
  }
}

/** The WebErrorStatus of a thrown error (a netsockets error, a Node system error …). */
export function errorStatusOf(error: unknown): WebErrorStatus {
  return WebSocketError.getStatus(error);
}

/** `connectionReset` for a status value (`unknown` if it has no name). */
export function statusName(status: WebErrorStatus | null): string {
  return status === null ? "none" : (webErrorStatusName(status) ?? "unknown");
}

/** The message of any thrown value. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
