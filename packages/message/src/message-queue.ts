import type { MessageWebSocketMessageReceivedEventArgs } from "./message-received-event-args.js";

/** Queued messages at which the iterator pauses reading the socket. */
export const ITERATOR_HIGH_WATER_COUNT = 64;
/** Queued payload bytes at which the iterator pauses reading the socket. */
export const ITERATOR_HIGH_WATER_BYTES = 1024 * 1024;

/** What the queue does to the connection when it fills up and drains. */
export interface Flow {
  pause(): void;
  resume(): void;
}

interface QueueItem {
  readonly args: MessageWebSocketMessageReceivedEventArgs;
  readonly bytes: number;
}

interface Waiter {
  resolve(result: IteratorResult<MessageWebSocketMessageReceivedEventArgs>): void;
  reject(error: unknown): void;
}

/**
 * The consumer behind `for await (const args of socket)`: received messages wait here until the
 * loop takes them. It is bounded — at {@link ITERATOR_HIGH_WATER_COUNT} messages or
 * {@link ITERATOR_HIGH_WATER_BYTES} bytes the socket stops reading (TCP flow control then pushes
 * back on the peer), and it reads again once the loop has taken half of them. The end is queued
 * behind the messages: a clean close finishes the loop, a receive error throws from it.
 */
export class MessageQueue
  implements AsyncIterableIterator<MessageWebSocketMessageReceivedEventArgs>
{
  readonly #flow: Flow;
  readonly #onDetach: () => void;
  #items: (QueueItem | undefined)[] = [];
  #head = 0;
  #bytes = 0;
  #paused = false;
  #waiter: Waiter | undefined;
  /** Set once the connection ended: `null` for a clean close, else the error. */
  #end: { error: unknown } | null | undefined;
  #detached = false;

  constructor(flow: Flow, onDetach: () => void) {
    this.#flow = flow;
    this.#onDetach = onDetach;
  }

  /** Whether the loop stopped (`break`, `return`, or the end was delivered). */
  get detached(): boolean {
    return this.#detached;
  }

  /** A message arrived (`bytes`: its payload length). */
  push(args: MessageWebSocketMessageReceivedEventArgs, bytes: number): void {
    if (this.#detached || this.#end !== undefined) return;
    const waiter = this.#waiter;
    if (waiter !== undefined) {
      this.#waiter = undefined;
      waiter.resolve({ value: args, done: false });
      return;
    }
    this.#items.push({ args, bytes });
    this.#bytes += bytes;
    if (
      !this.#paused &&
      (this.#items.length - this.#head >= ITERATOR_HIGH_WATER_COUNT ||
        this.#bytes >= ITERATOR_HIGH_WATER_BYTES)
    ) {
      this.#paused = true;
      this.#flow.pause();
    }
  }

  /** The connection ended: cleanly (`error` undefined) or with a receive error. */
  end(error?: unknown): void {
    if (this.#detached || this.#end !== undefined) return;
    this.#end = error === undefined ? null : { error };
    // A pending next() means the queue is empty: hand it the end now; else next() will.
    if (this.#waiter !== undefined) void this.#deliverEnd();
  }

  next(): Promise<IteratorResult<MessageWebSocketMessageReceivedEventArgs>> {
    if (this.#waiter !== undefined) {
      return Promise.reject(new Error("next() called while a previous next() is pending"));
    }
    if (this.#head < this.#items.length) {
      const item = this.#items[this.#head] as QueueItem;
      this.#items[this.#head] = undefined;
      this.#head++;
      this.#bytes -= item.bytes;
      if (this.#head === this.#items.length) {
        this.#items = [];
        this.#head = 0;
      }
      this.#maybeResume();
      return Promise.resolve({ value: item.args, done: false });
    }
    if (this.#detached) return Promise.resolve({ value: undefined, done: true });
    if (this.#end !== undefined) return this.#deliverEnd();
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }

  /** `break` out of the loop: stop queueing and let the socket read again. */
  return(): Promise<IteratorResult<MessageWebSocketMessageReceivedEventArgs>> {
    this.#detach();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  #maybeResume(): void {
    if (
      this.#paused &&
      this.#items.length - this.#head <= ITERATOR_HIGH_WATER_COUNT / 2 &&
      this.#bytes <= ITERATOR_HIGH_WATER_BYTES / 2
    ) {
      this.#paused = false;
      this.#flow.resume();
    }
  }

  #deliverEnd(): Promise<IteratorResult<MessageWebSocketMessageReceivedEventArgs>> {
    const end = this.#end;
    this.#detach();
    const waiter = this.#waiter;
    this.#waiter = undefined;
    if (end === null || end === undefined) {
      waiter?.resolve({ value: undefined, done: true });
      return Promise.resolve({ value: undefined, done: true });
    }
    if (waiter !== undefined) {
      waiter.reject(end.error);
      return Promise.resolve({ value: undefined, done: true });
    }
    return Promise.reject(end.error);
  }

  #detach(): void {
    if (this.#detached) return;
    this.#detached = true;
    this.#items = [];
    this.#head = 0;
    this.#bytes = 0;
    if (this.#paused) {
      this.#paused = false;
      this.#flow.resume();
    }
    this.#onDetach();
  }
}
