import {
  type AsyncOptions,
  type ByteSink,
  type IOutputStream,
  TrackedOutputStream,
} from "@netsockets/data";
import { InvalidArgumentError, InvalidStateError } from "@netsockets/errors";
import type { Driver } from "@netsockets/node";

/**
 * The largest frame a write is cut into (1 MiB). A write is ONE binary message; a large one
 * goes out as a fragmented message of frames of at most this size, framed one at a time as the
 * socket takes them, so a 4 GiB write never holds more than a frame (plus the high-water mark)
 * of framed — for a client, masked — bytes.
 */
export const MAX_FRAME_SIZE = 1024 * 1024;

/** What the output stream asks of its socket (internal). */
export interface OutboundOwner {
  /** The driver to send with, or the error a write gets now (not connected, closed). */
  driver(): Driver | Error;
}

interface QueuedWrite {
  readonly bytes: Uint8Array;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Turns writes into binary messages, one at a time (a message's frames must not interleave with
 * another's), each cut into frames of at most {@link MAX_FRAME_SIZE}. The next frame is framed
 * only while the driver is below its high-water mark (`outboundBufferSizeInBytes`); otherwise the
 * write waits for `onDrain`. A write resolves when its last frame reached the kernel.
 */
export class MessageFramer implements ByteSink {
  readonly #owner: OutboundOwner;
  readonly #queue: QueuedWrite[] = [];
  #busy = false;
  #drainWaiter: { resolve: () => void; reject: (error: unknown) => void } | undefined;

  constructor(owner: OutboundOwner) {
    this.#owner = owner;
  }

  /** See {@link ByteSink.write}. An empty write sends nothing and resolves after earlier writes. */
  write(bytes: Uint8Array): Promise<void> {
    const driver = this.#owner.driver();
    if (driver instanceof Error) return Promise.reject(driver);
    if (!this.#busy) return this.#send(driver, bytes);
    return new Promise((resolve, reject) => {
      this.#queue.push({ bytes, resolve, reject });
    });
  }

  /** The driver's `onDrain`: a write waiting to frame more continues. */
  drained(): void {
    const waiter = this.#drainWaiter;
    this.#drainWaiter = undefined;
    waiter?.resolve();
  }

  /** The connection ended: a write waiting for room fails with `error` (the driver rejects the rest). */
  ended(error: unknown): void {
    const waiter = this.#drainWaiter;
    this.#drainWaiter = undefined;
    waiter?.reject(error);
  }

  /** Nothing to end: closing the output stream does not close the socket. */
  end(): void {}

  async #send(driver: Driver, bytes: Uint8Array): Promise<void> {
    this.#busy = true;
    try {
      await this.#sendMessage(driver, bytes);
    } finally {
      this.#next();
    }
  }

  #next(): void {
    const item = this.#queue.shift();
    if (item === undefined) {
      this.#busy = false;
      return;
    }
    const driver = this.#owner.driver();
    if (driver instanceof Error) {
      item.reject(driver);
      this.#next();
      return;
    }
    this.#send(driver, item.bytes).then(item.resolve, item.reject);
  }

  async #sendMessage(driver: Driver, bytes: Uint8Array): Promise<void> {
    const length = bytes.length;
    if (length === 0) return;
    let offset = 0;
    for (;;) {
      const end = Math.min(length, offset + MAX_FRAME_SIZE);
      const fin = end === length;
      // The first frame (binary, FIN per size) goes to the connection synchronously, inside the
      // writeAsync call; the rest follow as the kernel takes the earlier ones.
      const sent = driver.sendBinary(offset === 0 && fin ? bytes : bytes.subarray(offset, end), {
        fin,
      });
      offset = end;
      if (fin) {
        await sent;
        return;
      }
      // A rejected frame rejects the whole write (through the last await, or here).
      sent.catch(() => {});
      if (!driver.writable) await this.#waitForDrain(driver);
      // close() while the message is half sent: its remaining frames are not sent (the peer
      // sees our close frame after the partial message) and the write fails.
      const current = this.#owner.driver();
      if (current instanceof Error) throw current;
    }
  }

  #waitForDrain(driver: Driver): Promise<void> {
    if (driver.state === "closed") {
      // The next sendBinary rejects with why the connection ended.
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      this.#drainWaiter = { resolve, reject };
    });
  }
}

/**
 * `StreamWebSocket.outputStream`: every `writeAsync` sends its bytes as one binary message (in
 * frames of at most {@link MAX_FRAME_SIZE}) and resolves with the byte count when they reached
 * the kernel. `flushAsync` waits for every earlier write. Before connect both fail with
 * `InvalidStateError` (`ERR_INVALID_STATE`, `E_ILLEGAL_METHOD_CALL`); after the socket or this
 * stream was closed with `ERR_OBJECT_CLOSED` (`RO_E_CLOSED`), as reference §4.6 lists. Closing
 * this stream (a `DataWriter` disposed without `detachStream()`) does not close the socket.
 */
export class StreamOutputStream implements IOutputStream, Disposable {
  readonly #owner: OutboundOwner;
  readonly #tracked: TrackedOutputStream;
  #closed = false;

  constructor(owner: OutboundOwner, framer: MessageFramer) {
    this.#owner = owner;
    this.#tracked = new TrackedOutputStream(framer);
  }

  /** Sends `bytes` as one binary message; resolves with `bytes.length` once in the kernel. */
  writeAsync(bytes: Uint8Array, opts: AsyncOptions = {}): Promise<number> {
    if (this.#closed) return Promise.reject(streamClosed());
    if (!(bytes instanceof Uint8Array)) {
      return Promise.reject(new InvalidArgumentError("bytes must be a Uint8Array"));
    }
    const state = this.#owner.driver();
    if (state instanceof Error) return Promise.reject(state);
    return this.#tracked.writeAsync(bytes, opts);
  }

  /** Resolves `true` once every earlier write reached the kernel, `false` if one of them failed. */
  flushAsync(opts: AsyncOptions = {}): Promise<boolean> {
    if (this.#closed) return Promise.reject(streamClosed());
    const state = this.#owner.driver();
    if (state instanceof Error) return Promise.reject(state);
    return this.#tracked.flushAsync(opts);
  }

  /** Closes this stream (not the socket): later writes fail with `ERR_OBJECT_CLOSED`. */
  close(): void {
    this.#closed = true;
  }

  /** Same as `close()`, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }
}

function streamClosed(): InvalidStateError {
  return new InvalidStateError("the output stream is closed", { code: "ERR_OBJECT_CLOSED" });
}
