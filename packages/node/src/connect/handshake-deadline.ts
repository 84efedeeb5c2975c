import { TimeoutError } from "@netsockets/errors";

/** Default time from the TCP connection to the `101` answer (reference/uwp-api.md §17.1). */
export const DEFAULT_CLIENT_HANDSHAKE_TIMEOUT_MS = 60_000;

/**
 * One signal for the stages after TCP (TLS, proxy CONNECT, HTTP upgrade) of one connection: it
 * aborts when the caller's signal does (with that reason) or when the handshake timeout expires
 * (with a `TimeoutError`). {@link dispose} removes the timer and the listener on the caller's
 * signal, so nothing is left behind however the connection ends.
 */
export class HandshakeDeadline {
  readonly #controller = new AbortController();
  readonly #parent: AbortSignal | undefined;
  readonly #timer: NodeJS.Timeout;
  readonly #onParentAbort = (): void => {
    this.#controller.abort((this.#parent as AbortSignal).reason);
  };

  constructor(parent: AbortSignal | undefined, timeoutMs = DEFAULT_CLIENT_HANDSHAKE_TIMEOUT_MS) {
    this.#parent = parent;
    this.#timer = setTimeout(() => {
      this.#controller.abort(
        new TimeoutError(`the server did not complete the handshake within ${timeoutMs} ms`),
      );
    }, timeoutMs);
    if (parent?.aborted) this.#onParentAbort();
    else parent?.addEventListener("abort", this.#onParentAbort, { once: true });
  }

  /** Aborts on the caller's abort or on the timeout. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Stops the timer and stops listening to the caller's signal. */
  dispose(): void {
    clearTimeout(this.#timer);
    this.#parent?.removeEventListener("abort", this.#onParentAbort);
  }
}
