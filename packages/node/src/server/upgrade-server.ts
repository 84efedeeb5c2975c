import { once } from "node:events";
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
  STATUS_CODES,
} from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import type { Duplex } from "node:stream";
import { TLSSocket } from "node:tls";
import { InvalidArgumentError, InvalidStateError } from "@netsockets/errors";
import {
  buildAcceptHeaders,
  type ExtensionOffer,
  formatExtensionHeader,
  validateClientRequest,
} from "@netsockets/protocol";
import { createDriver, type Driver } from "../driver/driver.js";
import type { DriverConnection, DriverHandler, DriverOptions } from "../driver/driver-types.js";
import { Timer } from "../driver/timer.js";
import { checkOrigin } from "./origin-policy.js";
import type {
  AcceptedUpgrade,
  UpgradeRequest,
  UpgradeServerCloseOptions,
  UpgradeServerOptions,
} from "./upgrade-server-types.js";

/** Default time allowed from connection to 101. */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;
/** Default limit on the request head, in bytes (Node's own default). */
export const DEFAULT_MAX_HEADER_SIZE = 16 * 1024;
/** Default limit on the number of request headers. */
export const DEFAULT_MAX_HEADERS_COUNT = 100;
/** Default time a graceful close waits before destroying what is still open. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;

/** A refusal: status, body and extra headers. */
interface Refusal {
  readonly status: number;
  readonly reason: string;
  readonly headers?: Readonly<Record<string, string>> | undefined;
}

/**
 * The role-neutral upgrade server that `MessageWebSocketListener` and `StreamWebSocketListener`
 * wrap: it listens on its own (`ws://` or `wss://`) or takes upgrades from an existing
 * `http`/`https` server through {@link UpgradeServer.handleUpgrade}, validates each request
 * (RFC 6455 §4.2.1), applies the origin policy and the accept/refuse hook, writes the 101, and
 * hands the socket on. It also enforces handshake limits and performs the graceful close.
 *
 * Refusals: 400 (invalid request, with the reason as body), 405 (not GET), 426 with
 * `Sec-WebSocket-Version: 13`, 403 (origin refused), 431 (too many or too large headers), 503
 * (shutting down), or the hook's status; the socket is closed after the answer.
 *
 * @example
 * ```ts
 * const server = new UpgradeServer({
 *   supportedProtocols: ["chat"],
 *   onConnection: (upgrade) => {
 *     const driver = upgrade.start(new Connection(nodeConnectionOptions("server")), handler);
 *   },
 * });
 * const { port } = await server.listen({ host: "127.0.0.1", port: 0 });
 * // later
 * await server.close(); // 1001 to everyone, force after 10 s
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-4.2
 */
export class UpgradeServer {
  readonly #options: UpgradeServerOptions;
  readonly #handshakeTimeoutMs: number;
  readonly #maxHeaderSize: number;
  readonly #maxHeadersCount: number;
  /** Sockets between TCP/TLS accept (or handleUpgrade) and the 101, with their deadline. */
  readonly #handshaking = new Map<Socket, Timer>();
  /** Accepted sockets whose driver has not been started. */
  readonly #unstarted = new Set<Socket>();
  readonly #drivers = new Set<Driver>();
  /**
   * The `close` listeners of a handshaking and of an accepted-but-unstarted socket: one function
   * per server (the socket is `this`), removed when the phase ends, so an open connection keeps
   * neither a closure nor a `once` wrapper from its handshake.
   */
  readonly #onHandshakingClose: (this: Socket) => void;
  readonly #onUnstartedClose: (this: Socket) => void;
  /** Every driver's `onDone`: no `done.then` (promise, reaction, closure) per connection. */
  readonly #onDriverDone: (driver: Driver) => void;
  #server: Server | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: UpgradeServerOptions = {}) {
    this.#options = options;
    this.#handshakeTimeoutMs = options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
    this.#maxHeaderSize = options.maxHeaderSize ?? DEFAULT_MAX_HEADER_SIZE;
    this.#maxHeadersCount = options.maxHeadersCount ?? DEFAULT_MAX_HEADERS_COUNT;
    const handshaking = this.#handshaking;
    const unstarted = this.#unstarted;
    this.#onHandshakingClose = function (this: Socket) {
      handshaking.get(this)?.clear();
      handshaking.delete(this);
    };
    this.#onUnstartedClose = function (this: Socket) {
      unstarted.delete(this);
    };
    const drivers = this.#drivers;
    this.#onDriverDone = (driver) => {
      drivers.delete(driver);
    };
  }

  /** The bound address of a standalone server, or `null` when not listening. */
  address(): AddressInfo | null {
    const address = this.#server?.address();
    return address !== null && typeof address === "object" ? address : null;
  }

  /** The number of open WebSocket connections (started drivers and accepted sockets). */
  get connectionCount(): number {
    return this.#drivers.size + this.#unstarted.size;
  }

  /**
   * Listens on `host`:`port` (port 0 picks a free one; no host: every interface). Serves `wss://`
   * when `tls` options were given. Resolves with the bound address.
   */
  async listen(endpoint: { host?: string; port?: number } = {}): Promise<AddressInfo> {
    if (this.#server !== undefined) throw new InvalidStateError("the server is already listening");
    if (this.#closing !== undefined) throw new InvalidStateError("the server is closed");
    const tlsOptions = this.#options.tls;
    const server =
      tlsOptions === undefined
        ? createHttpServer({ maxHeaderSize: this.#maxHeaderSize })
        : createHttpsServer({
            ...tlsOptions,
            maxHeaderSize: this.#maxHeaderSize,
            // The TLS phase of a trickling client is bounded by the same deadline.
            handshakeTimeout: this.#handshakeTimeoutMs,
          });
    // One more than the limit, so a request over it is seen (Node truncates silently).
    server.maxHeadersCount = this.#maxHeadersCount + 1;
    this.#server = server;
    server.on(tlsOptions === undefined ? "connection" : "secureConnection", (socket: Socket) =>
      this.#armDeadline(socket),
    );
    server.on("upgrade", (req: IncomingMessage, socket: Socket, head: Buffer) =>
      this.handleUpgrade(req, socket, head),
    );
    server.on("request", (req: IncomingMessage, res: ServerResponse) => this.#onRequest(req, res));
    server.on("clientError", (error: NodeJS.ErrnoException, socket: Socket) => {
      // Node's parser refused the request: too large a head (431), a timeout (408), or bad HTTP.
      const status =
        error.code === "HPE_HEADER_OVERFLOW"
          ? 431
          : error.code === "ERR_HTTP_REQUEST_TIMEOUT"
            ? 408
            : 400;
      this.#refuse(socket, { status, reason: STATUS_CODES[status] ?? "" });
    });
    server.listen(endpoint.port ?? 0, endpoint.host);
    try {
      await once(server, "listening");
    } catch (error) {
      // EADDRINUSE, EACCES …: the server may listen again (e.g. on another port).
      this.#server = undefined;
      throw error;
    }
    return this.address() as AddressInfo;
  }

  /**
   * Takes an upgrade request from an `http`/`https` server's `upgrade` event. The handshake
   * deadline starts now (the external server owns the header phase).
   *
   * @example
   * ```ts
   * httpServer.on("upgrade", (req, socket, head) => upgradeServer.handleUpgrade(req, socket, head));
   * ```
   */
  handleUpgrade(req: IncomingMessage, duplex: Duplex, head: Uint8Array): void {
    // Node types the upgrade socket as a Duplex; it is a net.Socket or tls.TLSSocket.
    const socket = duplex as Socket;
    // After Node hands an upgraded socket over, nobody listens for its errors: a reset during an
    // async hook must not become an uncaught exception.
    socket.on("error", ignoreError);
    if (!this.#handshaking.has(socket)) this.#armDeadline(socket);
    this.#handshake(req, socket, head).catch((error: unknown) => {
      this.#report(error);
      this.#refuse(socket, { status: 500, reason: STATUS_CODES[500] ?? "" });
    });
  }

  /**
   * Graceful close: stops accepting (new upgrades get 503), sends `code` (default 1001) to every
   * open connection, waits for them to close, and destroys what is left after `timeoutMs`.
   * Resolves when every connection and the listening socket are closed. Idempotent.
   */
  close(options: UpgradeServerCloseOptions = {}): Promise<void> {
    this.#closing ??= this.#shutdown(options);
    return this.#closing;
  }

  /** `await using server = new UpgradeServer(…)` closes it gracefully. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #shutdown(options: UpgradeServerCloseOptions): Promise<void> {
    const code = options.code ?? 1001;
    const reason = options.reason ?? "server shutting down";
    const timeoutMs = options.timeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
    const server = this.#server;
    const serverClosed =
      server === undefined
        ? Promise.resolve()
        : new Promise<void>((resolve) => server.close(() => resolve()));
    server?.closeIdleConnections();
    for (const [socket, timer] of this.#handshaking) {
      timer.clear();
      socket.destroy();
    }
    this.#handshaking.clear();
    for (const socket of this.#unstarted) socket.destroy();
    this.#unstarted.clear();
    const drivers = [...this.#drivers];
    for (const driver of drivers) {
      try {
        driver.close(code, reason);
      } catch {
        driver.abort();
      }
    }
    const force = new Timer(() => {
      for (const driver of this.#drivers) driver.abort();
      server?.closeAllConnections();
    });
    force.start(timeoutMs);
    await Promise.all(drivers.map((driver) => driver.done));
    force.clear();
    server?.closeAllConnections();
    await serverClosed;
  }

  #armDeadline(socket: Socket): void {
    const timer = new Timer(() => {
      // A trickling (slowloris) or silent client: cut off.
      this.#handshaking.delete(socket);
      socket.destroy();
    });
    timer.start(this.#handshakeTimeoutMs);
    this.#handshaking.set(socket, timer);
    socket.on("close", this.#onHandshakingClose);
  }

  #onRequest(req: IncomingMessage, res: ServerResponse): void {
    // A plain HTTP request (no Upgrade header, or one Node's header limit cut off) on a
    // WebSocket-only server: answer why, then close.
    let answer: Refusal | undefined = this.#checkHead(req);
    if (answer === undefined) {
      const check = validateClientRequest(requestHead(req));
      answer = check.ok
        ? { status: 426, reason: "This is a WebSocket endpoint", headers: { upgrade: "websocket" } }
        : check;
    }
    res.shouldKeepAlive = false;
    res.writeHead(answer.status, {
      ...answer.headers,
      connection: "close",
      "content-type": "text/plain; charset=utf-8",
    });
    res.end(answer.reason);
  }

  /** Header count and size limits on a parsed request. */
  #checkHead(req: IncomingMessage): Refusal | undefined {
    const raw = req.rawHeaders;
    if (raw.length / 2 > this.#maxHeadersCount) {
      return { status: 431, reason: "Too many request headers" };
    }
    let size = 0;
    for (const part of raw) size += part.length + 2;
    if (size > this.#maxHeaderSize) {
      return { status: 431, reason: "Request headers too large" };
    }
    return undefined;
  }

  async #handshake(req: IncomingMessage, socket: Socket, head: Uint8Array): Promise<void> {
    const options = this.#options;
    if (this.#closing !== undefined || options.onConnection === undefined) {
      this.#refuse(socket, { status: 503, reason: "The server is not accepting connections" });
      return;
    }
    const limit = this.#checkHead(req);
    if (limit !== undefined) {
      this.#refuse(socket, limit);
      return;
    }
    const check = validateClientRequest(requestHead(req));
    if (!check.ok) {
      this.#refuse(socket, check);
      return;
    }
    const secure = socket instanceof TLSSocket;
    const request: UpgradeRequest = {
      url: req.url ?? "/",
      headers: req.headers,
      origin: check.origin,
      host: check.host,
      protocols: check.protocols,
      extensions: check.extensions,
      remoteAddress: socket.remoteAddress ?? "",
      remotePort: socket.remotePort ?? 0,
      secure,
      request: req,
    };
    const originOk = await checkOrigin(check.origin, check.host, secure, options.allowedOrigins);
    if (!originOk) {
      this.#refuse(socket, { status: 403, reason: "Origin not allowed" });
      return;
    }
    const decision = options.onUpgrade === undefined ? undefined : await options.onUpgrade(request);
    if (socket.destroyed || !this.#handshaking.has(socket)) return; // timed out or gone meanwhile
    if (this.#closing !== undefined) {
      this.#refuse(socket, { status: 503, reason: "The server is shutting down" });
      return;
    }
    if (decision !== undefined && !decision.accept) {
      const status =
        decision.status !== undefined && decision.status >= 400 && decision.status <= 599
          ? decision.status
          : 403;
      this.#refuse(socket, {
        status,
        reason: decision.reason ?? STATUS_CODES[status] ?? "",
        headers: decision.headers,
      });
      return;
    }
    let protocol: string | null;
    if (decision?.protocol !== undefined) {
      protocol = decision.protocol;
      if (protocol !== null && !check.protocols.includes(protocol)) {
        throw new InvalidArgumentError(
          `the hook selected subprotocol ${protocol}, which the client did not offer`,
        );
      }
    } else {
      // RFC 6455 §4.2.2: the server selects "one or none of the acceptable protocols"; we take
      // the client's most preferred one that we support.
      const supported = options.supportedProtocols ?? [];
      protocol = check.protocols.find((p) => supported.includes(p)) ?? null;
    }
    // Offered extensions are declined unless a negotiator accepts some.
    const extensions =
      options.negotiateExtensions === undefined || check.extensions.length === 0
        ? []
        : [...options.negotiateExtensions(check.extensions, request)];
    const responseHeaders = buildAcceptHeaders({
      key: check.key,
      protocol,
      extensions: extensions.length === 0 ? null : formatExtensionHeader(extensions),
      ...(decision?.headers === undefined ? {} : { headers: decision.headers }),
    });
    this.#accept(socket, head, request, protocol, extensions, responseHeaders);
  }

  #accept(
    socket: Socket,
    head: Uint8Array,
    request: UpgradeRequest,
    protocol: string | null,
    extensions: readonly ExtensionOffer[],
    responseHeaders: Record<string, string>,
  ): void {
    this.#handshaking.get(socket)?.clear();
    this.#handshaking.delete(socket);
    socket.removeListener("close", this.#onHandshakingClose);
    let text = "HTTP/1.1 101 Switching Protocols\r\n";
    for (const [name, value] of Object.entries(responseHeaders)) text += `${name}: ${value}\r\n`;
    socket.write(`${text}\r\n`);
    socket.setTimeout(0);
    socket.setNoDelay(this.#options.noDelay ?? true);
    this.#unstarted.add(socket);
    socket.on("close", this.#onUnstartedClose);
    let started = false;
    const accepted: AcceptedUpgrade = {
      socket,
      head,
      request,
      protocol,
      extensions,
      responseHeaders,
      localAddress: socket.localAddress ?? "",
      localPort: socket.localPort ?? 0,
      start: (connection: DriverConnection, handler: DriverHandler, options?: DriverOptions) => {
        if (started) throw new InvalidStateError("start() was already called for this upgrade");
        started = true;
        this.#unstarted.delete(socket);
        socket.removeListener("close", this.#onUnstartedClose);
        const onDone = options?.onDone ?? this.#options.driver?.onDone;
        const untrack = this.#onDriverDone;
        const driver = createDriver(socket, connection, handler, {
          ...this.#options.driver,
          ...options,
          head,
          onDone:
            onDone === undefined
              ? untrack
              : (done) => {
                  untrack(done);
                  onDone(done);
                },
        });
        this.#drivers.add(driver);
        if (this.#closing !== undefined) driver.close(1001, "server shutting down");
        return driver;
      },
    };
    try {
      this.#options.onConnection?.(accepted);
    } catch (error) {
      this.#report(error);
      if (!started) socket.destroy();
    }
  }

  /** Answers `refusal` and closes the socket once the answer is written. */
  #refuse(socket: Socket, refusal: Refusal): void {
    this.#handshaking.get(socket)?.clear();
    this.#handshaking.delete(socket);
    if (socket.destroyed) return;
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    // Read nothing more: whatever else the client sends (the rest of a 10 MB header) is refused
    // anyway, and reading it would only churn memory until the socket is gone.
    socket.pause();
    const body = Buffer.from(refusal.reason, "utf8");
    let text = `HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status] ?? "Error"}\r\n`;
    text += "connection: close\r\ncontent-type: text/plain; charset=utf-8\r\n";
    text += `content-length: ${body.byteLength}\r\n`;
    if (refusal.headers !== undefined) {
      for (const [name, value] of Object.entries(refusal.headers)) {
        if (isSafeHeader(name, value)) text += `${name}: ${value}\r\n`;
      }
    }
    socket.end(Buffer.concat([Buffer.from(`${text}\r\n`, "latin1"), body]));
    // Bounded: a client that never reads the answer is not kept.
    const timer = new Timer(() => socket.destroy());
    timer.start(this.#handshakeTimeoutMs);
    socket.once("close", () => timer.clear());
    socket.once("finish", () => socket.destroy());
  }

  #report(error: unknown): void {
    try {
      this.#options.onError?.(error);
    } catch {
      // An error reporter that throws has nowhere left to report to.
    }
  }
}

function ignoreError(): void {}

/** Header lines we are willing to write in a refusal (no CR/LF injection). */
function isSafeHeader(name: string, value: string): boolean {
  return /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name) && !/[\r\n\0]/.test(value);
}

/** What the protocol's request validation reads from a Node request. */
function requestHead(req: IncomingMessage) {
  return { method: req.method ?? "", httpVersion: req.httpVersion, headers: req.headers };
}
