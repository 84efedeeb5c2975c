import { once } from "node:events";
import {
  type TestServer as SharedTestServer,
  startTestServer,
} from "../../../tests/support/listeners.js";
import {
  MessageWebSocket,
  type MessageWebSocketControlOptions,
  MessageWebSocketListener,
  type MessageWebSocketListenerControlOptions,
  type MessageWebSocketMessageReceivedEventArgs,
} from "../src/index.js";

/** A bound listener on 127.0.0.1 and the sockets it accepted. */
export type TestServer = SharedTestServer<MessageWebSocketListener, MessageWebSocket>;

/**
 * Starts a listener on 127.0.0.1:0. `setup` runs inside `connectionreceived` for each accepted
 * socket (the place to add its listeners).
 */
export async function startServer(
  setup: (socket: MessageWebSocket) => void = () => {},
  options: MessageWebSocketListenerControlOptions = {},
  scheme: "ws" | "wss" = "ws",
): Promise<TestServer> {
  return startTestServer<MessageWebSocketListener, MessageWebSocket>(
    new MessageWebSocketListener(options),
    setup,
    scheme,
  );
}

/** An echo server: every message goes back with its type. */
export function echo(socket: MessageWebSocket): void {
  socket.addEventListener("messagereceived", (args) => {
    let data: Uint8Array;
    try {
      const reader = args.getDataReader();
      data = reader.readBuffer(reader.unconsumedBufferLength);
    } catch {
      return;
    }
    void socket.sendAsync(data, { messageType: args.messageType }).catch(() => {});
  });
}

/** Collects what arrives on a socket: messages as bytes, and the ending. */
export class Collector {
  readonly messages: { type: number; complete: boolean; data: Uint8Array }[] = [];
  readonly errors: unknown[] = [];
  /** The `messageType` of each error event. */
  readonly errorTypes: number[] = [];
  readonly closedEvents: { code: number; reason: string }[] = [];
  #waiters: { count: number; resolve: () => void }[] = [];
  #errorWaiters: (() => void)[] = [];
  #completeWaiters: (() => void)[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;

  constructor(socket: MessageWebSocket) {
    socket.addEventListener("messagereceived", (args) => this.#onMessage(args));
    this.closed = new Promise((resolve) => {
      socket.addEventListener("closed", ({ code, reason }) => {
        this.closedEvents.push({ code, reason });
        resolve({ code, reason });
      });
    });
  }

  #onMessage(args: MessageWebSocketMessageReceivedEventArgs): void {
    try {
      const reader = args.getDataReader();
      // Copy: a view may point into a larger buffer.
      this.messages.push({
        type: args.messageType,
        complete: args.isMessageComplete,
        data: reader.readBuffer(reader.unconsumedBufferLength).slice(),
      });
    } catch (error) {
      this.errors.push(error);
      this.errorTypes.push(args.messageType);
      for (const w of this.#errorWaiters.splice(0)) w();
    }
    if (this.messages.at(-1)?.complete) for (const w of this.#completeWaiters.splice(0)) w();
    this.#waiters = this.#waiters.filter((w) => {
      if (this.messages.length < w.count) return true;
      w.resolve();
      return false;
    });
  }

  /** Resolves once `count` messages arrived. */
  waitFor(count: number): Promise<void> {
    if (this.messages.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ count, resolve }));
  }

  /** Resolves once a complete message (or the last section of one) arrived. */
  waitForComplete(): Promise<void> {
    if (this.messages.at(-1)?.complete) return Promise.resolve();
    return new Promise((resolve) => this.#completeWaiters.push(resolve));
  }

  /** Resolves once a receive error arrived. */
  waitForError(): Promise<unknown> {
    if (this.errors.length > 0) return Promise.resolve(this.errors[0]);
    return new Promise((resolve) => this.#errorWaiters.push(() => resolve(this.errors[0])));
  }

  texts(): string[] {
    return this.messages.map((m) => new TextDecoder().decode(m.data));
  }
}

/** A client socket with `options`, connected to `url` with a collector attached first. */
export async function connectClient(
  url: string,
  options: MessageWebSocketControlOptions = {},
): Promise<{ socket: MessageWebSocket; received: Collector }> {
  const socket = new MessageWebSocket(options);
  const received = new Collector(socket);
  await socket.connectAsync(url);
  return { socket, received };
}

export { once };
