import type { ChunkSource } from "@netsockets/data";

/** What the buffer does to the connection when it fills up and drains. */
export interface InboundFlow {
  /** Stop reading from TCP (the driver's `pause`). */
  pause(): void;
  /** Read from TCP again (the driver's `resume`). */
  resume(): void;
}

interface Waiter {
  resolve(chunk: Uint8Array | null): void;
  reject(error: unknown): void;
}

/**
 * The receive side of a `StreamWebSocket`: the payload of the peer's binary messages, one
 * stream of bytes, waiting for `inputStream.readAsync` (a `PullInputStream` over this
 * {@link ChunkSource}).
 *
 * Theory of operation:
 *
 * ```
 *  driver onData(view) ──push──▶ [ views … ]  ──pull(max)──▶ PullInputStream ──copy once──▶ caller's buffer
 *                                 │ ≥ highWaterMark: flow.pause()  (the socket stops reading: TCP
 *                                 │                                 flow control stops the peer)
 *                                 └ ≤ highWaterMark / 2 after a pull: flow.resume()
 * ```
 *
 * The views the driver hands out are kept as they are (the protocol never reuses the memory
 * behind them), so bytes are copied exactly once, into the reader's buffer. Message boundaries
 * are not kept: the stream is the concatenation of the binary messages.
 *
 * The end is queued behind the bytes: after {@link finish} (a close) a pull returns the remaining
 * bytes and then `null` (end of stream); after {@link fail} (a loss, a violation) it returns the
 * remaining bytes and then rejects with the error. {@link discard} (the reader or the socket was
 * closed locally) drops what is buffered and everything that still arrives, and keeps the
 * connection reading so the closing handshake is never stuck behind unread data.
 */
export class InboundBuffer implements ChunkSource {
  readonly #flow: InboundFlow;
  #highWaterMark: number;
  #chunks: (Uint8Array | undefined)[] = [];
  #head = 0;
  #bytes = 0;
  #paused = false;
  #waiter: Waiter | undefined;
  /** `null` after a clean end, the error after a failure, `undefined` while open. */
  #end: { readonly error: unknown } | null | undefined;
  #discarding = false;

  constructor(flow: InboundFlow, highWaterMark: number) {
    this.#flow = flow;
    this.#highWaterMark = highWaterMark;
  }

  /** Sets the high-water mark (the socket does when its connection starts). */
  set highWaterMark(value: number) {
    this.#highWaterMark = value;
  }

  /** Bytes received and not yet pulled by the reader. */
  get bufferedBytes(): number {
    return this.#bytes;
  }

  /** Whether the reader (or the socket) gave up: incoming bytes are dropped. */
  get discarding(): boolean {
    return this.#discarding;
  }

  /** Received payload (a view the buffer may keep). */
  push(bytes: Uint8Array): void {
    if (this.#discarding || this.#end !== undefined || bytes.length === 0) return;
    const waiter = this.#waiter;
    if (waiter !== undefined) {
      // A reader is waiting and nothing is buffered: hand it over directly.
      this.#waiter = undefined;
      waiter.resolve(bytes);
      return;
    }
    this.#chunks.push(bytes);
    this.#bytes += bytes.length;
    if (!this.#paused && this.#bytes >= this.#highWaterMark) {
      this.#paused = true;
      this.#flow.pause();
    }
  }

  /** The clean end: after the buffered bytes, reads return end of stream. */
  finish(): void {
    if (this.#end !== undefined) return;
    this.#end = null;
    this.#settleWaiter();
  }

  /** A failure: after the buffered bytes, reads reject with `error`. */
  fail(error: unknown): void {
    if (this.#end !== undefined) return;
    this.#end = { error };
    this.#settleWaiter();
  }

  /**
   * The socket was closed locally: the bytes already buffered stay readable, then reads return
   * end of stream; bytes that still arrive are dropped, and the connection keeps reading so the
   * peer's close frame is seen at once.
   */
  stop(): void {
    this.#discarding = true;
    this.finish();
    this.#resume();
  }

  /** Drops everything buffered and everything that still arrives; the connection keeps reading. */
  discard(): void {
    this.#discarding = true;
    this.#chunks = [];
    this.#head = 0;
    this.#bytes = 0;
    this.#resume();
  }

  /** See {@link ChunkSource.pull}: the next received view (the reader keeps what it does not take). */
  pull(_max: number): Promise<Uint8Array | null> {
    if (this.#head < this.#chunks.length) {
      const chunk = this.#chunks[this.#head] as Uint8Array;
      this.#chunks[this.#head] = undefined;
      this.#head++;
      if (this.#head === this.#chunks.length) {
        this.#chunks = [];
        this.#head = 0;
      }
      this.#bytes -= chunk.length;
      if (this.#paused && this.#bytes <= this.#highWaterMark >>> 1) this.#resume();
      return Promise.resolve(chunk);
    }
    const end = this.#end;
    if (end === null) return Promise.resolve(null);
    if (end !== undefined) return Promise.reject(end.error);
    // Nothing buffered: whatever the pause was for has been read.
    this.#resume();
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }

  /** See {@link ChunkSource.release}: the input stream was closed. */
  release(): void {
    this.discard();
  }

  #resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#flow.resume();
  }

  #settleWaiter(): void {
    const waiter = this.#waiter;
    if (waiter === undefined || this.#head < this.#chunks.length) return;
    this.#waiter = undefined;
    const end = this.#end;
    if (end === null) waiter.resolve(null);
    else if (end !== undefined) waiter.reject(end.error);
  }
}
