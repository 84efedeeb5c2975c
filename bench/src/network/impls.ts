/**
 * The contenders of the network suite behind one small interface, for both ends: netsockets
 * (MessageWebSocket / MessageWebSocketListener, StreamWebSocket for bulk), ws (with or without its
 * native addons: the environment of the process decides, as ws reads it when it loads) and raw
 * `node:net` with length-prefixed framing (one write per message, or corked per tick).
 */
import { once } from "node:events";
import * as net from "node:net";
import { type DataReader, InputStreamOptions } from "@netsockets/data";
import { MessageWebSocket, MessageWebSocketListener, SocketMessageType } from "@netsockets/message";
import { StreamWebSocket, StreamWebSocketListener } from "@netsockets/stream";
import WebSocket, { WebSocketServer } from "ws";
import { FrameReader, FrameWriter } from "./framing.js";

/** Which code runs an end. `ws` is ws with or without addons (the environment decides). */
export type ImplId = "netsockets" | "stream" | "ws" | "tcp" | "tcp-cork";

/**
 * A received message: its length, and its bytes on demand (only the smoke test's checks read
 * them, so no implementation pays for a copy the others do not make).
 */
export type OnMessage = (length: number, bytes: () => Uint8Array) => void;

/** One client connection. */
export interface ClientConn {
  /** Sends one message: a string as text, bytes as binary. Fire and forget. */
  send(data: Uint8Array | string): void;
  /** Sends one binary message; resolves once its bytes reached the kernel (for flow control). */
  sendAwait(data: Uint8Array): Promise<void>;
  /** Closes (the closing handshake for WebSockets, FIN for TCP) and waits for the end. */
  close(): Promise<void>;
}

/** Client options. */
export interface ClientOptions {
  /** Largest message accepted; the default limits stay on unless a workload needs more. */
  readonly maxMessageSize?: number;
}

/** Default message limit on both ends (ws's default is 100 MiB; ours 64 MiB; both kept at 64). */
export const DEFAULT_MAX_MESSAGE = 64 * 1024 * 1024;

const noop = (): void => {};

/** Opens one client connection to `127.0.0.1:port`. */
export async function connectClient(
  impl: ImplId,
  port: number,
  onMessage: OnMessage,
  options: ClientOptions = {},
): Promise<ClientConn> {
  const max = options.maxMessageSize ?? DEFAULT_MAX_MESSAGE;
  const url = `ws://127.0.0.1:${port}/`;
  switch (impl) {
    case "netsockets":
    case "stream": {
      const socket = new MessageWebSocket({ proxy: false, maxMessageSize: max });
      socket.addEventListener("messagereceived", (args) => {
        let reader: DataReader;
        try {
          reader = args.getDataReader();
        } catch {
          return; // the connection ended (the server went away first): nothing to count
        }
        onMessage(reader.unconsumedBufferLength, () =>
          reader.readBuffer(reader.unconsumedBufferLength),
        );
      });
      const closed = new Promise<void>((resolve) =>
        socket.addEventListener("closed", () => resolve()),
      );
      await socket.connectAsync(url);
      return {
        send: (data) => {
          socket.sendAsync(data).catch(noop);
        },
        sendAwait: (data) => socket.sendAsync(data),
        close: async () => {
          socket.close(1000);
          await closed;
        },
      };
    }
    case "ws": {
      const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: max });
      ws.on("message", (data: Buffer) => onMessage(data.length, () => data));
      await once(ws, "open");
      return {
        send: (data) => ws.send(data, { binary: typeof data !== "string" }),
        sendAwait: (data) =>
          new Promise<void>((resolve, reject) =>
            ws.send(data, { binary: true }, (error) => (error ? reject(error) : resolve())),
          ),
        close: async () => {
          const closed = once(ws, "close");
          ws.close(1000);
          await closed;
        },
      };
    }
    default: {
      const socket = net.connect(port, "127.0.0.1");
      socket.setNoDelay(true);
      const reader = new FrameReader((data) => onMessage(data.length, () => data));
      socket.on("data", (chunk: Buffer) => reader.push(chunk));
      await once(socket, "connect");
      const writer = new FrameWriter(socket, impl === "tcp" ? "write" : "cork");
      return {
        send: (data) =>
          void (typeof data === "string"
            ? writer.write(Buffer.from(data), true)
            : writer.write(data, false)),
        sendAwait: (data) =>
          new Promise<void>((resolve, reject) =>
            writer.write(data, false, (error) => (error ? reject(error) : resolve())),
          ),
        close: async () => {
          const closed = once(socket, "close");
          socket.end();
          await closed;
        },
      };
    }
  }
}

/**
 * A StreamWebSocket client for the bulk workload: `write` resolves once the bytes reached the
 * kernel (each call awaited, as the stream engineer's bulk script does).
 */
export async function connectStreamClient(
  port: number,
  onAck: () => void,
): Promise<{ write(data: Uint8Array): Promise<void>; close(): Promise<void> }> {
  const socket = new StreamWebSocket({ proxy: false });
  const closed = new Promise<void>((resolve) => socket.addEventListener("closed", () => resolve()));
  await socket.connectAsync(`ws://127.0.0.1:${port}/`);
  void (async () => {
    const buffer = new Uint8Array(64);
    for (;;) {
      const bytes = await socket.inputStream.readAsync(
        buffer,
        buffer.length,
        InputStreamOptions.partial,
      );
      if (bytes.length === 0) return;
      for (let i = 0; i < bytes.length; i++) onAck();
    }
  })().catch(noop);
  return {
    write: async (data) => {
      await socket.outputStream.writeAsync(data);
    },
    close: async () => {
      socket.close(1000);
      await closed;
    },
  };
}

/** One accepted connection on the server end. */
export interface ServerConn {
  /** Sends one message (text when `text`), fire and forget. */
  send(data: Uint8Array, text: boolean): void;
}

/** What the server does with its connections and messages. */
export interface ServerHandlers {
  onConnection?(conn: ServerConn): void;
  onClose?(conn: ServerConn): void;
  /** A whole message; `data` is only valid during the call (copy to keep). */
  onMessage?(conn: ServerConn, data: Uint8Array, text: boolean): void;
  /**
   * Instead of `onMessage`, for a server that only counts: the length of each whole message, so
   * netsockets is not made to copy bytes nobody reads (`unconsumedBufferLength`, no `readBuffer`).
   */
  onLength?(conn: ServerConn, length: number): void;
  /** StreamWebSocket only: bytes as they arrive. */
  onBytes?(conn: ServerConn, length: number): void;
}

/** A listening server. */
export interface Server {
  readonly port: number;
  /** Connections currently open. */
  readonly connections: number;
}

/** Starts a server on 127.0.0.1, port 0. */
export async function listen(
  impl: ImplId,
  handlers: ServerHandlers,
  maxMessageSize: number = DEFAULT_MAX_MESSAGE,
): Promise<Server> {
  let connections = 0;
  switch (impl) {
    case "netsockets": {
      const listener = new MessageWebSocketListener({ maxMessageSize });
      listener.addEventListener("connectionreceived", ({ socket }) => {
        connections++;
        const conn: ServerConn = {
          send: (data, text) => {
            socket
              .sendAsync(data, {
                messageType: text ? SocketMessageType.utf8 : SocketMessageType.binary,
              })
              .catch(noop);
          },
        };
        socket.addEventListener("messagereceived", (args) => {
          let reader: DataReader;
          try {
            reader = args.getDataReader();
          } catch {
            return; // the connection ended (a client that went away): nothing to echo
          }
          if (handlers.onLength !== undefined) {
            handlers.onLength(conn, reader.unconsumedBufferLength);
            return;
          }
          // detachBuffer (WinRT's DataReader.DetachBuffer) hands over the bytes without a copy,
          // as ws hands its Buffer; readBuffer would copy them.
          handlers.onMessage?.(
            conn,
            reader.detachBuffer(),
            args.messageType === SocketMessageType.utf8,
          );
        });
        socket.addEventListener("closed", () => {
          connections--;
          handlers.onClose?.(conn);
        });
        handlers.onConnection?.(conn);
      });
      await listener.bindEndpointAsync("127.0.0.1", "0");
      return {
        port: Number(listener.information.localPort),
        get connections() {
          return connections;
        },
      };
    }
    case "stream": {
      const listener = new StreamWebSocketListener();
      listener.addEventListener("connectionreceived", ({ socket }) => {
        connections++;
        const conn: ServerConn = {
          send: (data) => {
            socket.outputStream.writeAsync(data).catch(noop);
          },
        };
        handlers.onConnection?.(conn);
        void (async () => {
          const buffer = new Uint8Array(256 * 1024);
          for (;;) {
            const bytes = await socket.inputStream.readAsync(
              buffer,
              buffer.length,
              InputStreamOptions.partial,
            );
            if (bytes.length === 0) break;
            handlers.onBytes?.(conn, bytes.length);
          }
        })()
          .catch(noop)
          .finally(() => {
            connections--;
            handlers.onClose?.(conn);
          });
      });
      await listener.bindEndpointAsync("127.0.0.1", "0");
      return {
        port: Number(listener.information.localPort),
        get connections() {
          return connections;
        },
      };
    }
    case "ws": {
      const server = new WebSocketServer({
        host: "127.0.0.1",
        port: 0,
        maxPayload: maxMessageSize,
        perMessageDeflate: false,
      });
      await once(server, "listening");
      server.on("connection", (ws) => {
        connections++;
        const conn: ServerConn = { send: (data, text) => ws.send(data, { binary: !text }) };
        ws.on("message", (data: Buffer, isBinary: boolean) => {
          if (handlers.onLength !== undefined) handlers.onLength(conn, data.length);
          else handlers.onMessage?.(conn, data, !isBinary);
        });
        ws.on("close", () => {
          connections--;
          handlers.onClose?.(conn);
        });
        ws.on("error", noop);
        handlers.onConnection?.(conn);
      });
      return {
        port: (server.address() as net.AddressInfo).port,
        get connections() {
          return connections;
        },
      };
    }
    default: {
      const mode = impl === "tcp" ? "write" : "cork";
      const server = net.createServer((socket) => {
        connections++;
        socket.setNoDelay(true);
        const writer = new FrameWriter(socket, mode);
        const conn: ServerConn = { send: (data, text) => void writer.write(data, text) };
        const reader = new FrameReader((data, text) => {
          if (handlers.onLength !== undefined) handlers.onLength(conn, data.length);
          else handlers.onMessage?.(conn, data, text);
        });
        socket.on("data", (chunk: Buffer) => reader.push(chunk));
        socket.on("end", () => socket.end());
        socket.on("error", noop);
        socket.on("close", () => {
          connections--;
          handlers.onClose?.(conn);
        });
        handlers.onConnection?.(conn);
      });
      server.listen(0, "127.0.0.1");
      await once(server, "listening");
      return {
        port: (server.address() as net.AddressInfo).port,
        get connections() {
          return connections;
        },
      };
    }
  }
}
