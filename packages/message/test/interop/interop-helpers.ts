/**
 * Helpers of the interop tests: a MessageWebSocket client whose received messages queue up in
 * an inbox, and a listener of ours that echoes (apps/echo-server's `echoMessages`) and records
 * how each accepted socket closed.
 */
import { echoMessages } from "../../../../apps/echo-server/src/echo-server.js";
import {
  MessageWebSocket,
  type MessageWebSocketControlOptions,
  MessageWebSocketListener,
  SocketMessageType,
} from "../../src/index.js";

/** One received message. */
export interface Received {
  readonly type: SocketMessageType;
  readonly bytes: Uint8Array;
  readonly text: string;
}

/** A connected client and what it received. */
export interface Client {
  readonly socket: MessageWebSocket;
  /** The next message (in arrival order). */
  next(): Promise<Received>;
  /** The `closed` event's code and reason. */
  readonly closed: Promise<{ code: number; reason: string }>;
}

/** Connects a MessageWebSocket to `url`, queueing what it receives. */
export async function connectClient(
  url: string,
  options: MessageWebSocketControlOptions = {},
): Promise<Client> {
  const socket = new MessageWebSocket({ maxMessageSize: 64 * 1024 * 1024, ...options });
  const queue: Received[] = [];
  const waiters: ((r: Received) => void)[] = [];
  socket.addEventListener("messagereceived", (args) => {
    const reader = args.getDataReader();
    const bytes = reader.readBuffer(reader.unconsumedBufferLength);
    const received = { type: args.messageType, bytes, text: Buffer.from(bytes).toString("utf8") };
    const waiter = waiters.shift();
    if (waiter) waiter(received);
    else queue.push(received);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.addEventListener("closed", (args) => resolve({ code: args.code, reason: args.reason })),
  );
  await socket.connectAsync(url);
  return {
    socket,
    closed,
    next: () => {
      const ready = queue.shift();
      return ready ? Promise.resolve(ready) : new Promise((resolve) => waiters.push(resolve));
    },
  };
}

/** 16 MiB of a repeating 0…255 pattern. */
export function sixteenMiB(): Uint8Array {
  const bytes = new Uint8Array(16 * 1024 * 1024);
  for (let i = 0; i < 256; i++) bytes[i] = i;
  for (let filled = 256; filled < bytes.length; filled *= 2) {
    bytes.copyWithin(filled, 0, Math.min(filled, bytes.length - filled));
  }
  return bytes;
}

/** Sends a message in frames with `sendNonfinalFrameAsync` / `sendFinalFrameAsync`. */
export async function sendFragmented(
  socket: MessageWebSocket,
  type: SocketMessageType,
  parts: readonly Uint8Array[],
): Promise<void> {
  socket.control.messageType = type;
  let last: Promise<number> = Promise.resolve(0);
  parts.forEach((part, i) => {
    last =
      i === parts.length - 1
        ? socket.sendFinalFrameAsync(part)
        : socket.sendNonfinalFrameAsync(part);
  });
  await last;
}

/** Our echo listener on 127.0.0.1 with `chat.v1`, and how its sockets closed. */
export interface OurServer {
  readonly url: string;
  readonly closes: Promise<{ code: number; reason: string }>[];
  close(): Promise<void>;
}

/** Starts {@link OurServer} (`wss://` with `tls`). */
export async function startOurServer(tls?: {
  readonly cert: string;
  readonly key: string;
}): Promise<OurServer> {
  const listener = new MessageWebSocketListener({
    supportedProtocols: ["chat.v1"],
    maxMessageSize: 64 * 1024 * 1024,
    ...(tls === undefined ? {} : { serverCertificate: tls }),
  });
  const closes: Promise<{ code: number; reason: string }>[] = [];
  listener.addEventListener("connectionreceived", ({ socket }) => {
    echoMessages(socket);
    closes.push(
      new Promise((resolve) =>
        socket.addEventListener("closed", (args) =>
          resolve({ code: args.code, reason: args.reason }),
        ),
      ),
    );
  });
  await listener.bindEndpointAsync("127.0.0.1", 0);
  return {
    url: `${tls === undefined ? "ws" : "wss"}://127.0.0.1:${listener.information.localPort}/`,
    closes,
    close: () => listener.close(),
  };
}

export { SocketMessageType };
