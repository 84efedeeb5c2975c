import { InvalidStateError, OperationCanceledError } from "@netsockets/errors";
import type { IInputStream } from "../../src/index.js";
import { InputStreamOptions } from "../../src/index.js";

interface PendingRead {
  readonly buffer: Uint8Array;
  readonly count: number;
  readonly partial: boolean;
  filled: number;
  readonly resolve: (bytes: Uint8Array) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * A test IInputStream fed by hand: `push(bytes)` adds data, `end()` ends the stream. It answers
 * reads by the contract (partial: ≥ 1 byte; none: `count` bytes or the end), honours the abort
 * signal without losing bytes, and records every call.
 */
export class PushSource implements IInputStream {
  readonly queue: number[] = [];
  ended = false;
  closed = false;
  reads = 0;
  #pending: PendingRead | null = null;

  push(bytes: Uint8Array | number[]): void {
    for (const b of bytes) this.queue.push(b);
    this.#serve();
  }

  end(): void {
    this.ended = true;
    this.#serve();
  }

  readAsync(
    buffer: Uint8Array,
    count: number,
    options: number,
    opts: { signal?: AbortSignal | undefined } = {},
  ): Promise<Uint8Array> {
    this.reads++;
    if (this.closed) return Promise.reject(new InvalidStateError("closed"));
    if (this.#pending) return Promise.reject(new InvalidStateError("busy"));
    return new Promise((resolve, reject) => {
      const signal = opts.signal;
      const onAbort = (): void => {
        this.#pending = null;
        reject(new OperationCanceledError());
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#pending = {
        buffer,
        count,
        partial: (options & InputStreamOptions.partial) !== 0,
        filled: 0,
        resolve: (b) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(b);
        },
        reject,
      };
      this.#serve();
    });
  }

  #serve(): void {
    const read = this.#pending;
    if (!read) return;
    while (read.filled < read.count && this.queue.length > 0) {
      read.buffer[read.filled++] = this.queue.shift() as number;
    }
    if (read.filled === read.count || this.ended || (read.partial && read.filled > 0)) {
      this.#pending = null;
      read.resolve(read.buffer.subarray(0, read.filled));
    }
  }

  close(): void {
    this.closed = true;
  }
}

/**
 * A test IInputStream that hands out `bytes` one byte per read, each on a later macrotask, and
 * answers with a view of a different array than the one passed in (which the contract allows).
 */
export class OneByteSource implements IInputStream {
  position = 0;
  reads = 0;
  closed = false;
  readonly #bytes: Uint8Array;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  readAsync(_buffer: Uint8Array, count: number): Promise<Uint8Array> {
    this.reads++;
    return new Promise((resolve) =>
      setImmediate(() => {
        if (count === 0 || this.position >= this.#bytes.length) {
          resolve(new Uint8Array(0));
          return;
        }
        const one = this.#bytes.slice(this.position, this.position + 1);
        this.position++;
        resolve(one);
      }),
    );
  }

  close(): void {
    this.closed = true;
  }
}
