import type { AsyncOptions, IInputStream, InputStreamOptions } from "@netsockets/data";
import {
  fromAbortReason,
  InvalidArgumentError,
  InvalidStateError,
  NetSocketsError,
} from "@netsockets/errors";

/** What the stream does to the connection when it fills up and drains. */
export interface InboundFlow {
  /** Stop reading from TCP (the driver's `pause`). */
  pause(): void;
  /** Read from TCP again (the driver's `resume`). */
  resume(): void;
}

/** InputStreamOptions.partial: a flag of the uint32 flag set. */
const PARTIAL = 1;

/** The read waiting for bytes. */
interface PendingRead {
  readonly buffer: Uint8Array;
  readonly count: number;
  readonly partial: boolean;
  filled: number;
  readonly resolve: (bytes: Uint8Array) => void;
  readonly reject: (error: unknown) => void;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: (() => void) | undefined;
}

/**
 * `StreamWebSocket.inputStream`: the payload of the peer's binary messages as one stream of
 * bytes, an `IInputStream` (the contract of `@netsockets/data`: `readAsync` with `partial` /
 * `none`, one read at a time, an empty result at the end, abort without losing bytes, `close`).
 *
 * Theory of operation:
 *
 * ```
 *  driver onData(view) ──push──▶ [ views … ] ──readAsync──▶ copy once into the caller's buffer
 *                      (a waiting read is filled straight from the view)
 *   queued ≥ highWaterMark ─▶ flow.pause()   the socket stops reading: TCP flow control stops the peer
 *   queued ≤ highWaterMark / 2 after a read ─▶ flow.resume()
 * ```
 *
 * The views the driver hands out are kept as they are (the protocol never reuses the memory
 * behind them), so every byte is copied exactly once. A read that finds its bytes queued
 * completes without waiting and without allocating an `AbortController` (the data package's
 * `PullInputStream` makes one per read; at one read per 64 KiB TCP chunk that was a measurable
 * share of a bulk receiver's CPU). Message boundaries are not kept.
 *
 * The end is queued behind the bytes: after {@link finish} (a close) reads return the remaining
 * bytes and then an empty result; after {@link fail} (a loss, a violation) the remaining bytes
 * and then the error, on every later read. {@link stop} (the socket was closed locally) keeps
 * what is buffered but drops what still arrives; {@link close} (the reader gave up) drops
 * everything. Both keep the connection reading, so the closing handshake never waits behind
 * unread data.
 */
export class InboundStream implements IInputStream, Disposable {
  readonly #flow: InboundFlow;
  #highWaterMark: number;
  #chunks: Uint8Array[] = [];
  #head = 0;
  /** Bytes of `#chunks[#head]` already read. */
  #offset = 0;
  /** Queued bytes not yet read. */
  #bytes = 0;
  #paused = false;
  #reader: PendingRead | undefined;
  /** `null` after a clean end, the error after a failure, `undefined` while open. */
  #end: { readonly error: unknown } | null | undefined;
  /** Incoming bytes are dropped (after `stop()` or `close()`). */
  #discarding = false;
  #closed = false;

  constructor(flow: InboundFlow, highWaterMark: number) {
    this.#flow = flow;
    this.#highWaterMark = highWaterMark;
  }

  /** Sets the high-water mark (the socket does when its connection starts). */
  set highWaterMark(value: number) {
    this.#highWaterMark = value;
  }

  /** Bytes received and not yet read. */
  get bufferedBytes(): number {
    return this.#bytes;
  }

  /** Whether incoming bytes are dropped. */
  get discarding(): boolean {
    return this.#discarding;
  }

  // --- the connection's side ---------------------------------------------------------------

  /** Received payload (a view the stream may keep). */
  push(bytes: Uint8Array): void {
    if (this.#discarding || this.#end !== undefined || bytes.length === 0) return;
    const reader = this.#reader;
    if (reader !== undefined && this.#bytes === 0) {
      // A read is waiting: fill it straight from the view, queue the rest.
      const n = Math.min(bytes.length, reader.count - reader.filled);
      reader.buffer.set(n === bytes.length ? bytes : bytes.subarray(0, n), reader.filled);
      reader.filled += n;
      if (n < bytes.length) this.#enqueue(bytes.subarray(n));
      if (reader.partial || reader.filled === reader.count) this.#complete(reader);
      return;
    }
    this.#enqueue(bytes);
  }

  /** The clean end: after the buffered bytes, reads return an empty result. */
  finish(): void {
    if (this.#end !== undefined) return;
    this.#end = null;
    const reader = this.#reader;
    if (reader !== undefined) this.#complete(reader);
  }

  /** A failure: after the buffered bytes, reads reject with `error`. */
  fail(error: unknown): void {
    if (this.#end !== undefined) return;
    this.#end = { error };
    const reader = this.#reader;
    if (reader !== undefined) this.#fail(reader, error);
  }

  /**
   * The socket was closed locally: the bytes already buffered stay readable, then the stream
   * ends; bytes that still arrive are dropped, and the connection keeps reading.
   */
  stop(): void {
    this.#discarding = true;
    this.finish();
    this.#resume();
  }

  // --- the reader's side -------------------------------------------------------------------

  /** See `IInputStream.readAsync`. */
  readAsync(
    buffer: Uint8Array,
    count: number,
    options: InputStreamOptions,
    opts: AsyncOptions = {},
  ): Promise<Uint8Array> {
    if (!(buffer instanceof Uint8Array)) {
      return Promise.reject(new InvalidArgumentError("buffer must be a Uint8Array"));
    }
    if (count >>> 0 !== count) {
      return Promise.reject(
        new InvalidArgumentError(`${String(count)} is not a valid UInt32 count`),
      );
    }
    if (count > buffer.byteLength) {
      return Promise.reject(
        new InvalidArgumentError(
          `count ${count} is larger than the buffer (${buffer.byteLength} bytes)`,
        ),
      );
    }
    if (this.#closed) {
      return Promise.reject(
        new InvalidStateError("the input stream is closed", { code: "ERR_OBJECT_CLOSED" }),
      );
    }
    if (this.#reader !== undefined) {
      return Promise.reject(
        new InvalidStateError("another read on this input stream is in progress", {
          code: "ERR_CONCURRENT_OPERATION",
        }),
      );
    }
    const signal = opts.signal;
    if (signal?.aborted) return Promise.reject(abortError(signal));
    const partial = (options & PARTIAL) !== 0;
    const filled = this.#take(buffer, 0, count);
    if (filled === count || (partial && filled > 0)) {
      return Promise.resolve(buffer.subarray(0, filled));
    }
    const end = this.#end;
    if (end === null) return Promise.resolve(buffer.subarray(0, filled));
    if (end !== undefined) {
      this.#unread(buffer, filled);
      return Promise.reject(end.error);
    }
    // Wait. Whatever a pause was for has been read.
    this.#resume();
    return new Promise<Uint8Array>((resolve, reject) => {
      const onAbort =
        signal === undefined
          ? undefined
          : () => {
              const reader = this.#reader;
              if (reader === undefined || reader.signal !== signal) return;
              this.#fail(reader, abortError(signal));
            };
      this.#reader = { buffer, count, partial, filled, resolve, reject, signal, onAbort };
      if (signal !== undefined && onAbort !== undefined) {
        signal.addEventListener("abort", onAbort, { once: true });
      }
    });
  }

  /**
   * Closes the stream (the reader gave up, e.g. a `DataReader` disposed without `detachStream()`):
   * a pending read rejects with `ERR_OBJECT_CLOSED`, buffered bytes and those that still arrive
   * are dropped, and the connection keeps reading. The socket stays open.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#discarding = true;
    this.#chunks = [];
    this.#head = 0;
    this.#offset = 0;
    this.#bytes = 0;
    const reader = this.#reader;
    if (reader !== undefined) {
      this.#detach(reader);
      reader.reject(
        new InvalidStateError("the input stream is closed", { code: "ERR_OBJECT_CLOSED" }),
      );
    }
    this.#resume();
  }

  /** Same as `close()`, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }

  // --- internals ---------------------------------------------------------------------------

  #enqueue(bytes: Uint8Array): void {
    this.#chunks.push(bytes);
    this.#bytes += bytes.length;
    if (!this.#paused && this.#bytes >= this.#highWaterMark) {
      this.#paused = true;
      this.#flow.pause();
    }
  }

  /** Copies up to `count - filled` queued bytes into `buffer` at `filled`; returns the new fill. */
  #take(buffer: Uint8Array, filled: number, count: number): number {
    let at = filled;
    while (at < count && this.#head < this.#chunks.length) {
      const chunk = this.#chunks[this.#head] as Uint8Array;
      const available = chunk.length - this.#offset;
      const n = Math.min(available, count - at);
      buffer.set(
        this.#offset === 0 && n === chunk.length
          ? chunk
          : chunk.subarray(this.#offset, this.#offset + n),
        at,
      );
      at += n;
      if (n === available) {
        this.#head++;
        this.#offset = 0;
      } else {
        this.#offset += n;
      }
    }
    if (this.#head === this.#chunks.length) {
      this.#chunks = [];
      this.#head = 0;
    } else if (this.#head > 1024) {
      this.#chunks = this.#chunks.slice(this.#head);
      this.#head = 0;
    }
    this.#bytes -= at - filled;
    if (this.#paused && this.#bytes <= this.#highWaterMark >>> 1) this.#resume();
    return at;
  }

  /** Bytes a failing read had already taken go back in front, so none are lost. */
  #unread(buffer: Uint8Array, filled: number): void {
    if (filled === 0 || this.#closed) return;
    const copy = buffer.slice(0, filled);
    if (this.#offset > 0) {
      const head = this.#chunks[this.#head] as Uint8Array;
      this.#chunks[this.#head] = head.subarray(this.#offset);
      this.#offset = 0;
    }
    this.#chunks.splice(this.#head, 0, copy);
    this.#bytes += filled;
  }

  #complete(reader: PendingRead): void {
    this.#detach(reader);
    // A waiting read takes what is queued too (a `none` read waiting for more than one piece).
    const filled = this.#take(reader.buffer, reader.filled, reader.count);
    reader.resolve(reader.buffer.subarray(0, filled));
  }

  #fail(reader: PendingRead, error: unknown): void {
    this.#detach(reader);
    this.#unread(reader.buffer, reader.filled);
    reader.reject(error);
  }

  #detach(reader: PendingRead): void {
    this.#reader = undefined;
    if (reader.signal !== undefined && reader.onAbort !== undefined) {
      reader.signal.removeEventListener("abort", reader.onAbort);
    }
  }

  #resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#flow.resume();
  }
}

/**
 * The error an aborted read rejects with: `TimeoutError` for a timeout reason (such as
 * `AbortSignal.timeout`), else `OperationCanceledError` — as the data package's streams do.
 */
function abortError(signal: AbortSignal): NetSocketsError {
  const reason: unknown = signal.reason;
  if (NetSocketsError.isInstance(reason)) return reason;
  return fromAbortReason(reason);
}
