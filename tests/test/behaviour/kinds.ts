// The two socket kinds behind one small interface, so the same behaviour suite drives both:
// a client that sends byte payloads and receives the concatenation of what comes back, and a
// server that echoes (a MessageWebSocketListener echoing each message with its type, a
// StreamWebSocketListener echoing the bytes it reads).
import {
  MessageWebSocket,
  type MessageWebSocketControlOptions,
  MessageWebSocketListener,
  type MessageWebSocketMessageReceivedEventArgs,
} from "@netsockets/message";
import {
  StreamWebSocket,
  type StreamWebSocketControlOptions,
  StreamWebSocketListener,
} from "@netsockets/stream";

/** InputStreamOptions.partial (the tests workspace does not depend on @netsockets/data). */
const PARTIAL = 1;

/** Client settings every kind accepts. */
export interface ClientOptions {
  readonly ca?: string;
  readonly proxy?: string | false;
}

/** How a connection ended, as the application sees it. */
export type Ending =
  | { readonly kind: "end" } // end of data after a close
  | { readonly kind: "error"; readonly error: { readonly code?: string } };

/** One connected endpoint, of either kind. */
export interface Endpoint {
  /** Sends `bytes` (one message); resolves when they reached the kernel. */
  send(bytes: Uint8Array): Promise<void>;
  /** Resolves with the next `n` received bytes (across messages). */
  receive(n: number): Promise<Uint8Array>;
  /** Reads until the end: everything that still came, and how it ended. */
  drain(): Promise<{ bytes: number; ending: Ending }>;
  close(code?: number, reason?: string): void;
  /** The `closed` events raised so far. */
  readonly closedEvents: readonly { code: number; reason: string }[];
  /** Resolves with the first `closed` event. */
  readonly closed: Promise<{ code: number; reason: string }>;
  /** Bytes sent but not yet in the kernel. */
  readonly bufferedAmount: number;
}

/** A server of one kind. */
export interface KindServer {
  readonly port: number;
  /** The accepted endpoints, in order. */
  readonly accepted: Endpoint[];
  nextEndpoint(): Promise<Endpoint>;
  close(): Promise<void>;
}

/** A socket kind. */
export interface SocketKind {
  readonly name: string;
  /** Starts a server on 127.0.0.1:0; `echo` makes it echo what it receives. */
  listen(options: { tls?: { key: string; cert: string }; echo: boolean }): Promise<KindServer>;
  connect(url: string, options: ClientOptions): Promise<Endpoint>;
}

// --- shared byte queue ---------------------------------------------------------------------

class Received {
  #chunks: Uint8Array[] = [];
  #bytes = 0;
  #waiters: (() => void)[] = [];
  push(bytes: Uint8Array): void {
    this.#chunks.push(bytes.slice());
    this.#bytes += bytes.length;
    for (const wake of this.#waiters.splice(0)) wake();
  }
  get bytes(): number {
    return this.#bytes;
  }
  take(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let offset = 0;
    while (offset < n) {
      const chunk = this.#chunks[0] as Uint8Array;
      const k = Math.min(chunk.length, n - offset);
      out.set(chunk.subarray(0, k), offset);
      offset += k;
      if (k === chunk.length) this.#chunks.shift();
      else this.#chunks[0] = chunk.subarray(k);
    }
    this.#bytes -= n;
    return out;
  }
  wait(): Promise<void> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }
}

function recordClosed(socket: MessageWebSocket | StreamWebSocket) {
  const closedEvents: { code: number; reason: string }[] = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    const onClosed = ({ code, reason }: { code: number; reason: string }) => {
      closedEvents.push({ code, reason });
      resolve({ code, reason });
    };
    // The two classes have the same `closed` event; TypeScript cannot call a union of overloads.
    if (socket instanceof MessageWebSocket) socket.addEventListener("closed", onClosed);
    else socket.addEventListener("closed", onClosed);
  });
  return { closedEvents, closed };
}

// --- stream --------------------------------------------------------------------------------

function streamEndpoint(socket: StreamWebSocket): Endpoint {
  const { closedEvents, closed } = recordClosed(socket);
  const buffer = new Uint8Array(256 * 1024);
  const read = () => socket.inputStream.readAsync(buffer, buffer.length, PARTIAL);
  let leftover: Uint8Array = new Uint8Array(0);
  return {
    send: (bytes) => socket.outputStream.writeAsync(bytes).then(() => undefined),
    async receive(n) {
      const out = new Uint8Array(n);
      let offset = 0;
      while (offset < n) {
        if (leftover.length === 0) {
          const bytes = await read();
          if (bytes.length === 0) throw new Error(`end of stream after ${offset} of ${n} bytes`);
          leftover = bytes.slice();
        }
        const k = Math.min(leftover.length, n - offset);
        out.set(leftover.subarray(0, k), offset);
        leftover = leftover.subarray(k);
        offset += k;
      }
      return out;
    },
    async drain() {
      let bytes = leftover.length;
      leftover = new Uint8Array(0);
      try {
        for (;;) {
          const chunk = await read();
          if (chunk.length === 0) return { bytes, ending: { kind: "end" } };
          bytes += chunk.length;
        }
      } catch (error) {
        return { bytes, ending: { kind: "error", error: error as { code?: string } } };
      }
    },
    close: (code, reason) => socket.close(code, reason),
    closedEvents,
    closed,
    get bufferedAmount() {
      return socket.bufferedAmount;
    },
  };
}

function streamEcho(socket: StreamWebSocket): void {
  void (async () => {
    const buffer = new Uint8Array(256 * 1024);
    try {
      for (;;) {
        const bytes = await socket.inputStream.readAsync(buffer, buffer.length, PARTIAL);
        if (bytes.length === 0) break;
        await socket.outputStream.writeAsync(bytes.slice());
      }
    } catch {
      // The connection ended; the client side is what the tests look at.
    }
  })();
}

export const streamKind: SocketKind = {
  name: "StreamWebSocket",
  async listen({ tls, echo }) {
    const listener = new StreamWebSocketListener(
      tls === undefined ? {} : { serverCertificate: { key: tls.key, cert: tls.cert } },
    );
    return serve(listener, (socket) => {
      const endpoint = streamEndpoint(socket as StreamWebSocket);
      if (echo) streamEcho(socket as StreamWebSocket);
      return endpoint;
    });
  },
  async connect(url, options) {
    const control: StreamWebSocketControlOptions = {
      proxy: options.proxy ?? false,
      ...(options.ca === undefined ? {} : { ca: options.ca }),
    };
    const socket = new StreamWebSocket(control);
    const endpoint = streamEndpoint(socket); // `closed` listener before connect
    await socket.connectAsync(url);
    return endpoint;
  },
};

// --- message -------------------------------------------------------------------------------

function messageEndpoint(socket: MessageWebSocket): Endpoint {
  const { closedEvents, closed } = recordClosed(socket);
  // Iteration (set up before connect / inside connectionreceived) gives receive backpressure.
  const iterator = socket[Symbol.asyncIterator]();
  const received = new Received();
  let ending: Ending | undefined;
  let pulling: Promise<void> | undefined;
  const pull = (): Promise<void> => {
    pulling ??= iterator.next().then(
      (result: IteratorResult<MessageWebSocketMessageReceivedEventArgs>) => {
        pulling = undefined;
        if (result.done) {
          ending = { kind: "end" };
          return;
        }
        const reader = result.value.getDataReader();
        received.push(reader.readBuffer(reader.unconsumedBufferLength));
      },
      (error: unknown) => {
        pulling = undefined;
        ending = { kind: "error", error: error as { code?: string } };
      },
    );
    return pulling;
  };
  return {
    send: (bytes) => socket.sendAsync(bytes),
    async receive(n) {
      while (received.bytes < n) {
        if (ending !== undefined) throw new Error(`ended after ${received.bytes} of ${n} bytes`);
        await pull();
      }
      return received.take(n);
    },
    async drain() {
      while (ending === undefined) await pull();
      const bytes = received.bytes;
      received.take(bytes);
      return { bytes, ending };
    },
    close: (code, reason) => socket.close(code, reason),
    closedEvents,
    closed,
    get bufferedAmount() {
      return socket.bufferedAmount;
    },
  };
}

function messageEcho(socket: MessageWebSocket): void {
  socket.addEventListener("messagereceived", (args) => {
    try {
      const reader = args.getDataReader();
      const data = reader.readBuffer(reader.unconsumedBufferLength);
      void socket.sendAsync(data, { messageType: args.messageType }).catch(() => {});
    } catch {
      // A receive error (the connection ended).
    }
  });
}

export const messageKind: SocketKind = {
  name: "MessageWebSocket",
  async listen({ tls, echo }) {
    const listener = new MessageWebSocketListener(
      tls === undefined ? {} : { serverCertificate: { key: tls.key, cert: tls.cert } },
    );
    return serve(listener, (socket) => {
      const message = socket as MessageWebSocket;
      // An echo server reacts to each message; a plain server consumes by iteration.
      if (echo) {
        messageEcho(message);
        const { closedEvents, closed } = recordClosed(message);
        return {
          send: (bytes) => message.sendAsync(bytes),
          receive: () => Promise.reject(new Error("an echo server does not receive")),
          drain: () => Promise.reject(new Error("an echo server does not drain")),
          close: (code, reason) => message.close(code, reason),
          closedEvents,
          closed,
          get bufferedAmount() {
            return message.bufferedAmount;
          },
        };
      }
      return messageEndpoint(message);
    });
  },
  async connect(url, options) {
    const control: MessageWebSocketControlOptions = {
      proxy: options.proxy ?? false,
      ...(options.ca === undefined ? {} : { ca: options.ca }),
    };
    const socket = new MessageWebSocket(control);
    const endpoint = messageEndpoint(socket);
    await socket.connectAsync(url);
    return endpoint;
  },
};

// --- listeners -----------------------------------------------------------------------------

type AnyListener = MessageWebSocketListener | StreamWebSocketListener;

async function serve(
  listener: AnyListener,
  adopt: (socket: MessageWebSocket | StreamWebSocket) => Endpoint,
): Promise<KindServer> {
  const accepted: Endpoint[] = [];
  let waiters: ((endpoint: Endpoint) => void)[] = [];
  (listener as StreamWebSocketListener).addEventListener(
    "connectionreceived",
    ({ socket }: { socket: MessageWebSocket | StreamWebSocket }) => {
      const endpoint = adopt(socket);
      accepted.push(endpoint);
      for (const wake of waiters.splice(0)) wake(endpoint);
      waiters = [];
    },
  );
  await listener.bindEndpointAsync("127.0.0.1", 0);
  return {
    port: listener.information.localPort as number,
    accepted,
    nextEndpoint: () =>
      accepted.length > 0
        ? Promise.resolve(accepted[accepted.length - 1] as Endpoint)
        : new Promise((resolve) => waiters.push(resolve)),
    close: () => listener.close({ timeoutMs: 1000 }),
  };
}
