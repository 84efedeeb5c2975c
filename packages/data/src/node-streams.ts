// Adapters between Node streams and the IInputStream/IOutputStream contracts, both directions,
// with backpressure: nothing reads ahead of a slow consumer by more than a high-water mark.
import { Readable, Writable } from "node:stream";
import { invalidArgument } from "./data-errors.js";
import { InputStreamOptions } from "./input-stream-options.js";
import { chunkToBytes, PullInputStream } from "./pull-input-stream.js";
import type { IInputStream, IOutputStream } from "./stream-contracts.js";
import { TrackedOutputStream } from "./tracked-output-stream.js";

/** The default high-water mark of the adapters, in bytes. */
export const DEFAULT_HIGH_WATER_MARK = 64 * 1024;
/** The default size of one read an adapter makes from an `IInputStream`, in bytes. */
export const DEFAULT_CHUNK_SIZE = 16 * 1024;

/** Options of {@link toReadable} and `toReadableStream`. */
export interface ToReadableOptions {
  /** Bytes the adapter may hold before it stops reading the input. Default 64 KiB. */
  readonly highWaterMark?: number;
  /** The largest single `readAsync` the adapter makes. Default 16 KiB. */
  readonly chunkSize?: number;
}

/** Options of {@link toWritable} and `toWritableStream`. */
export interface ToWritableOptions {
  /** Bytes the adapter accepts before `write()` returns false / `ready` waits. Default 64 KiB. */
  readonly highWaterMark?: number;
}

/**
 * Reads for `toReadable` and `toReadableStream`, into a reusable scratch buffer. A
 * result that fills at least half the scratch is handed out as is (and a new scratch is made);
 * a smaller one is copied out, so a stream of tiny reads never pins a large buffer per byte.
 */
export class ChunkReader {
  /** Where the next read lands. */
  #scratch: Uint8Array;

  constructor(
    readonly input: IInputStream,
    readonly chunkSize: number,
  ) {
    this.#scratch = new Uint8Array(chunkSize);
  }

  /** The next chunk of the input (partial), empty at its end. */
  async next(signal: AbortSignal): Promise<Uint8Array> {
    const scratch = this.#scratch;
    const bytes = await this.input.readAsync(scratch, this.chunkSize, InputStreamOptions.partial, {
      signal,
    });
    if (bytes.buffer !== scratch.buffer) return bytes;
    if (bytes.length * 2 < this.chunkSize) return bytes.slice();
    this.#scratch = new Uint8Array(this.chunkSize);
    return bytes;
  }
}

/** Checks a size option and applies its default. */
export function sizeOption(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw invalidArgument(`${name} must be a positive integer`);
  }
  return value;
}

/**
 * An {@link IInputStream} reading a Node `Readable` (a socket, a file stream, `process.stdin`).
 * Each read takes at most the bytes it asks for with `readable.read(n)`, so everything else stays
 * in the `Readable`, which stops pulling from its source at its own `highWaterMark`. String
 * chunks are read as UTF-8. The stream takes ownership: `close()` destroys the `Readable`. A
 * `Readable` error rejects the pending read and every later one with that error; a `Readable`
 * destroyed before its end rejects with Node's `ERR_STREAM_PREMATURE_CLOSE`.
 */
export function fromReadable(readable: Readable): PullInputStream {
  if (!(readable instanceof Readable)) throw invalidArgument("expected a Node Readable");
  let ended = false;
  let failure: { readonly error: unknown } | null = null;
  let wake: (() => void) | null = null;
  const notify = (): void => {
    const resolve = wake;
    wake = null;
    resolve?.();
  };
  // Permanent listeners: 'readable' keeps the stream in paused mode and wakes a waiting read;
  // 'error' must always have a listener so a failure between reads cannot crash the process.
  readable.on("readable", notify);
  readable.on("end", () => {
    ended = true;
    notify();
  });
  readable.on("error", (error) => {
    failure = { error };
    notify();
  });
  readable.on("close", notify);
  return new PullInputStream({
    async pull(max) {
      for (;;) {
        if (failure !== null) throw failure.error;
        const available = readable.readableLength;
        const chunk: unknown =
          available > 0 ? readable.read(Math.min(max, available)) : readable.read();
        if (chunk !== null) return chunkToBytes(chunk);
        if (ended) return null;
        if (readable.destroyed) {
          // destroy(error) marks the stream at once but emits 'error' a tick later.
          if (readable.errored) throw readable.errored;
          throw Object.assign(new Error("the Readable was destroyed before its end"), {
            code: "ERR_STREAM_PREMATURE_CLOSE",
          });
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
    },
    release() {
      readable.destroy();
    },
  });
}

/**
 * An {@link IOutputStream} writing to a Node `Writable`. `writeAsync` resolves when the
 * `Writable` calls back for that chunk (for a socket: handed to the kernel), so a writer that
 * awaits each write never has more than one chunk queued. `flushAsync` waits for every write in
 * flight. `close()` ends the `Writable` gracefully (`end()`); queued writes still go out. A
 * `Writable` error rejects the writes it fails (and is never left unhandled).
 */
export function fromWritable(writable: Writable): TrackedOutputStream {
  if (!(writable instanceof Writable)) throw invalidArgument("expected a Node Writable");
  // The failure reaches the writes through their callbacks; this listener only makes sure an
  // 'error' with no other listener cannot crash the process.
  writable.on("error", () => {});
  return new TrackedOutputStream({
    write(bytes) {
      return new Promise<void>((resolve, reject) => {
        writable.write(bytes, (error) => (error ? reject(error) : resolve()));
      });
    },
    end() {
      writable.end();
    },
  });
}

/**
 * A Node `Readable` of the bytes of `input`. It reads with {@link InputStreamOptions.partial} in
 * chunks of at most `chunkSize`, only when its buffer is below `highWaterMark`, so it holds at
 * most `highWaterMark + chunkSize` bytes ahead of a slow consumer. It ends at the input's end;
 * destroying it closes the input. An input error destroys it with that error.
 */
export function toReadable(input: IInputStream, options: ToReadableOptions = {}): Readable {
  const highWaterMark = sizeOption(options.highWaterMark, DEFAULT_HIGH_WATER_MARK, "highWaterMark");
  const chunkSize = sizeOption(options.chunkSize, DEFAULT_CHUNK_SIZE, "chunkSize");
  const controller = new AbortController();
  const reader = new ChunkReader(input, chunkSize);
  return new Readable({
    highWaterMark,
    read() {
      // Node calls read() again only after push(), so one readAsync is pending at a time.
      reader.next(controller.signal).then(
        (bytes) => {
          if (controller.signal.aborted) return;
          this.push(bytes.length === 0 ? null : bytes);
        },
        (error: unknown) => {
          if (!controller.signal.aborted) this.destroy(error as Error);
        },
      );
    },
    destroy(error, callback) {
      controller.abort();
      input.close();
      callback(error);
    },
  });
}

/**
 * A Node `Writable` into `output`. Each chunk is one `writeAsync`, awaited before the next, so
 * the `Writable` holds at most `highWaterMark` bytes and `write()` returns false beyond that.
 * `end()` flushes and then closes the output; destroying it closes the output at once.
 */
export function toWritable(output: IOutputStream, options: ToWritableOptions = {}): Writable {
  const highWaterMark = sizeOption(options.highWaterMark, DEFAULT_HIGH_WATER_MARK, "highWaterMark");
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    output.close();
  };
  return new Writable({
    highWaterMark,
    write(chunk: unknown, _encoding, callback) {
      let bytes: Uint8Array;
      try {
        bytes = chunkToBytes(chunk);
      } catch (error) {
        callback(error as Error);
        return;
      }
      output.writeAsync(bytes).then(
        () => callback(),
        (error: unknown) => callback(error as Error),
      );
    },
    final(callback) {
      output.flushAsync().then(
        () => {
          close();
          callback();
        },
        (error: unknown) => callback(error as Error),
      );
    },
    destroy(error, callback) {
      close();
      callback(error);
    },
  });
}
