// The engine under the output adapters (Node Writable, WHATWG WritableStream, file): an
// IOutputStream whose writes are handed to a sink function, counted so `flushAsync` can wait for
// every one of them to reach the sink.
import { abortable } from "./abortable.js";
import { invalidArgument, objectClosed } from "./data-errors.js";
import type { AsyncOptions, IOutputStream } from "./stream-contracts.js";

/** A byte sink. */
export interface ByteSink {
  /** Writes `bytes`; resolves once the sink has accepted them (its write callback). */
  write(bytes: Uint8Array): Promise<void>;
  /** Ends the sink gracefully once the accepted writes are done. */
  end(): void;
}

/** An {@link IOutputStream} over a {@link ByteSink}. */
export class TrackedOutputStream implements IOutputStream, Disposable {
  /** Where bytes go. */
  readonly #sink: ByteSink;
  /** Writes handed to the sink and not yet settled. */
  #inFlight = 0;
  /** Resolved when `#inFlight` drops to zero. */
  #idle: Array<() => void> = [];
  /** Whether a write failed since the last `flushAsync`. */
  #failed = false;
  /** Set by `close()`. */
  #closed = false;

  constructor(sink: ByteSink) {
    this.#sink = sink;
  }

  /**
   * See {@link IOutputStream.writeAsync}. Resolves once the sink accepted the bytes; an abort
   * rejects the promise but cannot take back bytes already handed to the sink.
   */
  writeAsync(bytes: Uint8Array, opts: AsyncOptions = {}): Promise<number> {
    if (this.#closed) return Promise.reject(objectClosed("output stream"));
    if (!(bytes instanceof Uint8Array)) {
      return Promise.reject(invalidArgument("bytes must be a Uint8Array"));
    }
    if (opts.signal?.aborted) return abortable(Promise.resolve(0), opts.signal);
    this.#inFlight++;
    const written = this.#sink.write(bytes).then(
      () => {
        this.#settled();
        return bytes.length;
      },
      (error: unknown) => {
        this.#failed = true;
        this.#settled();
        throw error;
      },
    );
    return abortable(written, opts.signal);
  }

  #settled(): void {
    if (--this.#inFlight === 0) for (const resolve of this.#idle.splice(0)) resolve();
  }

  /**
   * Resolves once every earlier write has settled: `true` if all of them (since the last flush)
   * reached the sink, `false` if one failed (its promise carries the error).
   */
  async flushAsync(opts: AsyncOptions = {}): Promise<boolean> {
    if (this.#closed) throw objectClosed("output stream");
    if (this.#inFlight > 0) {
      await abortable(new Promise<void>((resolve) => this.#idle.push(resolve)), opts.signal);
    }
    const ok = !this.#failed;
    this.#failed = false;
    return ok;
  }

  /** Ends the sink gracefully (queued writes still go out); later writes fail with `ERR_OBJECT_CLOSED`. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#sink.end();
  }

  /** Same as `close()`, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }
}
