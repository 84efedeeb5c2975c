import { type ErrorCode, errorCodes } from "./error-code.js";
import type { WebErrorStatus } from "./web-error-status.js";

const marker = Symbol.for("netsockets.error");

/** Options every netsockets error accepts. */
export interface NetSocketsErrorOptions {
  /** The underlying error (a Node system error, a TLS error, an abort reason …). */
  readonly cause?: unknown;
  /** Overrides the status of the code's table row (e.g. the exact certificate status). */
  readonly status?: WebErrorStatus;
  /** Overrides the HRESULT of the code's table row. */
  readonly hresult?: number;
}

/**
 * The base of every error netsockets throws or rejects with.
 *
 * `code` is a stable string (see the table in the package README), `status` the
 * {@link WebErrorStatus} that `WebSocketError.getStatus` reports, and `hresult` the Windows
 * value where one exists. Recognised across duplicate installs through {@link NetSocketsError.isInstance}.
 */
export class NetSocketsError extends Error {
  /** The stable string code. */
  readonly code: ErrorCode;
  /** The status `WebSocketError.getStatus(error)` returns. */
  readonly status: WebErrorStatus;
  /** The Windows HRESULT, or `undefined` where Windows has none. */
  readonly hresult: number | undefined;
  /** Marks netsockets errors across duplicate installs (see {@link NetSocketsError.isInstance}). */
  readonly [marker] = true;

  constructor(code: ErrorCode, message: string, options: NetSocketsErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    const row = errorCodes[code];
    this.code = code;
    this.status = options.status ?? row.status;
    this.hresult = options.hresult ?? ("hresult" in row ? row.hresult : undefined);
  }

  override get name(): string {
    return this.constructor.name;
  }

  /** Whether `value` is a netsockets error, also one made by another copy of this package. */
  static isInstance(value: unknown): value is NetSocketsError {
    return (
      typeof value === "object" &&
      value !== null &&
      (value as { [marker]?: unknown })[marker] === true
    );
  }
}
