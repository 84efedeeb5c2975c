import { once } from "node:events";
import { type IncomingHttpHeaders, IncomingMessage, STATUS_CODES } from "node:http";
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
  type HeadChunkResult,
  type HeadError,
  HeadReader,
  nativeAcceptKey,
  parseDistinctHeaders,
  parseFieldLines,
  parseRequestLine,
  readHead,
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

/** The refusal of a request head our reader or parser rejected: 431 for a limit, else 400. */
function headRefusal(error: HeadError): Refusal {
  if (error.failure === "too-large") return { status: 431, reason: "Request headers too large" };
  if (error.failure === "too-many-fields") {
    return { status: 431, reason: "Too many request headers" };
  }
  return { status: 400, reason: `Invalid HTTP request: ${error.message}` };
}

/** The clock of the handshake deadlines (ms): monotonic, and faked by fake timers that fake `performance`. */
const clock = (): number => performance.now();

/** What the handshake checks read of a request, from our own head reader or an external server. */
interface RequestHead {
  readonly method: string;
  readonly url: string;
  readonly httpVersion: string;
  /** The map the validation reads. */
  readonly headers: HeaderMap;
}

/** A head our own reader parsed: what the checks read, and what the `IncomingMessage` is made from. */
interface OwnHead extends RequestHead {
  readonly socket: Socket;
  /** The head as latin1 text (see `HeadReader`). */
  readonly text: string;
  /** Where the field lines start in `text`. */
  readonly fieldsStart: number;
}

/**
 * Where the Node request object of an {@link UpgradeRequest} comes from: an external server's
 * `IncomingMessage`, or our reader's head (the object is made on first use).
 */
type MessageSource = IncomingMessage | OwnHead;

/** The `IncomingMessage` of a source, made once. */
function messageOf(source: MessageSource): IncomingMessage {
  if (source instanceof IncomingMessage) return source;
  // The head parsed before, so its lines parse again (same text, no limit to hit).
  const fields = parseFieldLines(source.text, source.fieldsStart, Number.POSITIVE_INFINITY);
  return incomingMessage(source.socket, source, "rawHeaders" in fields ? fields.rawHeaders : []);
}

// The handshake's own state in a PendingUpgrade (private: the hook sees the request, not these).
let socketOf: (pending: PendingUpgrade) => Socket;
let headOf: (pending: PendingUpgrade) => Uint8Array;
let keyOf: (pending: PendingUpgrade) => string;
/** Whether the request came from an external server (`handleUpgrade`) rather than our listener. */
let isExternal: (pending: PendingUpgrade) => boolean;
/**
 * Reads the peer address into the request now, if it was not read yet, while the socket is
 * certainly open: wherever the request may outlive the handshake's synchronous run — the origin
 * policy or the hook answers with a promise, an extension negotiator sees it, a request the hook
 * saw is refused — and right after the 101 is written (see {@link PendingUpgrade.remoteAddress}).
 */
let keepPeer: (pending: PendingUpgrade) => void;

/**
 * A valid upgrade request on its way through the origin policy and the hook: what the hook sees
 * (the public fields and the getters) and the handshake's own state (the private fields), in
 * one object per handshake, so the synchronous path makes no closure.
 */
class PendingUpgrade implements UpgradeRequest {
  readonly url: string;
  readonly origin: string | undefined;
  readonly host: string | undefined;
  readonly protocols: string[];
  readonly extensions: ExtensionOffer[];
  readonly secure: boolean;
  /** The peer address, once read (see {@link remoteAddress}). */
  #peer: PeerAddress | undefined;
  /** The socket being upgraded. */
  readonly #socket: Socket;
  /** Bytes after the head. */
  readonly #head: Uint8Array;
  /** The validated `Sec-WebSocket-Key`. */
  readonly #key: string;
  /** From an external server (`handleUpgrade`): its socket's local address is not the listener's. */
  readonly #external: boolean;
  #source: MessageSource;

  constructor(
    socket: Socket,
    head: Uint8Array,
    url: string,
    check: ValidRequest,
    secure: boolean,
    source: MessageSource,
  ) {
    this.url = url;
    this.origin = check.origin;
    this.host = check.host;
    this.protocols = check.protocols;
    this.extensions = check.extensions;
    this.secure = secure;
    this.#socket = socket;
    this.#head = head;
    this.#key = check.key;
    this.#external = source instanceof IncomingMessage;
    this.#source = source;
  }

  /**
   * The client's address. It is not read between the request and the 101 — that gap is on every
   * handshake's critical path (bench workload 6a) — but on first use (a hook that answers at once
   * runs while the socket is open), and at the latest wherever the request may outlive the
   * handshake (see {@link keepPeer}): Node has no peer address once a socket is destroyed, and the
   * request may be kept (and read) past that.
   */
  get remoteAddress(): string {
    return this.#remote().address ?? "";
  }

  /** The client's port (read as {@link remoteAddress} is). */
  get remotePort(): number {
    return this.#remote().port ?? 0;
  }

  #remote(): PeerAddress {
    this.#peer ??= peerOf(this.#socket);
    return this.#peer;
  }

  /** The request headers (Node's `req.headers`). */
  get headers(): IncomingHttpHeaders {
    return this.request.headers;
  }

  /** The Node request object (made on first use for our own reader's requests). */
  get request(): IncomingMessage {
    const source = this.#source;
    if (source instanceof IncomingMessage) return source;
    const message = messageOf(source);
    this.#source = message;
    return message;
  }

  static {
    socketOf = (pending) => pending.#socket;
    headOf = (pending) => pending.#head;
    keyOf = (pending) => pending.#key;
    isExternal = (pending) => pending.#external;
    keepPeer = (pending) => {
      pending.#remote();
    };
  }
}

/** What `getpeername` tells of a socket's peer (Node's record; empty when it failed). */
interface PeerAddress {
  address?: string | undefined;
  port?: number | undefined;
}

/** The parts of a `net.Socket` {@link peerOf} reads (Node internals, checked before use). */
interface SocketInternals {
  readonly _handle?: { getpeername?: unknown } | null;
  readonly _peername?: unknown;
}

/**
 * The peer address of an accepted socket, read as `socket.remoteAddress` reads it but without
 * leaving Node's `{ address, family, port }` record on the socket: Node keeps that record (and
 * its address string) for the socket's whole life once anyone asked, ≈ 100 B per idle
 * connection; the request keeps the two values instead. A socket whose record exists already,
 * or whose handle cannot answer, is asked through the public getters.
 */
function peerOf(socket: Socket): PeerAddress {
  const internals = socket as unknown as SocketInternals;
  const handle = internals._handle;
  if (
    internals._peername === undefined &&
    !socket.connecting &&
    handle !== null &&
    handle !== undefined &&
    typeof handle.getpeername === "function"
  ) {
    const out: PeerAddress = {};
    // `(out) => status`, as Node's own `_getpeername` calls it; on failure `out` stays empty.
    (handle.getpeername as (out: PeerAddress) => number).call(handle, out);
    // An internal that answers in another shape one day falls back to the public getters
    // below rather than reporting no address.
    if (typeof out.address === "string" && typeof out.port === "number") return out;
  }
  return { address: socket.remoteAddress, port: socket.remotePort };
}

/** The fields of a successful `validateClientRequest` the handshake goes on with. */
interface ValidRequest {
  readonly key: string;
  readonly protocols: string[];
  readonly extensions: ExtensionOffer[];
  readonly origin: string | undefined;
  readonly host: string | undefined;
}

/** The first part of every 101 this server writes. */
const ACCEPT_HEAD =
  "HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-accept: ";

let startUpgrade: (
  server: UpgradeServer,
  upgrade: Accepted,
  connection: DriverConnection,
  handler: DriverHandler,
  options: DriverOptions | undefined,
) => Driver;

let isStarted: (upgrade: Accepted) => boolean;

/**
 * An accepted upgrade as `onConnection` gets it: one object, no closure; `start` goes back to
 * its server. The 101's headers as a record are made on first read (the 101 itself was written
 * from the same values).
 */
class Accepted implements AcceptedUpgrade {
  readonly socket: Socket;
  readonly head: Uint8Array;
  readonly request: UpgradeRequest;
  readonly protocol: string | null;
  readonly extensions: readonly ExtensionOffer[];
  readonly localAddress: string;
  readonly localPort: number;
  #started = false;
  readonly #server: UpgradeServer;
  #responseHeaders: Record<string, string> | undefined;
  readonly #accept: string;

  constructor(
    server: UpgradeServer,
    request: PendingUpgrade,
    protocol: string | null,
    extensions: readonly ExtensionOffer[],
    accept: string,
    responseHeaders: Record<string, string> | undefined,
    local: AddressInfo | undefined,
  ) {
    const socket = socketOf(request);
    this.socket = socket;
    this.head = headOf(request);
    this.request = request;
    this.protocol = protocol;
    this.extensions = extensions;
    this.localAddress = local === undefined ? (socket.localAddress ?? "") : local.address;
    this.localPort = local === undefined ? (socket.localPort ?? 0) : local.port;
    this.#server = server;
    this.#accept = accept;
    this.#responseHeaders = responseHeaders;
  }

  /** The 101 response headers that were sent. */
  get responseHeaders(): Readonly<Record<string, string>> {
    // Only the plain 101 (no extensions, no hook headers) leaves this to be made here.
    this.#responseHeaders ??= buildAcceptHeaders({
      key: keyOf(this.request as PendingUpgrade),
      accept: this.#accept,
      protocol: this.protocol,
    });
    return this.#responseHeaders;
  }

  start(connection: DriverConnection, handler: DriverHandler, options?: DriverOptions): Driver {
    if (this.#started) throw new InvalidStateError("start() was already called for this upgrade");
    this.#started = true;
    return startUpgrade(this.#server, this, connection, handler, options);
  }

  static {
    isStarted = (upgrade) => upgrade.#started;
  }
}

/** A finished `IncomingMessage` as Node's server makes for an upgrade (headers, no body). */
function incomingMessage(socket: Socket, head: RequestHead, rawHeaders: string[]): IncomingMessage {
  const message = new IncomingMessage(socket);
  message.method = head.method;
  message.url = head.url;
  message.httpVersion = head.httpVersion;
  message.httpVersionMajor = 1;
  message.httpVersionMinor = head.httpVersion === "1.0" ? 0 : 1;
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
  /**
   * Sockets between TCP/TLS accept (or handleUpgrade) and the 101 or refusal, each with its
   * deadline (whole ms on {@link clock} since `#epoch`, a small integer). One timeout for all:
   * insertion order is deadline order, so one {@link Timer} for the first entry serves them all
   * (bench RESULTS workload 6: a `setTimeout`, a record, a closure and a `close` listener per
   * handshake were a good part of an accepted handshake's garbage). A socket leaves at its 101,
   * its refusal, its `end` before a head, or its deadline; one that closes meanwhile (a reset) is
   * dropped at its deadline at the latest.
   */
  readonly #handshaking = new Map<Socket, number>();
  readonly #epoch = clock();
  readonly #deadlines: Timer;
  /** Head readers of sockets whose head came in several segments (rare: made on demand). */
  #partialHeads: Map<Socket, HeadReader> | undefined;
  /** Every handshaking socket's `data` and `end` listener: one function per server (`this` is the socket). */
  /**
   * The close listener of every socket in its handshake (one function per server, the socket is
   * `this`): a socket reset mid-handshake leaves the deadline map, and its partial head, at once
   * — not at its deadline, which a flood of resets could otherwise fill memory until.
   */
  readonly #onHandshakeClose: (this: Socket) => void;
  readonly #onHeadData: (this: Socket, chunk: Buffer) => void;
  readonly #onHeadEnd: (this: Socket) => void;
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
  /**
   * The listening address when it is one specific address (not `0.0.0.0` / `::`): then it is
   * every accepted socket's local address too, and no `getsockname` per connection is needed
   * (bench workload 6: `_getsockname` was ≈ 1 % of a server accepting handshakes).
   */
  #boundLocal: AddressInfo | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: UpgradeServerOptions = {}) {
    this.#options = options;
    this.#handshakeTimeoutMs = options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
    this.#maxHeaderSize = options.maxHeaderSize ?? DEFAULT_MAX_HEADER_SIZE;
    this.#maxHeadersCount = options.maxHeadersCount ?? DEFAULT_MAX_HEADERS_COUNT;
    this.#deadlines = new Timer(() => this.#sweep(), clock);
    const unstarted = this.#unstarted;
    this.#onUnstartedClose = function (this: Socket) {
      unstarted.delete(this);
    };
    const drivers = this.#drivers;
    this.#onDriverDone = (driver) => {
      drivers.delete(driver);
    };
    const server = this;
    this.#onHandshakeClose = function (this: Socket) {
      server.#release(this);
    };
    this.#onHeadData = function (this: Socket, chunk: Buffer) {
      server.#headData(this, chunk);
    };
    this.#onHeadEnd = function (this: Socket) {
      // The client stopped sending before its head was complete.
      server.#stopReadingHead(this);
      server.#release(this);
      this.destroy();
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
    const bound = this.address() as AddressInfo;
    this.#boundLocal = isWildcard(bound.address) ? undefined : bound;
    return bound;
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
    this.#handshake(
      socket,
      head,
      {
        method: req.method ?? "",
        url: req.url ?? "/",
        httpVersion: req.httpVersion,
        headers: req.headers,
      },
      req,
    );
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
    for (const socket of this.#handshaking.keys()) socket.destroy();
    this.#handshaking.clear();
    this.#partialHeads?.clear();
    this.#deadlines.disarm();
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

  /** Starts `socket`'s handshake deadline. */
  #armDeadline(socket: Socket): void {
    const timeout = this.#handshakeTimeoutMs;
    this.#handshaking.set(socket, Math.ceil(clock() - this.#epoch + timeout));
    socket.on("close", this.#onHandshakeClose);
    // One pending timer at a time: it fires for the oldest socket and then waits for the next.
    if (!this.#deadlines.active) this.#deadlines.start(Math.max(timeout, 1));
  }

  /** The deadline timer fired: cuts off every socket past its deadline, waits for the next one. */
  #sweep(): void {
    const now = clock() - this.#epoch;
    for (const [socket, deadline] of this.#handshaking) {
      if (deadline > now) {
        this.#deadlines.start(deadline - now);
        return;
      }
      // A trickling (slowloris) or silent client, or a hook that never answered: cut off.
      this.#release(socket);
      socket.destroy();
    }
  }

  /**
   * Ends a socket's handshake phase: its entry (and partial head) go, so an upgraded connection
   * keeps nothing of the handshake alive (bench RESULTS item 14).
   */
  #release(socket: Socket): void {
    if (!this.#handshaking.delete(socket)) return;
    socket.removeListener("close", this.#onHandshakeClose);
    this.#partialHeads?.delete(socket);
    // Nothing left to wait for: no timer either.
    if (this.#handshaking.size === 0) this.#deadlines.clear();
  }

  /** A connection on our own listening socket: read its request head. */
  #onConnection(socket: Socket): void {
    // Nothing else listens for this socket's errors until a driver takes it: a reset must not
    // become an uncaught exception.
    socket.on("error", ignoreError);
    this.#armDeadline(socket);
    socket.on("data", this.#onHeadData);
    socket.on("end", this.#onHeadEnd);
  }

  #stopReadingHead(socket: Socket): void {
    socket.removeListener("data", this.#onHeadData);
    socket.removeListener("end", this.#onHeadEnd);
  }

  /** Bytes of a head: read whole from one segment (the usual case), or accumulated. */
  #headData(socket: Socket, chunk: Buffer): void {
    const partial = this.#partialHeads?.get(socket);
    let result: HeadChunkResult;
    if (partial === undefined) {
      result = readHead(chunk, this.#maxHeaderSize);
      if (result.kind === "more") {
        const reader = new HeadReader(this.#maxHeaderSize);
        reader.push(chunk);
        this.#partialHeads ??= new Map();
        this.#partialHeads.set(socket, reader);
        return;
      }
    } else {
      result = partial.push(chunk);
      if (result.kind === "more") return;
      this.#partialHeads?.delete(socket);
    }
    this.#stopReadingHead(socket);
    // Not flowing and not paused, as node:http hands an upgraded socket over: later bytes stay
    // buffered until the next reader attaches (a 'data' listener or the driver's resume()).
    setNotFlowing(socket);
    if (result.kind === "error") {
      this.#refuse(socket, headRefusal(result));
      return;
    }
    this.#onHead(socket, result.text, result.rest);
  }

  /** A complete request head from our reader: parse it strictly, then the handshake. */
  #onHead(socket: Socket, text: string, rest: Buffer): void {
    const parsed = parseRequestLine(text);
    if (parsed === null) {
      this.#refuse(socket, { status: 400, reason: "Invalid HTTP request line" });
      return;
    }
    const fields = parseDistinctHeaders(text, parsed.next, this.#maxHeadersCount);
    if (!("headers" in fields)) {
      this.#refuse(socket, headRefusal(fields));
      return;
    }
    const line = parsed.request;
    const head: OwnHead = {
      method: line.method,
      url: line.target,
      httpVersion: line.httpVersion,
      headers: fields.headers,
      socket,
      text,
      fieldsStart: parsed.next,
    };
    this.#handshake(socket, rest, head, head);
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
   * without async decisions answers in the tick its head arrived (and makes no closure: the
   * steps pass one {@link PendingUpgrade} on). Anything that throws (a hook, the extension
   * negotiator) is reported and answered `500`.
   */
  #handshake(socket: Socket, head: Uint8Array, request: RequestHead, source: MessageSource): void {
    try {
      const options = this.#options;
      if (this.#closing !== undefined || options.onConnection === undefined) {
        this.#refuse(socket, { status: 503, reason: "The server is not accepting connections" });
        return;
      }
      const check = validateClientRequest(request);
      if (!check.ok) {
        this.#refuse(socket, check);
        return;
      }
      // RFC 9112 §6.3: a request's body is framed by Transfer-Encoding or Content-Length. A
      // handshake has none, and we never read one: refusing both (but "Content-Length: 0") keeps
      // a body from being taken for WebSocket frames, and no framing ambiguity can arise.
      const framing = bodyFraming(request.headers);
      if (framing !== undefined) {
        this.#refuse(socket, { status: 400, reason: framing });
        return;
      }
      const secure = socket instanceof TLSSocket;
      const pending = new PendingUpgrade(socket, head, request.url, check, secure, source);
      const originOk = checkOrigin(check.origin, check.host, secure, options.allowedOrigins);
      if (isPromiseLike(originOk)) {
        // The socket may be gone by the time the hook sees the request.
        keepPeer(pending);
        originOk.then(
          (ok) => {
            try {
              this.#afterOrigin(pending, ok);
            } catch (error) {
              this.#fail(socket, error);
            }
          },
          (error: unknown) => this.#fail(socket, error),
        );
      } else this.#afterOrigin(pending, originOk);
    } catch (error) {
      this.#fail(socket, error);
    }
  }

  /** Something threw on the way to the 101: report it, answer 500. */
  #fail(socket: Socket, error: unknown): void {
    this.#report(error);
    this.#refuse(socket, { status: 500, reason: STATUS_CODES[500] ?? "" });
  }

  /** The origin policy answered: refuse, or ask the hook. */
  #afterOrigin(pending: PendingUpgrade, originOk: boolean): void {
    if (!originOk) {
      this.#refuse(socketOf(pending), { status: 403, reason: "Origin not allowed" });
      return;
    }
    const onUpgrade = this.#options.onUpgrade;
    let decision: UpgradeDecision | undefined | PromiseLike<UpgradeDecision | undefined>;
    try {
      decision = onUpgrade === undefined ? undefined : onUpgrade(pending);
    } catch (error) {
      keepPeer(pending);
      throw error;
    }
    if (isPromiseLike(decision)) {
      // The hook may keep the request past the socket's end: its peer address is read now. (A
      // hook that answers at once has the socket open while it runs; what it keeps is pinned
      // where the handshake ends: after the 101 or before a refusal.)
      keepPeer(pending);
      decision.then(
        (answer) => this.#afterHook(pending, answer),
        (error: unknown) => this.#fail(socketOf(pending), error),
      );
    } else this.#afterHook(pending, decision);
  }

  /** The hook answered (or there was none). */
  #afterHook(pending: PendingUpgrade, decision: UpgradeDecision | undefined): void {
    try {
      this.#decide(pending, decision);
    } catch (error) {
      keepPeer(pending);
      this.#fail(socketOf(pending), error);
    }
  }

  /** The hook decided (or there was none): refuse, or choose protocol and extensions and accept. */
  #decide(pending: PendingUpgrade, decision: UpgradeDecision | undefined): void {
    const options = this.#options;
    const socket = socketOf(pending);
    if (socket.destroyed || !this.#handshaking.has(socket)) {
      // Timed out or gone meanwhile.
      this.#release(socket);
      return;
    }
    if (this.#closing !== undefined) {
      keepPeer(pending);
      this.#refuse(socket, { status: 503, reason: "The server is shutting down" });
      return;
    }
    if (decision !== undefined && !decision.accept) {
      keepPeer(pending);
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
      if (protocol !== null && !pending.protocols.includes(protocol)) {
        throw new InvalidArgumentError(
          `the hook selected subprotocol ${protocol}, which the client did not offer`,
        );
      }
    } else {
      // RFC 6455 §4.2.2: the server selects "one or none of the acceptable protocols"; we take
      // the client's most preferred one that we support.
      protocol = firstSupported(pending.protocols, options.supportedProtocols);
    }
    // Offered extensions are declined unless a negotiator accepts some.
    const negotiate = options.negotiateExtensions;
    let extensions: readonly ExtensionOffer[] = NO_EXTENSIONS;
    if (negotiate !== undefined && pending.extensions.length !== 0) {
      keepPeer(pending);
      extensions = [...negotiate(pending.extensions, pending)];
    }
    const accept = nativeAcceptKey(keyOf(pending));
    const userHeaders = decision?.headers;
    let text: string;
    let responseHeaders: Record<string, string> | undefined;
    if (extensions.length === 0 && userHeaders === undefined) {
      // The plain 101, written directly: the protocol is one of the client's (validated tokens).
      text =
        protocol === null
          ? `${ACCEPT_HEAD}${accept}\r\n\r\n`
          : `${ACCEPT_HEAD}${accept}\r\nsec-websocket-protocol: ${protocol}\r\n\r\n`;
    } else {
      // Extensions or the hook's headers: the protocol package checks and orders them.
      responseHeaders = buildAcceptHeaders({
        key: keyOf(pending),
        accept,
        protocol,
        extensions: extensions.length === 0 ? null : formatExtensionHeader(extensions),
        ...(userHeaders === undefined ? {} : { headers: userHeaders }),
      });
      text = "HTTP/1.1 101 Switching Protocols\r\n";
      for (const name of Object.keys(responseHeaders)) {
        text += `${name}: ${responseHeaders[name]}\r\n`;
      }
      text += "\r\n";
    }
    // Header bytes are latin1 (the values were checked to be at most U+00FF).
    socket.write(text, "latin1");
    // The rest is off the handshake's critical path: the client reads the 101 meanwhile (nothing
    // can happen to the socket before this returns). The handshake's bookkeeping ends; the peer
    // address is read now, before anything could destroy the socket; so is the local address of
    // a socket whose listener is not bound to one specific address.
    this.#release(socket);
    keepPeer(pending);
    const local = isExternal(pending) ? undefined : this.#boundLocal;
    this.#accept(new Accepted(this, pending, protocol, extensions, accept, responseHeaders, local));
  }

  /** The 101 is written: the socket goes to `onConnection`. */
  #accept(accepted: Accepted): void {
    const socket = accepted.socket;
    socket.setTimeout(0);
    socket.setNoDelay(this.#options.noDelay ?? true);
    this.#unstarted.add(socket);
    socket.on("close", this.#onUnstartedClose);
    try {
      this.#options.onConnection?.(accepted);
    } catch (error) {
      this.#report(error);
      if (!isStarted(accepted)) socket.destroy();
    }
  }

  /** `upgrade.start(…)`: the driver, tracked for the graceful close. */
  #start(
    upgrade: Accepted,
    connection: DriverConnection,
    handler: DriverHandler,
    options: DriverOptions | undefined,
  ): Driver {
    const socket = upgrade.socket;
    this.#unstarted.delete(socket);
    socket.removeListener("close", this.#onUnstartedClose);
    const defaults = this.#options.driver;
    const onDone = options?.onDone ?? defaults?.onDone;
    const untrack = this.#onDriverDone;
    const driver = createDriver(socket, connection, handler, {
      ...defaults,
      ...options,
      head: upgrade.head,
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

  static {
    startUpgrade = (server, upgrade, connection, handler, options) =>
      server.#start(upgrade, connection, handler, options);
  }
}

/** What an upgrade without accepted extensions reports (shared, never changed). */
const NO_EXTENSIONS: readonly ExtensionOffer[] = Object.freeze([]);

/** The client's most preferred protocol that `supported` lists, or `null`. */
function firstSupported(
  offered: readonly string[],
  supported: readonly string[] | undefined,
): string | null {
  if (supported === undefined) return null;
  for (let i = 0; i < offered.length; i++) {
    const protocol = offered[i] as string;
    if (supported.includes(protocol)) return protocol;
  }
  return null;
}

function ignoreError(): void {}

/** Whether a listening address takes connections for every local address of its family. */
function isWildcard(address: string): boolean {
  return address === "0.0.0.0" || address === "::";
}

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
