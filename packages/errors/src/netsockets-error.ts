import { type ErrorCode, errorCodes } from "./error-code.js";
import { hresultOfStatus } from "./hresult-status.js";
import type { WebErrorStatus } from "./web-error-status.js";

/**
 * The brand of netsockets errors. `Symbol.for` puts it in the global symbol registry, which every
 * copy of this package (and every `node:vm` realm) shares, so a second install still recognises
 * errors made by the first. Its value, on each class's prototype, is the class lineage from
 * `"NetSocketsError"` down to the class itself, so subclasses are recognised by tag as well.
 */
const marker = Symbol.for("netsockets.error");

/** Options every netsockets error accepts. */
export interface NetSocketsErrorOptions {
  /** The underlying error (a Node system error, a TLS error, an abort reason …). */
  readonly cause?: unknown;
  /**
   * Overrides the status of the code's table row (e.g. the exact certificate status). The
   * HRESULT then follows the status (the first HRESULT that maps to it) unless also given.
   */
  readonly status?: WebErrorStatus;
  /** Overrides the HRESULT of the code's table row. */
  readonly hresult?: number;
}

/** A class whose instances are netsockets errors (abstract so any constructor shape fits). */
type ErrorClass<T extends NetSocketsError> = abstract new (...args: never[]) => T;

/**
 * The class tags of `value` (its lineage, base first), or `undefined` when `value` is not a
 * netsockets error. Never throws, also for revoked proxies and throwing getters.
 */
export function errorLineage(value: unknown): readonly string[] | undefined {
  if ((typeof value !== "object" && typeof value !== "function") || value === null) {
    return undefined;
  }
  try {
    const lineage: unknown = (value as { [marker]?: unknown })[marker];
    return Array.isArray(lineage) && lineage[0] === "NetSocketsError"
      ? (lineage as readonly string[])
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Gives class `cls` its `name` and its marker lineage (parent's lineage plus `name`). Both live
 * on the prototype, non-enumerable, so they do not show up as own properties in logs; the name
 * is a literal so minifiers cannot change it.
 *
 * @internal Used by the error classes of this package.
 */
export function defineErrorClass(cls: ErrorClass<NetSocketsError>, name: string): void {
  const parent = errorLineage(Object.getPrototypeOf(cls.prototype)) ?? [];
  Object.defineProperty(cls.prototype, marker, { value: Object.freeze([...parent, name]) });
  Object.defineProperty(cls.prototype, "name", { value: name, writable: true, configurable: true });
}

/**
 * The base of every error netsockets throws or rejects with.
 *
 * `code` is a stable string (see the table in the package README), `status` the
 * {@link WebErrorStatus} that `WebSocketError.getStatus` reports, and `hresult` the Windows
 * value where one exists. Recognised across duplicate installs through
 * {@link NetSocketsError.isInstance}, which every subclass inherits.
 *
 * @example
 * ```ts
 * try { await socket.connectAsync(uri); }
 * catch (err) { if (NetworkError.isInstance(err)) console.log(err.code, err.status); }
 * ```
 */
export class NetSocketsError extends Error {
  /** The stable string code. */
  readonly code: ErrorCode;
  /** The status `WebSocketError.getStatus(error)` returns. */
  readonly status: WebErrorStatus;
  /** The Windows HRESULT (unsigned 32-bit), or `undefined` where Windows has none. */
  readonly hresult: number | undefined;

  constructor(code: ErrorCode, message: string, options: NetSocketsErrorOptions = {}) {
    super(message, "cause" in options ? { cause: options.cause } : undefined);
    const row: { readonly status: WebErrorStatus; readonly hresult?: number } = errorCodes[code];
    this.code = code;
    this.status = options.status ?? row.status;
    this.hresult =
      options.hresult ??
      (options.status === undefined ? undefined : hresultOfStatus(options.status)) ??
      row.hresult;
  }

  /**
   * The HRESULT as a signed 32-bit number, as the WinRT JavaScript projection's `error.number`,
   * so ported `WebSocketError.getStatus(e.number)` code keeps working.
   */
  get number(): number | undefined {
    return this.hresult === undefined ? undefined : this.hresult | 0;
  }

  /**
   * Whether `value` is an instance of the class this is called on (`NetSocketsError`,
   * `ProtocolError` …), also one made by another copy of this package. Checks the
   * `Symbol.for("netsockets.error")` marker and the class tag, never `instanceof`; never throws.
   */
  static isInstance<T extends NetSocketsError>(this: ErrorClass<T>, value: unknown): value is T {
    // `this` is the class it is called on, so every subclass inherits a check for its own tag.
    // Called detached (`const { isInstance } = ProtocolError`), `this` is undefined: answer false.
    // biome-ignore lint/complexity/noThisInStatic: the receiver class is the point.
    const own = errorLineage((this as ErrorClass<T> | undefined)?.prototype);
    const tag = own?.[own.length - 1];
    return tag !== undefined && (errorLineage(value)?.includes(tag) ?? false);
  }
}

defineErrorClass(NetSocketsError, "NetSocketsError");
