/**
 * The chat server: one `node:http` server serves the page (`/`, `/chat.js`) and hands WebSocket
 * upgrades of `/ws` to a `MessageWebSocketListener` with `handleUpgrade`. Each accepted socket
 * feeds its text messages to {@link ChatRooms}; what the rooms answer goes back as JSON text.
 */
import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  type MessageWebSocket,
  MessageWebSocketListener,
  type MessageWebSocketMessageReceivedEventArgs,
  SocketMessageType,
} from "netsockets";
import { MAX_MESSAGE_BYTES, type ServerMessage } from "./chat-protocol.js";
import { ChatRooms } from "./chat-rooms.js";

/** The WebSocket endpoint's path. */
export const WS_PATH = "/ws";
/** Bad inputs a client may send before it is disconnected with 1008. */
export const MAX_ERRORS = 20;

/** The static files, served from `../public` (the same place from `src/` and from `dist/`). */
const PUBLIC = new URL("../public/", import.meta.url);
const FILES: Record<string, { file: string; type: string }> = {
  "/": { file: "index.html", type: "text/html; charset=utf-8" },
  "/index.html": { file: "index.html", type: "text/html; charset=utf-8" },
  "/chat.js": { file: "chat.js", type: "text/javascript; charset=utf-8" },
};

/** Options of {@link startChatServer}. */
export interface ChatServerOptions {
  /** Port (0: a free one). Default 0. */
  readonly port?: number;
  /** Address to bind. Default `127.0.0.1`. */
  readonly host?: string;
}

/** A running chat server. */
export interface ChatServer {
  /** `http://HOST:PORT/`: open it in a browser. */
  readonly url: string;
  readonly port: number;
  /** The rooms (for tests and tooling). */
  readonly rooms: ChatRooms;
  /** Closes every chat socket with 1001, then the HTTP server. */
  close(): Promise<void>;
}

async function serveFile(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = new URL(req.url ?? "/", "http://x").pathname;
  const entry = FILES[path];
  if (entry === undefined || (req.method !== "GET" && req.method !== "HEAD")) {
    res.writeHead(entry === undefined ? 404 : 405, { "content-type": "text/plain" });
    res.end(entry === undefined ? "not found\n" : "method not allowed\n");
    return;
  }
  const body = await readFile(new URL(entry.file, PUBLIC));
  res.writeHead(200, {
    "content-type": entry.type,
    "content-length": body.length,
    "cache-control": "no-cache",
    // The page runs only its own script and talks only to its own origin.
    "content-security-policy":
      "default-src 'self'; connect-src 'self' ws: wss:; style-src 'self' 'unsafe-inline'",
    "x-content-type-options": "nosniff",
  });
  res.end(req.method === "HEAD" ? undefined : body);
}

/** Connects one accepted socket to the rooms. */
function serveSocket(socket: MessageWebSocket, rooms: ChatRooms): void {
  let errors = 0;
  socket.addEventListener("messagereceived", (args: MessageWebSocketMessageReceivedEventArgs) => {
    let text: string;
    try {
      const reader = args.getDataReader();
      if (args.messageType !== SocketMessageType.utf8) {
        // "1003 indicates that an endpoint is terminating the connection because it has received
        // a type of data it cannot accept" — the chat speaks JSON text only.
        // @see https://www.rfc-editor.org/rfc/rfc6455#section-7.4.1
        socket.close(1003, "text messages only");
        return;
      }
      text = reader.readString(reader.unconsumedBufferLength);
    } catch {
      // The connection failed (lost, too big → 1009, invalid UTF-8 → 1007): it is ending.
      rooms.leave(socket);
      return;
    }
    if (rooms.receive(socket, text) !== undefined && ++errors >= MAX_ERRORS) {
      // Policy violation: a client that keeps sending bad input is disconnected.
      socket.close(1008, "too many bad messages");
    }
  });
  // A closing handshake (either side) or a loss: the member leaves, the others are told.
  socket.addEventListener("closed", () => rooms.leave(socket));
}

/** Starts the chat server and resolves once it listens. */
export async function startChatServer(options: ChatServerOptions = {}): Promise<ChatServer> {
  const host = options.host ?? "127.0.0.1";
  const sockets = new Set<MessageWebSocket>();
  const rooms = new ChatRooms({
    deliver: (client, message: ServerMessage) => {
      const socket = client as MessageWebSocket;
      socket.sendAsync(JSON.stringify(message)).catch(() => {
        // The socket is ending; its `closed` (or loss) removes it from its room.
      });
    },
  });

  const listener = new MessageWebSocketListener({
    messageType: SocketMessageType.utf8,
    maxMessageSize: MAX_MESSAGE_BYTES,
    upgradeHook: (request) =>
      new URL(request.url, "http://x").pathname === WS_PATH
        ? undefined
        : { accept: false, status: 404, reason: "not a WebSocket endpoint" },
  });
  listener.addEventListener("connectionreceived", ({ socket }) => {
    sockets.add(socket);
    socket.addEventListener("closed", () => sockets.delete(socket));
    serveSocket(socket, rooms);
  });

  const server = createServer((req, res) => {
    serveFile(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  server.on("upgrade", (req, socket, head) => listener.handleUpgrade(req, socket, head));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}/`,
    port,
    rooms,
    close() {
      closing ??= (async () => {
        await listener.close({ code: 1001, reason: "server shutting down" });
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      })();
      return closing;
    },
  };
}
