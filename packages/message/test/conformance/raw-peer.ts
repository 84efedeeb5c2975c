/**
 * Raw-frame WebSocket peers over real sockets, for conformance tests: a server and a client that
 * do the opening handshake by hand (node:crypto SHA-1, no library code), then write exactly the
 * bytes a test scripts — frames no correct library sends, chopped into writes as the test asks —
 * and decode and record every frame the other side sends, with who closed TCP first.
 *
 * The decoder here is independent of `@netsockets/protocol`, so the system under test is never
 * checked with its own parser. It is incremental (header, then a payload buffer allocated once
 * from the announced length), so a 16 MiB echo costs one copy, not a quadratic re-join.
 */
import { createHash, randomBytes } from "node:crypto";
import { connect, createServer, type Server, type Socket } from "node:net";
import { createServer as createTlsServer, connect as tlsConnect } from "node:tls";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/** The `Sec-WebSocket-Accept` value for a key (RFC 6455 §4.2.2), computed independently. */
export function acceptFor(key: string): string {
  return createHash("sha1")
    .update(key + GUID)
    .digest("base64");
}

/** One frame as received, unmasked. */
export interface ReceivedFrame {
  readonly opcode: number;
  readonly fin: boolean;
  readonly rsv: number;
  readonly masked: boolean;
  readonly payload: Uint8Array;
}

/**
 * An incremental frame decoder for what the system under test sends. Syntax only (the peer is
 * the one under test; its semantic mistakes are what the test asserts), with a guard against
 * lengths over 2^53.
 */
export class FrameDecoder {
  #head = new Uint8Array(14);
  #headHave = 0;
  #headNeed = 2;
  #payload: Uint8Array | undefined;
  #payloadHave = 0;
  #b0 = 0;
  #b1 = 0;
  #key: Uint8Array | undefined;

  /** Feeds bytes; returns the frames completed by them. */
  push(chunk: Uint8Array): ReceivedFrame[] {
    const frames: ReceivedFrame[] = [];
    let at = 0;
    while (at < chunk.length || (this.#payload !== undefined && this.#payload.length === 0)) {
      if (this.#payload === undefined) {
        const take = Math.min(this.#headNeed - this.#headHave, chunk.length - at);
        this.#head.set(chunk.subarray(at, at + take), this.#headHave);
        this.#headHave += take;
        at += take;
        if (this.#headHave < this.#headNeed) break;
        this.#advanceHead();
      } else {
        const take = Math.min(this.#payload.length - this.#payloadHave, chunk.length - at);
        this.#payload.set(chunk.subarray(at, at + take), this.#payloadHave);
        this.#payloadHave += take;
        at += take;
      }
      if (this.#payload !== undefined && this.#payloadHave === this.#payload.length) {
        frames.push(this.#finish());
      }
    }
    return frames;
  }

  /** Whether a frame is half-received. */
  get partial(): boolean {
    return this.#headHave > 0 || this.#payload !== undefined;
  }

  #advanceHead(): void {
    const head = this.#head;
    if (this.#headNeed === 2) {
      this.#b0 = head[0] as number;
      this.#b1 = head[1] as number;
      const len7 = this.#b1 & 0x7f;
      const extra = (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (this.#b1 & 0x80 ? 4 : 0);
      if (extra > 0) {
        this.#headNeed = 2 + extra;
        return;
      }
    }
    const len7 = this.#b1 & 0x7f;
    let length = len7;
    let at = 2;
    if (len7 === 126) {
      length = ((head[2] as number) << 8) | (head[3] as number);
      at = 4;
    } else if (len7 === 127) {
      length = 0;
      for (let i = 0; i < 8; i++) length = length * 256 + (head[2 + i] as number);
      if (length > Number.MAX_SAFE_INTEGER) throw new Error("frame length over 2^53");
      at = 10;
    }
    this.#key = this.#b1 & 0x80 ? head.slice(at, at + 4) : undefined;
    this.#payload = new Uint8Array(length);
    this.#payloadHave = 0;
  }

  #finish(): ReceivedFrame {
    const payload = this.#payload as Uint8Array;
    const key = this.#key;
    if (key !== undefined) {
      for (let i = 0; i < payload.length; i++) {
        payload[i] = (payload[i] as number) ^ (key[i & 3] as number);
      }
    }
    const frame: ReceivedFrame = {
      opcode: this.#b0 & 0x0f,
      fin: (this.#b0 & 0x80) !== 0,
      rsv: (this.#b0 >>> 4) & 7,
      masked: key !== undefined,
      payload,
    };
    this.#payload = undefined;
    this.#key = undefined;
    this.#headHave = 0;
    this.#headNeed = 2;
    return frame;
  }
}

/** How a {@link RawConnection} ended. */
export interface RawEnd {
  /** The other side ended TCP (FIN or reset) before we called `end()`/`destroy()`. */
  readonly closedByPeer: boolean;
  /** A socket error (e.g. ECONNRESET), if one came. */
  readonly error: Error | undefined;
}

/** A handshaken raw connection: write bytes, observe frames, see how TCP ended. */
export class RawConnection {
  /** The socket (no-delay, so each write is its own segment where the kernel allows). */
  readonly socket: Socket;
  /** Every frame received, in order. */
  readonly frames: ReceivedFrame[] = [];
  /** Resolves when the socket is fully closed. */
  readonly ended: Promise<RawEnd>;
  /** The request target (path and query) of the handshake. */
  readonly path: string;
  /** Lower-case request (server side) or response (client side) headers. */
  readonly headers: Readonly<Record<string, string>>;
  readonly #decoder = new FrameDecoder();
  #waiters: (() => void)[] = [];
  #closed = false;
  #endedByUs = false;
  #decodeError: Error | undefined;

  constructor(
    socket: Socket,
    head: Uint8Array,
    path: string,
    headers: Readonly<Record<string, string>>,
  ) {
    this.socket = socket;
    this.path = path;
    this.headers = headers;
    socket.setNoDelay(true);
    let error: Error | undefined;
    let peerFirst = false;
    socket.on("error", (e) => {
      error = e;
    });
    socket.on("end", () => {
      if (!this.#endedByUs) peerFirst = true;
      // Half-close answered: we have nothing more to say once the peer is done.
      if (!socket.destroyed) socket.end();
    });
    this.ended = new Promise((resolve) => {
      socket.once("close", () => {
        if (error !== undefined && !this.#endedByUs) peerFirst = true;
        this.#closed = true;
        this.#wake();
        resolve({ closedByPeer: peerFirst, error });
      });
    });
    socket.on("data", (chunk: Buffer) => this.#receive(chunk));
    if (head.length > 0) queueMicrotask(() => this.#receive(head));
  }

  /** Whether the socket has closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Writes bytes; resolves once the kernel took them (rejects never: errors end the socket). */
  write(bytes: Uint8Array): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.destroyed || this.socket.writableEnded) {
        resolve();
        return;
      }
      this.socket.write(bytes, () => resolve());
    });
  }

  /** Half-closes our side (TCP FIN). */
  end(): void {
    this.#endedByUs = true;
    if (!this.socket.destroyed) this.socket.end();
  }

  /** Destroys the socket. */
  destroy(): void {
    this.#endedByUs = true;
    this.socket.destroy();
  }

  /**
   * Waits until `predicate(frames)` holds; rejects with `what` in the message if the socket
   * closes first or after `timeoutMs` (a guard for a broken implementation, never a pacing
   * sleep: the success path resolves on the frame's arrival).
   */
  waitFor(
    predicate: (frames: readonly ReceivedFrame[]) => boolean,
    what: string,
    timeoutMs = 10_000,
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const check = (): boolean => {
        if (this.#decodeError !== undefined) {
          reject(this.#decodeError);
          return true;
        }
        if (predicate(this.frames)) {
          resolve();
          return true;
        }
        if (this.#closed) {
          reject(new Error(`connection closed while waiting for ${what}`));
          return true;
        }
        return false;
      };
      const waiter = () => {
        if (check()) {
          clearTimeout(timer);
          this.#waiters = this.#waiters.filter((w) => w !== waiter);
        }
      };
      if (check()) return;
      timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        reject(new Error(`timed out waiting for ${what}`));
      }, timeoutMs);
      this.#waiters.push(waiter);
    });
  }

  #receive(chunk: Uint8Array): void {
    try {
      this.frames.push(...this.#decoder.push(chunk));
    } catch (error) {
      this.#decodeError = error as Error;
      this.socket.destroy();
    }
    this.#wake();
  }

  #wake(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }
}

/** Reads an HTTP head from `socket`: resolves with the head text and the bytes after it. */
function readHead(socket: Socket): Promise<{ head: string; rest: Uint8Array }> {
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf("\r\n\r\n");
      if (end === -1) {
        if (buffered.length > 65_536) fail(new Error("HTTP head over 64 KiB"));
        return;
      }
      socket.off("data", onData);
      socket.off("close", onClose);
      socket.off("error", fail);
      resolve({
        head: buffered.subarray(0, end).toString("latin1"),
        rest: buffered.subarray(end + 4),
      });
    };
    const onClose = () => fail(new Error("closed during the HTTP head"));
    const fail = (error: Error) => {
      socket.off("data", onData);
      socket.off("close", onClose);
      reject(error);
    };
    socket.on("data", onData);
    socket.once("close", onClose);
    socket.once("error", fail);
  });
}

function parseHeaders(lines: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = Object.create(null);
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

/** A raw-frame server: each accepted, handshaken connection goes to `onConnection`. */
export interface RawServer {
  readonly port: number;
  readonly server: Server;
  /** Stops listening and destroys every open connection. */
  close(): Promise<void>;
}

/** Options of {@link startRawServer}. */
export interface RawServerOptions {
  /** Choose the subprotocol to answer with from the offered list (default: none). */
  readonly selectProtocol?: (offered: readonly string[]) => string | undefined;
  /** Serve TLS (`wss://`) with this PEM certificate chain and key. */
  readonly tls?: { readonly cert: string; readonly key: string };
}

/**
 * Starts a raw-frame server on 127.0.0.1 (port 0). The handshake is done by hand: any GET with a
 * `Sec-WebSocket-Key` is accepted with `101`; the callback gets the connection.
 */
export async function startRawServer(
  onConnection: (connection: RawConnection) => void,
  options: RawServerOptions = {},
): Promise<RawServer> {
  const sockets = new Set<Socket>();
  const onSocket = (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    readHead(socket).then(
      ({ head, rest }) => {
        const [requestLine = "", ...lines] = head.split("\r\n");
        const headers = parseHeaders(lines);
        const key = headers["sec-websocket-key"];
        if (key === undefined) {
          socket.end("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
          return;
        }
        const offered = (headers["sec-websocket-protocol"] ?? "")
          .split(",")
          .map((p) => p.trim())
          .filter((p) => p !== "");
        const protocol = options.selectProtocol?.(offered);
        socket.write(
          "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            `Sec-WebSocket-Accept: ${acceptFor(key)}\r\n` +
            (protocol === undefined ? "" : `Sec-WebSocket-Protocol: ${protocol}\r\n`) +
            "\r\n",
        );
        onConnection(new RawConnection(socket, rest, requestLine.split(" ")[1] ?? "/", headers));
      },
      () => socket.destroy(),
    );
  };
  const server =
    options.tls === undefined
      ? createServer(onSocket)
      : createTlsServer({ cert: options.tls.cert, key: options.tls.key }, onSocket);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return {
    port: address.port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * Connects a raw-frame client to 127.0.0.1:`port` (over TLS with `options.tls`, trusting its
 * `ca`), does the handshake by hand (checking the `101` and `Sec-WebSocket-Accept`), and returns
 * the connection.
 */
export async function rawClientConnect(
  port: number,
  path = "/",
  extraHeaders: Readonly<Record<string, string>> = {},
  options: { readonly tls?: { readonly ca: string } } = {},
): Promise<RawConnection> {
  const socket =
    options.tls === undefined
      ? connect({ host: "127.0.0.1", port })
      : tlsConnect({ host: "127.0.0.1", port, ca: options.tls.ca, servername: "localhost" });
  socket.on("error", () => {});
  await new Promise<void>((resolve, reject) => {
    socket.once(options.tls === undefined ? "connect" : "secureConnect", resolve);
    socket.once("error", reject);
  });
  const key = randomBytes(16).toString("base64");
  let request =
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\n` +
    `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n`;
  for (const [name, value] of Object.entries(extraHeaders)) request += `${name}: ${value}\r\n`;
  socket.write(`${request}\r\n`);
  const { head, rest } = await readHead(socket);
  const [statusLine = "", ...lines] = head.split("\r\n");
  const headers = parseHeaders(lines);
  if (statusLine.split(" ")[1] !== "101") {
    socket.destroy();
    throw new Error(`handshake refused: ${statusLine}`);
  }
  if (headers["sec-websocket-accept"] !== acceptFor(key)) {
    socket.destroy();
    throw new Error("wrong Sec-WebSocket-Accept");
  }
  return new RawConnection(socket, rest, path, headers);
}
