import type { Socket } from "node:net";

/**
 * The write path of the driver: wire bytes from the Connection go out in one corked write per
 * tick, and send promises resolve when their bytes were handed to the kernel.
 *
 * Theory of operation:
 *
 * ```
 *  Connection.dataToSend() ──push()──▶ [ queue ] ──flush (microtask)──▶ socket.cork(); write…; uncork()
 *        queuedBytes ▲                               handedBytes ▲         │  one writev
 *                    │                                             write callback of the last piece
 *  whenWritten(mark) ┘  resolves once writtenBytes ≥ mark  ◀──────────────── writtenBytes += batch
 * ```
 *
 * - Every byte gets a position in one monotonically growing count. A send's promise waits for
 *   the position just past its last byte (its "mark"), so promises resolve in order and never
 *   before their bytes left user space, whatever the batching.
 * - Pieces are handed to the socket only while fewer than `highWaterMark` bytes are in flight in
 *   the socket's own buffer (always at least one piece when none are). That makes
 *   `outboundBufferSizeInBytes` the point at which sends start to wait — Node has no SO_SNDBUF
 *   setter — and keeps the socket buffer bounded; the rest waits here, already framed.
 * - Flushing is deferred to a microtask so that everything one tick produced (several sends, a
 *   pong, a close echo) leaves in one `writev` system call.
 */
export class OutputQueue {
  readonly #socket: Socket;
  readonly #highWaterMark: number;
  readonly #onProgress: (written: number) => void;

  #pieces: (Uint8Array | undefined)[] = [];
  #head = 0;
  #queuedBytes = 0;
  #handedBytes = 0;
  #writtenBytes = 0;
  #flushScheduled = false;
  #unbounded = false;
  #waiters: { mark: number; resolve: () => void; reject: (error: unknown) => void }[] = [];
  #waiterHead = 0;
  #afterFlush: (() => void) | undefined;
  /** Set by {@link OutputQueue.abandon}: what later sends reject with. */
  #abandoned: { readonly error: unknown } | undefined;

  /**
   * `onProgress(bytes)` runs after each completed write with the number of bytes the kernel took.
   */
  constructor(socket: Socket, highWaterMark: number, onProgress: (written: number) => void) {
    this.#socket = socket;
    this.#highWaterMark = Math.max(1, highWaterMark);
    this.#onProgress = onProgress;
  }

  /** Bytes accepted but not yet handed to the kernel (queued here or in the socket's buffer). */
  get bufferedAmount(): number {
    return this.#queuedBytes - this.#writtenBytes;
  }

  /** Total bytes the kernel has taken. */
  get writtenBytes(): number {
    return this.#writtenBytes;
  }

  /** The high-water mark in bytes. */
  get highWaterMark(): number {
    return this.#highWaterMark;
  }

  /** Queues wire pieces (in order) and schedules a flush. Returns the mark past the last byte. */
  push(pieces: readonly Uint8Array[]): number {
    if (this.#abandoned !== undefined) {
      // The socket is gone: nothing more goes out (and nothing is kept); a mark no write can
      // reach makes `whenWritten` reject.
      return pieces.some((piece) => piece.byteLength > 0)
        ? Number.POSITIVE_INFINITY
        : this.#queuedBytes;
    }
    for (const piece of pieces) {
      if (piece.byteLength === 0) continue;
      this.#pieces.push(piece);
      this.#queuedBytes += piece.byteLength;
    }
    if (this.#head < this.#pieces.length) this.#scheduleFlush();
    return this.#queuedBytes;
  }

  /** The mark past the last byte queued so far. */
  get mark(): number {
    return this.#queuedBytes;
  }

  /** A promise that resolves once every byte before `mark` was handed to the kernel. */
  whenWritten(mark: number): Promise<void> {
    if (mark <= this.#writtenBytes) return Promise.resolve();
    // A send whose bytes came after the end (an extension finished encoding late) never waits.
    if (this.#abandoned !== undefined) return Promise.reject(this.#abandoned.error);
    return new Promise((resolve, reject) => {
      this.#waiters.push({ mark, resolve, reject });
    });
  }

  /**
   * Hands everything queued to the socket regardless of the high-water mark and runs `then` once
   * the kernel has taken it all (immediately when nothing is pending). Used before ending TCP.
   */
  drainAll(then: () => void): void {
    this.#unbounded = true;
    if (this.bufferedAmount === 0) {
      then();
      return;
    }
    this.#afterFlush = then;
    this.#flush();
  }

  /** Rejects every waiting send with `error` and drops the queue (the socket is gone). */
  abandon(error: unknown): void {
    this.#abandoned ??= { error };
    const waiters = this.#waiters;
    for (let i = this.#waiterHead; i < waiters.length; i++) waiters[i]?.reject(error);
    this.#waiters = [];
    this.#waiterHead = 0;
    this.#pieces = [];
    this.#head = 0;
    this.#afterFlush = undefined;
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    queueMicrotask(() => {
      this.#flushScheduled = false;
      this.#flush();
    });
  }

  #flush(): void {
    const socket = this.#socket;
    if (socket.destroyed || socket.writableEnded) return;
    const batch: Uint8Array[] = [];
    let batchBytes = 0;
    const inFlight = this.#handedBytes - this.#writtenBytes;
    while (this.#head < this.#pieces.length) {
      if (!this.#unbounded && inFlight + batchBytes >= this.#highWaterMark) break;
      const piece = this.#pieces[this.#head] as Uint8Array;
      this.#pieces[this.#head] = undefined;
      this.#head++;
      batch.push(piece);
      batchBytes += piece.byteLength;
    }
    if (this.#head === this.#pieces.length) {
      this.#pieces = [];
      this.#head = 0;
    }
    if (batch.length === 0) return;
    this.#handedBytes += batchBytes;
    // One corked batch becomes one writev; the callback of the last piece fires once the
    // whole batch is in the kernel.
    socket.cork();
    const last = batch.length - 1;
    for (let i = 0; i < last; i++) socket.write(batch[i] as Uint8Array);
    socket.write(batch[last] as Uint8Array, (error) => {
      // Node 20 calls the callback of a write in flight with `null` once the socket is destroyed
      // (stream_base_commons `onWriteComplete`: "if (stream.destroyed) callback(null)"), also
      // when closing cancelled it (ECANCELED after an ECONNRESET). Only a callback on a live
      // socket proves the kernel took the bytes; otherwise the sends stay waiting and the
      // driver rejects them with the loss.
      if (error == null && !socket.destroyed) this.#onWritten(batchBytes);
    });
    socket.uncork();
  }

  #onWritten(bytes: number): void {
    this.#writtenBytes += bytes;
    const waiters = this.#waiters;
    while (this.#waiterHead < waiters.length) {
      const waiter = waiters[this.#waiterHead] as (typeof waiters)[number];
      if (waiter.mark > this.#writtenBytes) break;
      waiters[this.#waiterHead] = undefined as never;
      this.#waiterHead++;
      waiter.resolve();
    }
    if (this.#waiterHead === waiters.length) {
      this.#waiters = [];
      this.#waiterHead = 0;
    }
    this.#onProgress(bytes);
    if (this.#head < this.#pieces.length) this.#flush();
    else if (this.bufferedAmount === 0 && this.#afterFlush !== undefined) {
      const then = this.#afterFlush;
      this.#afterFlush = undefined;
      then();
    }
  }
}
