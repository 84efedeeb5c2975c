// Bytes in memory as streams: the source and sink of tests, of DataReader/DataWriter round trips,
// and the role WinRT's InMemoryRandomAccessStream plays in samples.
import { abortable } from "./abortable.js";
import { copyBytes } from "./copy-bytes.js";
import { invalidArgument, objectClosed } from "./data-errors.js";
import type { InputStreamOptions } from "./input-stream-options.js";
import type { AsyncOptions, IInputStream, IOutputStream } from "./stream-contracts.js";

/** Checks the `readAsync` arguments every input stream of this package checks. */
export function checkReadArguments(buffer: Uint8Array, count: number): void {
  if (!(buffer instanceof Uint8Array)) throw invalidArgument("buffer must be a Uint8Array");
  if (count >>> 0 !== count) throw invalidArgument(`${String(count)} is not a valid UInt32 count`);
  if (count > buffer.byteLength) {
    throw invalidArgument(`count ${count} is larger than the buffer (${buffer.byteLength} bytes)`);
  }
}

/**
 * An {@link IInputStream} over bytes in memory (made by {@link fromBytes}). Every read is
 * answered at once with a view into the source bytes, never a copy.
 */
export class MemoryInputStream implements IInputStream, Disposable {
  /** The source bytes. */
  #bytes: Uint8Array;
  /** The next byte to hand out. */
  #position = 0;
  /** Set by `close()`. */
  #closed = false;

  constructor(bytes: Uint8Array) {
    if (!(bytes instanceof Uint8Array)) throw invalidArgument("bytes must be a Uint8Array");
    this.#bytes = bytes;
  }

  /** Bytes not read yet. */
  get remaining(): number {
    return this.#bytes.length - this.#position;
  }

  /** See {@link IInputStream.readAsync}. */
  readAsync(
    buffer: Uint8Array,
    count: number,
    _options: InputStreamOptions,
    opts: AsyncOptions = {},
  ): Promise<Uint8Array> {
    try {
      checkReadArguments(buffer, count);
      if (this.#closed) throw objectClosed("input stream");
    } catch (error) {
      return Promise.reject(error);
    }
    // Everything is there already, so `none` and `partial` behave the same.
    const start = this.#position;
    const end = Math.min(start + count, this.#bytes.length);
    const result = Promise.resolve(this.#bytes.subarray(start, end));
    if (opts.signal?.aborted) return abortable(result, opts.signal);
    this.#position = end;
    return result;
  }

  /** Releases the bytes; later reads fail with `ERR_OBJECT_CLOSED`. */
  close(): void {
    this.#closed = true;
    this.#bytes = new Uint8Array(0);
    this.#position = 0;
  }

  /** Same as `close()`, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }
}

/** An {@link IInputStream} that reads `bytes` (not copied; do not change them while reading). */
export function fromBytes(bytes: Uint8Array): MemoryInputStream {
  return new MemoryInputStream(bytes);
}

/**
 * An {@link IOutputStream} that collects what is written, one copied chunk per `writeAsync`, so
 * tests can see message boundaries (`chunks`) and the whole (`toBytes()`). It plays the part of
 * WinRT's `InMemoryRandomAccessStream` as a sink; it never applies backpressure.
 */
export class MemoryOutputStream implements IOutputStream, Disposable {
  /** One copy per `writeAsync`, in order. */
  readonly #chunks: Uint8Array[] = [];
  /** The sum of the chunk lengths. */
  #length = 0;
  /** Set by `close()`. */
  #closed = false;

  /** The chunks written so far, one per `writeAsync` call. */
  get chunks(): readonly Uint8Array[] {
    return this.#chunks;
  }

  /** The number of bytes written so far. */
  get length(): number {
    return this.#length;
  }

  /** Whether `close()` was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** See {@link IOutputStream.writeAsync}. Copies `bytes`. */
  writeAsync(bytes: Uint8Array, opts: AsyncOptions = {}): Promise<number> {
    if (this.#closed) return Promise.reject(objectClosed("output stream"));
    if (!(bytes instanceof Uint8Array)) {
      return Promise.reject(invalidArgument("bytes must be a Uint8Array"));
    }
    if (opts.signal?.aborted) return abortable(Promise.resolve(0), opts.signal);
    this.#chunks.push(copyBytes(bytes));
    this.#length += bytes.length;
    return Promise.resolve(bytes.length);
  }

  /** Resolves `true`: the bytes are already in memory. */
  flushAsync(_opts: AsyncOptions = {}): Promise<boolean> {
    if (this.#closed) return Promise.reject(objectClosed("output stream"));
    return Promise.resolve(true);
  }

  /** Everything written so far, as one new array. */
  toBytes(): Uint8Array {
    const all = new Uint8Array(this.#length);
    let offset = 0;
    for (const chunk of this.#chunks) {
      all.set(chunk, offset);
      offset += chunk.length;
    }
    return all;
  }

  /** Marks the stream closed; the collected bytes stay readable. */
  close(): void {
    this.#closed = true;
  }

  /** Same as `close()`, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }
}
