import { once } from "node:events";
import { IncomingMessage, STATUS_CODES } from "node:http";
import {
  type AddressInfo,
  createServer as createNetServer,
  type Server,
  type Socket,
} from "node:net";
import type { Duplex } from "node:stream";
import { createServer as createTlsServer, TLSSocket } from "node:tls";
import { InvalidArgumentError, InvalidStateError } from "@netsockets/errors";
import {
  buildAcceptHeaders,
  type ExtensionOffer,
  formatExtensionHeader,
  type HeaderMap,
  validateClientRequest,
} from "@netsockets/protocol";
import {
  distinctHeaders,
  HeadReader,
  nativeAcceptKey,
  parseFieldLines,
  parseRequestLine,
  type RequestLine,
  setNotFlowing,
} from "../connect/http-head.js";
import { createDriver, type Driver } from "../driver/driver.js";
import type { DriverConnection, DriverHandler, DriverOptions } from "../driver/driver-types.js";
import { Timer } from "../driver/timer.js";
import { checkOrigin } from "./origin-policy.js";
import type {
  AcceptedUpgrade,
  UpgradeDecision,
  UpgradeRequest,
  UpgradeServerCloseOptions,
  UpgradeServerOptions,
} from "./upgrade-server-types.js";

/** Default time allowed from connection to 101. */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;
/** Default limit on the request head (request line and header lines), in bytes (Node's default). */
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

/** A socket's handshake deadline and the listener that clears it on close. */
interface Deadline {
  readonly timer: NodeJS.Timeout;
  readonly onClose: () => void;
}

/**
 * One upgrade request, from our own head reader or from an external server's `IncomingMessage`:
 * what the handshake checks read, and the public views made on demand.
 */
interface RequestSource {
  readonly method: string;
  readonly url: string;
  readonly httpVersion: string;
  /** The map the validation reads. */
  readonly validationHeaders: HeaderMap;
  /** The Node request object (made on first use for our own reader's requests). */
  message(): IncomingMessage;
}

/** The head as our reader parsed it; `IncomingMessage` only when someone asks for it. */
class ParsedRequest implements RequestSource {
  readonly method: string;
  readonly url: string;
  readonly httpVersion: string;
  readonly validationHeaders: HeaderMap;
  readonly #socket: Socket;
  readonly #rawHeaders: string[];
  #message: IncomingMessage | undefined;

  constructor(socket: Socket, line: RequestLine, rawHeaders: string[], headers: HeaderMap) {
    this.method = line.method;
    this.url = line.target;
    this.httpVersion = line.httpVersion;
    this.validationHeaders = headers;
    this.#socket = socket;
    this.#rawHeaders = rawHeaders;
  }

  message(): IncomingMessage {
    this.#message ??= incomingMessage(this.#socket, this, this.#rawHeaders);
    return this.#message;
  }
}

/** A finished `IncomingMessage` as Node's server makes for an upgrade (headers, no body). */
function incomingMessage(
  socket: Socket,
  request: ParsedRequest,
  rawHeaders: string[],
): IncomingMessage {
  const message = new IncomingMessage(socket);
  message.method = request.method;
  message.url = request.url;
  message.httpVersion = request.httpVersion;
  message.httpVersionMajor = 1;
  message.httpVersionMinor = request.httpVersion === "1.0" ? 0 : 1;
  // Node's own way to load a head: `headers` / `headersDistinct` are then built from rawHeaders
  // on first access, with Node's joining rules.
  (message as unknown as { _addHeaderLines(headers: string[], n: number): void })._addHeaderLines(
    rawHeaders,
    rawHeaders.length,
  );
  message.complete = true;
  (message as unknown as { upgrade: boolean }).upgrade = true;
  message.push(null);
  return message;
}

/** An external server's request, as it is. */
function nodeRequestSource(req: IncomingMessage): RequestSource {
  return {
    method: req.method ?? "",
    url: req.url ?? "/",
    httpVersion: req.httpVersion,
    validationHeaders: req.headers,
    message: () => req,
  };
}

function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { then?: unknown }).then === "function"
  );
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
  readonly #handshaking = new Map<Socket, Deadline>();
  /** Accepted sockets whose driver has not been started. */
  readonly #unstarted = new Set<Socket>();
  readonly #drivers = new Set<Driver>();
  /**
   * The close listener of every accepted, unstarted socket: one function per server (the socket
   * is `this`), removed at start, so an open connection keeps no closure of its accept.
   */
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
    const unstarted = this.#unstarted;
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
    // A plain net/tls server: the head is read by our own strict reader (http-head.ts), not by
    // node:http, whose per-connection parser, IncomingMessage and ServerResponse machinery was
    // most of an accepted handshake's cost. Half-open as node:http's server is, so the driver
    // decides how a connection ends.
    const server =
      tlsOptions === undefined
        ? createNetServer({ allowHalfOpen: true })
        : createTlsServer({
            // What node:https offers by default.
            ALPNProtocols: ["http/1.1"],
            ...tlsOptions,
            allowHalfOpen: true,
            // The TLS phase of a trickling client is bounded by the same deadline.
            handshakeTimeout: this.#handshakeTimeoutMs,
          });
    this.#server = server;
    // A failed or timed-out TLS handshake (a silent client sends no ClientHello): tls.Server
    // leaves the socket open unless a listener ends it.
    server.on("tlsClientError", (_error: Error, socket: Duplex) => socket.destroy());
    server.on(tlsOptions === undefined ? "connection" : "secureConnection", (socket: Socket) =>
      this.#onConnection(socket),
    );
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
    const limit = this.#checkHead(req);
    if (limit !== undefined) {
      this.#refuse(socket, limit);
      return;
    }
    this.#handshake(nodeRequestSource(req), socket, head);
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
    for (const [socket, deadline] of this.#handshaking) {
      clearTimeout(deadline.timer);
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
    });
    force.start(timeoutMs);
    await Promise.all(drivers.map((driver) => driver.done));
    force.clear();
    await serverClosed;
  }

  #armDeadline(socket: Socket): void {
    const onClose = (): void => this.#release(socket);
    const timer = setTimeout(() => {
      // A trickling (slowloris) or silent client: cut off.
      this.#release(socket);
      socket.destroy();
    }, this.#handshakeTimeoutMs);
    timer.unref();
    this.#handshaking.set(socket, { timer, onClose });
    socket.once("close", onClose);
  }

  /**
   * Ends a socket's handshake phase: its deadline timer, its close listener and its entry go, so
   * an upgraded connection keeps nothing of the handshake alive (bench RESULTS item 14).
   */
  #release(socket: Socket): void {
    const deadline = this.#handshaking.get(socket);
    if (deadline === undefined) return;
    clearTimeout(deadline.timer);
    socket.removeListener("close", deadline.onClose);
    this.#handshaking.delete(socket);
  }

  /** A connection on our own listening socket: read its request head. */
  #onConnection(socket: Socket): void {
    // Nothing else listens for this socket's errors until a driver takes it: a reset must not
    // become an uncaught exception.
    socket.on("error", ignoreError);
    this.#armDeadline(socket);
    const reader = new HeadReader(this.#maxHeaderSize);
    const stop = (): void => {
      socket.removeListener("data", onData);
      socket.removeListener("end", onEnd);
    };
    const onEnd = (): void => {
      // The client stopped sending before its head was complete.
      stop();
      this.#release(socket);
      socket.destroy();
    };
    const onData = (chunk: Buffer): void => {
      const result = reader.push(chunk);
      if (result.kind === "more") return;
      stop();
      // Not flowing and not paused, as node:http hands an upgraded socket over: later bytes stay
      // buffered until the next reader attaches (a 'data' listener or the driver's resume()).
      setNotFlowing(socket);
      if (result.kind === "error") {
        this.#refuse(
          socket,
          result.failure === "too-large"
            ? { status: 431, reason: "Request headers too large" }
            : { status: 400, reason: `Invalid HTTP request: ${result.message}` },
        );
        return;
      }
      this.#onHead(socket, result.text, result.rest);
    };
    socket.on("data", onData);
    socket.on("end", onEnd);
  }

  /** A complete request head from our reader: parse it strictly, then the handshake. */
  #onHead(socket: Socket, text: string, rest: Buffer): void {
    const parsed = parseRequestLine(text);
    if (parsed === null) {
      this.#refuse(socket, { status: 400, reason: "Invalid HTTP request line" });
      return;
    }
    const fields = parseFieldLines(text, parsed.next, this.#maxHeadersCount);
    if (!("rawHeaders" in fields)) {
      this.#refuse(
        socket,
        fields.failure === "too-many-fields"
          ? { status: 431, reason: "Too many request headers" }
          : { status: 400, reason: `Invalid HTTP request: ${fields.message}` },
      );
      return;
    }
    const headers = distinctHeaders(fields.rawHeaders);
    this.#handshake(
      new ParsedRequest(socket, parsed.request, fields.rawHeaders, headers),
      socket,
      rest,
    );
  }

  /** Header count and size limits on a request an external server parsed. */
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

  /**
   * Validates the request, applies the origin policy and the hook, and accepts or refuses. It
   * stays synchronous unless the origin policy or the hook returns a promise, so a handshake
   * without async decisions answers in the tick its head arrived. Anything that throws (a hook,
   * the extension negotiator) is reported and answered `500`.
   */
  #handshake(source: RequestSource, socket: Socket, head: Uint8Array): void {
    const fail = (error: unknown): void => {
      this.#report(error);
      this.#refuse(socket, { status: 500, reason: STATUS_CODES[500] ?? "" });
    };
    try {
      const options = this.#options;
      if (this.#closing !== undefined || options.onConnection === undefined) {
        this.#refuse(socket, { status: 503, reason: "The server is not accepting connections" });
        return;
      }
      const check = validateClientRequest({
        method: source.method,
        httpVersion: source.httpVersion,
        headers: source.validationHeaders,
      });
      if (!check.ok) {
        this.#refuse(socket, check);
        return;
      }
      // RFC 9112 §6.3: a request's body is framed by Transfer-Encoding or Content-Length. A
      // handshake has none, and we never read one: refusing both (but "Content-Length: 0") keeps
      // a body from being taken for WebSocket frames, and no framing ambiguity can arise.
      const framing = bodyFraming(source.validationHeaders);
      if (framing !== undefined) {
        this.#refuse(socket, { status: 400, reason: framing });
        return;
      }
      const secure = socket instanceof TLSSocket;
      const request: UpgradeRequest = {
        url: source.url,
        get headers() {
          return source.message().headers;
        },
        origin: check.origin,
        host: check.host,
        protocols: check.protocols,
        extensions: check.extensions,
        remoteAddress: socket.remoteAddress ?? "",
        remotePort: socket.remotePort ?? 0,
        secure,
        get request() {
          return source.message();
        },
      };
      const afterHook = (decision: UpgradeDecision | undefined): void => {
        try {
          this.#decide(socket, head, request, check, decision);
        } catch (error) {
          fail(error);
        }
      };
      const afterOrigin = (originOk: boolean): void => {
        if (!originOk) {
          this.#refuse(socket, { status: 403, reason: "Origin not allowed" });
          return;
        }
        const decision = options.onUpgrade === undefined ? undefined : options.onUpgrade(request);
        if (isPromiseLike(decision)) decision.then(afterHook, fail);
        else afterHook(decision);
      };
      const originOk = checkOrigin(check.origin, check.host, secure, options.allowedOrigins);
      if (isPromiseLike(originOk)) {
        originOk.then((ok) => {
          try {
            afterOrigin(ok);
          } catch (error) {
            fail(error);
          }
        }, fail);
      } else afterOrigin(originOk);
    } catch (error) {
      fail(error);
    }
  }

  /** The hook decided (or there was none): refuse, or choose protocol and extensions and accept. */
  #decide(
    socket: Socket,
    head: Uint8Array,
    request: UpgradeRequest,
    check: {
      readonly key: string;
      readonly protocols: string[];
      readonly extensions: ExtensionOffer[];
    },
    decision: UpgradeDecision | undefined,
  ): void {
    const options = this.#options;
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
      accept: nativeAcceptKey(check.key),
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
    this.#release(socket);
    let text = "HTTP/1.1 101 Switching Protocols\r\n";
    for (const [name, value] of Object.entries(responseHeaders)) text += `${name}: ${value}\r\n`;
    // Header bytes are latin1 (the values were checked to be at most U+00FF).
    socket.write(`${text}\r\n`, "latin1");
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
        // The driver listens for the socket's errors from now on (for the socket's whole life):
        // the handshake's stand-in goes, one listener array less per connection.
        socket.removeListener("error", ignoreError);
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
    this.#release(socket);
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

/**
 * Why the request's body framing refuses it, or `undefined`: any `Transfer-Encoding`, or a
 * `Content-Length` other than one `0`.
 */
function bodyFraming(headers: HeaderMap): string | undefined {
  if (Object.hasOwn(headers, "transfer-encoding")) {
    return "A WebSocket handshake has no body (Transfer-Encoding)";
  }
  if (!Object.hasOwn(headers, "content-length")) return undefined;
  const value = headers["content-length"];
  return value === "0" ? undefined : "A WebSocket handshake has no body (Content-Length)";
}
