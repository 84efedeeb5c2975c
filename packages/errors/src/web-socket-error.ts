import { statusFromHResult } from "./hresult-status.js";
import { errorLineage } from "./netsockets-error.js";
import { statusFromErrorCode } from "./system-error-status.js";
import { isWebErrorStatus, WebErrorStatus } from "./web-error-status.js";

/** How many `cause` / `AggregateError` levels getStatus follows. */
const maxDepth = 8;
/** How many objects one getStatus call looks at in all, so wide aggregates stay cheap. */
const maxVisits = 64;

interface Walk {
  readonly seen: Set<object>;
  visits: number;
}

/** `obj[key]`, or `undefined` when reading it throws (getters, revoked proxies). */
function read(obj: object, key: PropertyKey): unknown {
  try {
    return (obj as Record<PropertyKey, unknown>)[key];
  } catch {
    return undefined;
  }
}

/** `Array.isArray` that answers false instead of throwing (it throws for revoked proxies). */
function isArray(value: unknown): value is object {
  try {
    return Array.isArray(value);
  } catch {
    return false;
  }
}

/** Whether `value` is an `AbortSignal` of any realm, by its `Symbol.toStringTag`. */
function isAbortSignal(value: object): boolean {
  try {
    return Object.prototype.toString.call(value) === "[object AbortSignal]";
  } catch {
    return false;
  }
}

/** An abort is a timeout when its reason says so (`AbortSignal.timeout()`), else a cancel. */
function abortStatus(reason: unknown, depth: number, walk: Walk): WebErrorStatus {
  return statusOf(reason, depth + 1, walk) === WebErrorStatus.timeout
    ? WebErrorStatus.timeout
    : WebErrorStatus.operationCanceled;
}

function statusOf(value: unknown, depth: number, walk: Walk): WebErrorStatus {
  if (typeof value === "number") return statusFromHResult(value);
  if ((typeof value !== "object" && typeof value !== "function") || value === null) {
    return WebErrorStatus.unknown;
  }
  if (depth > maxDepth || walk.visits >= maxVisits || walk.seen.has(value)) {
    return WebErrorStatus.unknown;
  }
  walk.visits++;
  walk.seen.add(value);

  // Ours, from any copy of the package: its status is the answer, whatever its cause says.
  if (errorLineage(value) !== undefined) {
    const status = read(value, "status");
    return isWebErrorStatus(status) ? status : WebErrorStatus.unknown;
  }
  if (isAbortSignal(value)) {
    return read(value, "aborted") === true
      ? abortStatus(read(value, "reason"), depth, walk)
      : WebErrorStatus.unknown;
  }
  // DOMException("…", "TimeoutError") is AbortSignal.timeout()'s reason; Node's AbortError
  // carries the signal's reason as its cause.
  const name = read(value, "name");
  if (name === "TimeoutError") return WebErrorStatus.timeout;
  if (name === "AbortError") return abortStatus(read(value, "cause"), depth, walk);

  const code = read(value, "code");
  if (typeof code === "string") {
    const status = statusFromErrorCode(code);
    if (status !== undefined) return status;
  }
  // A WinRT-style error: `hresult`, or `number` as the JavaScript projection has it.
  for (const key of ["hresult", "number"]) {
    const hresult = read(value, key);
    if (typeof hresult === "number") {
      const status = statusFromHResult(hresult);
      if (status !== WebErrorStatus.unknown) return status;
    }
  }
  const cause = statusOf(read(value, "cause"), depth + 1, walk);
  if (cause !== WebErrorStatus.unknown) return cause;

  // AggregateError (net's autoSelectFamily, Promise.any): the first entry that says something.
  const errors = read(value, "errors");
  if (isArray(errors)) {
    const length = read(errors, "length");
    const count = typeof length === "number" ? Math.min(length, maxVisits) : 0;
    for (let i = 0; i < count && walk.visits < maxVisits; i++) {
      const status = statusOf(read(errors, i), depth + 1, walk);
      if (status !== WebErrorStatus.unknown) return status;
    }
  }
  return WebErrorStatus.unknown;
}

/**
 * `Windows.Networking.Sockets.WebSocketError`: a static class whose {@link WebSocketError.getStatus}
 * turns a failure into a {@link WebErrorStatus}. It has no instances and is frozen.
 *
 * @example
 * ```ts
 * try {
 *   await socket.connectAsync("wss://example.com/chat");
 * } catch (err) {
 *   if (WebSocketError.getStatus(err) === WebErrorStatus.hostNameNotResolved) offerOfflineMode();
 * }
 * ```
 */
export class WebSocketError {
  private constructor() {
    throw new TypeError("WebSocketError is a static class and has no instances");
  }

  /**
   * The {@link WebErrorStatus} of `error`; `unknown` (0) when nothing is recognised. Never
   * throws, whatever `error` is. Accepts:
   *
   * - a netsockets error, also from another copy of the package: its `status`;
   * - an HRESULT number, signed or unsigned 32-bit (`-2147012867` and `0x80072efd` are both
   *   `cannotConnect`), mapped by `hresultStatusTable`;
   * - a Node system or TLS error, by its `code` (`systemErrorStatusTable`, `tlsErrorStatusTable`);
   * - an abort: an `AbortSignal` (by its reason), an error named `TimeoutError` (`timeout`) or
   *   `AbortError` (`timeout` when its cause is a timeout, otherwise `operationCanceled`);
   * - an object with a numeric `hresult` or `number` (a WinRT-style error);
   * - anything else with a `cause` (followed up to 8 levels) or an `errors` array
   *   (`AggregateError`: the first entry with a known status).
   *
   * Is safe to call detached (`const { getStatus } = WebSocketError`).
   */
  static getStatus(error: unknown): WebErrorStatus {
    try {
      return statusOf(error, 0, { seen: new Set(), visits: 0 });
    } catch {
      // Belt and braces: every read above is guarded, but a hostile value must never escape.
      return WebErrorStatus.unknown;
    }
  }
}

Object.freeze(WebSocketError.prototype);
Object.freeze(WebSocketError);
