/**
 * Real servers for connect tests, all on 127.0.0.1 port 0: a `ws` WebSocket server (plain or TLS)
 * whose upgrade can be intercepted (401 Basic auth, redirects, any HTTP status), and a listener
 * that accepts TCP but never answers.
 */
import { timingSafeEqual } from "node:crypto";
import { once } from "node:events";
import * as http from "node:http";
import * as https from "node:https";
import * as net from "node:net";
import type * as tls from "node:tls";
import { WebSocketServer, type ServerOptions as WsServerOptions } from "ws";

/** Tracks a server's sockets so tests can see them close and `close()` can end them. */
class SocketLog {
  readonly sockets = new Set<net.Socket>();
  readonly #waiters: ((socket: net.Socket) => void)[] = [];
  #pending: net.Socket[] = [];

  add(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on("close", () => this.sockets.delete(socket));
    socket.on("error", () => {});
    const waiter = this.#waiters.shift();
    if (waiter) waiter(socket);
    else this.#pending.push(socket);
  }

  /** The next accepted connection (or one accepted earlier that nobody asked for yet). */
  next(): Promise<net.Socket> {
    const socket = this.#pending.shift();
    if (socket) return Promise.resolve(socket);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  destroyAll(): void {
    for (const socket of this.sockets) socket.destroy();
  }
}

/** Resolves when `socket` has closed. */
export function closed(socket: net.Socket): Promise<void> {
  if (socket.destroyed && socket.closed) return Promise.resolve();
  return once(socket, "close").then(() => undefined);
}

async function listen(server: net.Server): Promise<number> {
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return (server.address() as net.AddressInfo).port;
}

/** Decides what to do with an upgrade request before `ws` sees it. */
export type UpgradeInterceptor = (
  request: http.IncomingMessage,
  socket: net.Socket,
) => "upgrade" | "handled";

/** Options of {@link startWsServer}. */
export interface WsServerStartOptions {
  /** Serve TLS with these options (key, cert, ca, requestCert …). */
  readonly tls?: tls.TlsOptions;
  /** Options for the `ws` server (`handleProtocols`, `perMessageDeflate` …). */
  readonly ws?: Omit<WsServerOptions, "server" | "noServer" | "port">;
  /** Runs first on every upgrade request. */
  readonly intercept?: UpgradeInterceptor;
}

/** A running WebSocket test server. */
export interface WsTestServer {
  readonly port: number;
  readonly wss: WebSocketServer;
  /** Every upgrade request received, in order. */
  readonly requests: http.IncomingMessage[];
  readonly connections: SocketLog;
  close(): Promise<void>;
}

/**
 * A `ws` server that greets each client with the text message "hello" and echoes what it gets.
 */
export async function startWsServer(options: WsServerStartOptions = {}): Promise<WsTestServer> {
  const server = options.tls ? https.createServer(options.tls) : http.createServer();
  const connections = new SocketLog();
  server.on(options.tls ? "secureConnection" : "connection", (s: net.Socket) => connections.add(s));
  server.on("tlsClientError", () => {});
  server.on("request", (_req, res) => {
    res.writeHead(426, { "content-type": "text/plain" }).end("upgrade required");
  });
  const wss = new WebSocketServer({ noServer: true, ...options.ws });
  wss.on("connection", (ws) => {
    ws.on("error", () => {});
    ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary }));
    ws.send("hello");
  });
  const requests: http.IncomingMessage[] = [];
  server.on("upgrade", (request: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    requests.push(request);
    socket.on("error", () => {});
    if (options.intercept?.(request, socket) === "handled") return;
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit("connection", ws, request));
  });
  const port = await listen(server);
  return {
    port,
    wss,
    requests,
    connections,
    async close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
      connections.destroyAll();
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Writes a complete HTTP response on a raw upgrade socket and ends it. */
export function respond(
  socket: net.Socket,
  statusCode: number,
  headers: Record<string, string> = {},
  body = "",
): void {
  const lines = [`HTTP/1.1 ${statusCode} ${http.STATUS_CODES[statusCode] ?? "Status"}`];
  for (const [name, value] of Object.entries({
    ...headers,
    "content-length": String(Buffer.byteLength(body)),
    connection: "close",
  })) {
    lines.push(`${name}: ${value}`);
  }
  socket.end(`${lines.join("\r\n")}\r\n\r\n${body}`);
}

/** Constant-time check of a Basic `Authorization` value (peers.md §3 S15). */
export function basicMatches(header: string | undefined, user: string, password: string): boolean {
  const expected = Buffer.from(`Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`);
  const given = Buffer.from(header ?? "");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** An interceptor that demands HTTP Basic auth: 401 with a challenge unless the header matches. */
export function requireBasicAuth(user: string, password: string): UpgradeInterceptor {
  return (request, socket) => {
    if (basicMatches(request.headers.authorization, user, password)) return "upgrade";
    respond(socket, 401, { "www-authenticate": 'Basic realm="netsockets", charset="UTF-8"' });
    return "handled";
  };
}

/** A listener that accepts TCP connections and never says a word. */
export interface SilentServer {
  readonly port: number;
  readonly connections: SocketLog;
  close(): Promise<void>;
}

/** Starts a {@link SilentServer}. */
export async function startSilentServer(): Promise<SilentServer> {
  const connections = new SocketLog();
  const server = net.createServer((socket) => {
    connections.add(socket);
    // Read (and drop) what arrives, so the client's FIN is seen and the socket closes.
    socket.resume();
  });
  const port = await listen(server);
  return {
    port,
    connections,
    async close() {
      connections.destroyAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A loopback port with nothing listening on it (bound, then released). */
export async function refusingPort(): Promise<number> {
  const server = net.createServer();
  const port = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Removes the proxy variables from this test process, so a CI machine's `HTTP(S)_PROXY` cannot
 * reroute loopback connections; tests that exercise the environment pass `env` explicitly.
 */
export function clearProxyEnvironment(): void {
  for (const name of [
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "NO_PROXY",
    "no_proxy",
  ]) {
    delete process.env[name];
  }
}
