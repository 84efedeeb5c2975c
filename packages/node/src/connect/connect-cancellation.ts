import { TimeoutError } from "@netsockets/errors";
import { DEFAULT_CLIENT_HANDSHAKE_TIMEOUT_MS } from "./handshake-deadline.js";

/**
 * What cancels one connect (internal to the connect stages): the caller's `AbortSignal` when it
 * fires, the socket's `close()` while connecting, or the handshake deadline. One object per
 * connect replaces the `AbortController` + `AbortSignal.any` + deadline `AbortController` and the
 * `addEventListener("abort")` of each stage that a connect used to make: those were ≈ 10 % of a
 * client opening connections in a loop (bench RESULTS, workload 6). No `AbortSignal` is made; none
 * is handed to user code.
 *
 * The stages run one after another (DNS, TCP, proxy tunnel, TLS, custom validation, HTTP
 * upgrade), so one listener slot is enough: each stage {@link listen}s while it waits and
 * {@link unlisten}s when it settles, whatever the outcome. A second listener while one is set is
 * a bug in the stages and throws.
 *
 * ```
 *  caller's signal ──abort──▶ ┐
 *  socket.close()  ─────────▶ ├─▶ abort(reason) ──▶ aborted / reason ──▶ the listening stage
 *  handshake timer ─────────▶ ┘                      (first reason wins)   fails with abortError
 * ```
 */
export class ConnectCancellation {
  #aborted = false;
  #reason: unknown = undefined;
  #listener: (() => void) | undefined = undefined;
  #signal: AbortSignal | undefined = undefined;
  #timer: NodeJS.Timeout | undefined = undefined;
  // Made only when there is a caller's signal to follow.
  #onSignalAbort: (() => void) | undefined = undefined;

  /**
   * Follows `signal` (the caller's, may be absent): an abort of it aborts this connect with its
   * reason. {@link release} stops following.
   */
  constructor(signal?: AbortSignal) {
    if (signal === undefined) return;
    if (signal.aborted) {
      this.#aborted = true;
      this.#reason = signal.reason;
      return;
    }
    this.#signal = signal;
    this.#onSignalAbort = () => this.abort(signal.reason);
    signal.addEventListener("abort", this.#onSignalAbort, { once: true });
  }

  /** Whether the connect was cancelled. */
  get aborted(): boolean {
    return this.#aborted;
  }

  /** Why (the caller's signal's reason, the close's error, or the deadline's `TimeoutError`). */
  get reason(): unknown {
    return this.#reason;
  }

  /** Cancels the connect with `reason` (the first reason stays); the listening stage fails. */
  abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    this.clearDeadline();
    const listener = this.#listener;
    this.#listener = undefined;
    listener?.();
  }

  /** Sets the waiting stage's listener, called once on abort. */
  listen(listener: () => void): void {
    if (this.#listener !== undefined) throw new Error("a connect stage is already listening");
    this.#listener = listener;
  }

  /** Removes `listener` when it is the one set. */
  unlisten(listener: () => void): void {
    if (this.#listener === listener) this.#listener = undefined;
  }

  /**
   * Starts the handshake deadline: after `timeoutMs` the connect aborts with a `TimeoutError`.
   * One at a time: {@link clearDeadline} (or the next start) stops it.
   */
  startDeadline(timeoutMs = DEFAULT_CLIENT_HANDSHAKE_TIMEOUT_MS): void {
    this.clearDeadline();
    if (this.#aborted) return;
    // A module-level callback with arguments: no closure per connect.
    this.#timer = setTimeout(expireHandshake, timeoutMs, this, timeoutMs);
  }

  /** Stops the handshake deadline. */
  clearDeadline(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
  }

  /** Stops the deadline and stops following the caller's signal: nothing is left behind. */
  release(): void {
    this.clearDeadline();
    this.#listener = undefined;
    if (this.#signal !== undefined) {
      this.#signal.removeEventListener("abort", this.#onSignalAbort as () => void);
      this.#signal = undefined;
    }
  }
}

function expireHandshake(cancellation: ConnectCancellation, timeoutMs: number): void {
  cancellation.abort(
    new TimeoutError(`the server did not complete the handshake within ${timeoutMs} ms`),
  );
}
