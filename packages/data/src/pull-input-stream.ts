// The engine under the input adapters (Node Readable, WHATWG ReadableStream, file): an
// IInputStream over a source that hands out chunks one `pull(max)` at a time. Pulling only when a
// read needs bytes, and asking for no more than the read wants, is what gives backpressure: the
// rest stays in the source's own bounded buffer (a chunk larger than asked is the one exception,
// kept here until read).
import { abortable, linkSignal, throwIfAborted } from "./abortable.js";
import { copyBytes } from "./copy-bytes.js";
import { concurrentOperation, invalidArgument, objectClosed } from "./data-errors.js";
import { type InputStreamOptions, isPartial } from "./input-stream-options.js";
import { checkReadArguments } from "./memory-streams.js";
import type { AsyncOptions, IInputStream } from "./stream-contracts.js";

/** A chunk source: the next chunk, or `null` at the end. */
export interface ChunkSource {
  /**
   * Resolves with the next chunk, ideally at most `max` bytes (a longer one is kept for later
   * reads), or `null` at the end; rejects on failure.
   */
  pull(max: number): Promise<Uint8Array | null>;
  /** Releases the source (destroy, cancel, close the file). */
  release(): void;
}

/** A chunk from a Node or WHATWG stream as bytes: strings as UTF-8, buffers as views. */
export function chunkToBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (typeof chunk === "string") return Buffer.from(chunk, "utf8");
  if (ArrayBuffer.isView(chunk)) {
    return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  }
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
  throw invalidArgument("a stream chunk must be bytes or a string");
}

/** An {@link IInputStream} over a {@link ChunkSource}. */
export class PullInputStream implements IInputStream, Disposable {
  /** Where chunks come from. */
  readonly #source: ChunkSource;
  /** The part of the last chunk not handed out yet. */
  #leftover: Uint8Array | null = null;
  /**
   * A pull whose chunk nobody has taken yet. It survives an aborted read, so the chunk it brings
   * goes to the next read instead of being lost.
   */
  #pending: Promise<Uint8Array | null> | null = null;
  /** Set once the source said `null`. */
  #ended = false;
  /** The source's failure, repeated to every later read. */
  #failure: { readonly error: unknown } | null = null;
  /** Aborts the read in progress (the caller's signal, or `close()`); `null` when idle. */
  #reading: AbortController | null = null;
  /** Set by `close()`. */
  #closed = false;

  constructor(source: ChunkSource) {
    this.#source = source;
  }

  /** See {@link IInputStream.readAsync}. */
  async readAsync(
    buffer: Uint8Array,
    count: number,
    options: InputStreamOptions,
    opts: AsyncOptions = {},
  ): Promise<Uint8Array> {
    checkReadArguments(buffer, count);
    if (this.#closed) throw objectClosed("input stream");
    if (this.#reading !== null) throw concurrentOperation("input stream");
    throwIfAborted(opts.signal);
    const controller = new AbortController();
    this.#reading = controller;
    const unlink = linkSignal(opts.signal, controller);
    const partial = isPartial(options);
    let filled = 0;
    try {
      while (filled < count) {
        const leftover = this.#leftover;
        if (leftover !== null) {
          const n = Math.min(leftover.length, count - filled);
          buffer.set(n === leftover.length ? leftover : leftover.subarray(0, n), filled);
          this.#leftover = n === leftover.length ? null : leftover.subarray(n);
          filled += n;
          continue;
        }
        if (this.#ended || (partial && filled > 0)) break;
        if (this.#failure !== null) throw this.#failure.error;
        this.#pending ??= this.#source.pull(count - filled);
        const pending = this.#pending;
        let chunk: Uint8Array | null;
        try {
          chunk = await abortable(pending, controller.signal);
        } catch (error) {
          if (controller.signal.aborted) throw error;
          // The source failed: every later read fails the same way.
          this.#pending = null;
          this.#failure = { error };
          throw error;
        }
        this.#pending = null;
        if (chunk === null) this.#ended = true;
        else if (chunk.length > 0) this.#leftover = chunk;
      }
      return buffer.subarray(0, filled);
    } catch (error) {
      // Bytes already copied for a read that now fails go back in front, so none are lost. A
      // read only waits (and so only fails) once the leftover is used up, so there is nothing
      // to join them with.
      if (filled > 0 && !this.#closed) this.#leftover = copyBytes(buffer, 0, filled);
      throw error;
    } finally {
      unlink();
      if (this.#reading === controller) this.#reading = null;
    }
  }

  /** Releases the source; a pending read rejects with `ERR_OBJECT_CLOSED`. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#leftover = null;
    this.#pending?.catch(() => {});
    this.#reading?.abort(objectClosed("input stream"));
    this.#source.release();
  }

  /** Same as `close()`, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }
}
