import { once } from "node:events";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { type AddressInfo, createServer, connect as netConnect, type Socket } from "node:net";
import type { NetSocketsError } from "@netsockets/errors";
import {
  buildClientRequestHeaders,
  Connection,
  type Extension,
  generateClientKey,
  type Limits,
  MessageAssembler,
  validateServerResponse,
} from "@netsockets/protocol";
import {
  type AcceptedUpgrade,
  createDriver,
  type DataInfo,
  type Driver,
  type DriverCloseInfo,
  type DriverHandler,
  type DriverOptions,
  nodeConnectionOptions,
  UpgradeServer,
  type UpgradeServerOptions,
} from "../../src/index.js";

/** A received message. */
export interface Message {
  readonly binary: boolean;
  readonly data: Uint8Array;
}

/** How a recorded driver ended. */
export type Ending =
  | { kind: "close"; info: DriverCloseInfo }
  | { kind: "error"; error: NetSocketsError };

/**
 * A DriverHandler that records everything: whole messages, pieces, pings/pongs, the close-received
 * and the one terminal callback (a second one fails the test through `terminalCount`).
 */
export class Recorder implements DriverHandler {
  readonly messages: Message[] = [];
  readonly pieces: { bytes: number; info: DataInfo }[] = [];
  readonly pings: Uint8Array[] = [];
  readonly pongs: Uint8Array[] = [];
  closeReceived: { code: number; reason: string } | undefined;
  ending: Ending | undefined;
  terminalCount = 0;
  drains = 0;
  readonly ended: Promise<Ending>;
  #resolveEnded!: (ending: Ending) => void;
  #assembler: MessageAssembler;
  #waiters: { count: number; resolve: () => void }[] = [];
  /** Optional hook called for every whole message (e.g. to echo it). */
  onMessage: ((message: Message) => void) | undefined;
  onPiece: ((bytes: Uint8Array, info: DataInfo) => void) | undefined;

  constructor(maxMessageSize = 64 * 1024 * 1024) {
    this.#assembler = new MessageAssembler({ maxMessageSize });
    this.ended = new Promise((resolve) => {
      this.#resolveEnded = resolve;
    });
  }

  onData(bytes: Uint8Array, info: DataInfo): void {
    this.pieces.push({ bytes: bytes.byteLength, info: { ...info } });
    this.onPiece?.(bytes, info);
    const whole = this.#assembler.push({ type: "data", data: bytes, ...info });
    if (whole === undefined) return;
    const message = { binary: whole.binary, data: whole.data };
    this.messages.push(message);
    this.onMessage?.(message);
    this.#waiters = this.#waiters.filter((w) => {
      if (this.messages.length < w.count) return true;
      w.resolve();
      return false;
    });
  }
  onPing(data: Uint8Array): void {
    this.pings.push(data);
  }
  onPong(data: Uint8Array): void {
    this.pongs.push(data);
  }
  onCloseReceived(code: number, reason: string): void {
    this.closeReceived = { code, reason };
  }
  onClose(info: DriverCloseInfo): void {
    this.#end({ kind: "close", info });
  }
  onError(error: NetSocketsError): void {
    this.#end({ kind: "error", error });
  }
  onDrain(): void {
    this.drains++;
  }

  /** Resolves once `count` messages have arrived. */
  received(count: number): Promise<void> {
    if (this.messages.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ count, resolve }));
  }

  #end(ending: Ending): void {
    this.terminalCount++;
    if (this.ending !== undefined) return;
    this.ending = ending;
    this.#resolveEnded(ending);
  }
}

/** One accepted server-side connection. */
export interface ServerPeer {
  readonly upgrade: AcceptedUpgrade;
  readonly driver: Driver;
  readonly recorder: Recorder;
}

/**
 * An UpgradeServer on 127.0.0.1:0 whose connections run our driver with a Recorder.
 * `setup` may attach behaviour (e.g. echo) to each new peer.
 */
export async function startServer(
  options: {
    server?: UpgradeServerOptions;
    driver?: DriverOptions;
    limits?: Partial<Limits>;
    setup?: (peer: ServerPeer) => void;
  } = {},
) {
  const peers: ServerPeer[] = [];
  const waiters: ((peer: ServerPeer) => void)[] = [];
  const server = new UpgradeServer({
    ...options.server,
    onConnection: (upgrade) => {
      const recorder = new Recorder(options.limits?.maxMessageSize);
      const connection = new Connection(
        nodeConnectionOptions(
          "server",
          options.limits === undefined ? {} : { limits: options.limits },
        ),
      );
      const driver = upgrade.start(connection, recorder, options.driver);
      const peer = { upgrade, driver, recorder };
      peers.push(peer);
      options.setup?.(peer);
      for (const w of waiters.splice(0)) w(peer);
    },
  });
  const { port } = await server.listen({ host: "127.0.0.1", port: 0 });
  const nextPeer = (): Promise<ServerPeer> =>
    new Promise((resolve) => {
      waiters.push(resolve);
    });
  return { server, port, peers, nextPeer };
}

/** Echoes every whole message back with its type. */
export function echo(peer: ServerPeer): void {
  peer.recorder.onMessage = (message) => {
    const sent = message.binary
      ? peer.driver.sendBinary(message.data)
      : peer.driver.sendText(message.data);
    sent.catch(() => {});
  };
}

/** What a client-side opening handshake gave us. */
export interface ClientTransport {
  readonly socket: Socket;
  readonly head: Uint8Array;
  readonly protocol: string | null;
}

/**
 * A client-side test transport: node:http's `request` + `upgrade` event and the protocol's
 * handshake functions (node-connect's `openWebSocketTransport` is the real client).
 */
export function openTestTransport(
  url: string,
  options: { protocols?: string[]; ca?: string; headers?: Record<string, string> } = {},
): Promise<ClientTransport> {
  const target = new URL(url);
  const secure = target.protocol === "wss:";
  const key = generateClientKey();
  const headers = buildClientRequestHeaders({
    key,
    protocols: options.protocols ?? [],
    ...(options.headers === undefined ? {} : { headers: options.headers }),
  });
  return new Promise((resolve, reject) => {
    const req = (secure ? httpsRequest : httpRequest)({
      host: target.hostname,
      port: Number(target.port),
      path: `${target.pathname}${target.search}`,
      headers,
      ...(options.ca === undefined ? {} : { ca: options.ca, servername: "localhost" }),
    });
    req.on("upgrade", (res, socket: Socket, head: Buffer) => {
      try {
        const check = validateServerResponse(
          { statusCode: res.statusCode ?? 0, headers: res.headers },
          { key, protocols: options.protocols ?? [], extensions: [] },
        );
        resolve({ socket, head, protocol: check.protocol });
      } catch (error) {
        socket.destroy();
        reject(error);
      }
    });
    req.on("response", (res) => {
      res.resume();
      reject(new Error(`unexpected status ${res.statusCode}`));
    });
    req.on("error", reject);
    req.end();
  });
}

/**
 * A client driver over a test transport, recording into a Recorder. `extensions` run in its
 * Connection (as if negotiated) and are released by the driver.
 */
export async function connectClient(
  url: string,
  options: {
    protocols?: string[];
    ca?: string;
    driver?: DriverOptions;
    limits?: Partial<Limits>;
    extensions?: Extension[];
  } = {},
) {
  const transport = await openTestTransport(url, options);
  const recorder = new Recorder(options.limits?.maxMessageSize);
  const connection = new Connection(
    nodeConnectionOptions("client", {
      ...(options.limits === undefined ? {} : { limits: options.limits }),
      ...(options.extensions === undefined ? {} : { extensions: options.extensions }),
    }),
  );
  const driver = createDriver(transport.socket, connection, recorder, {
    ...options.driver,
    ...(options.extensions === undefined ? {} : { extensions: options.extensions }),
    head: transport.head,
  });
  return { driver, recorder, transport };
}

/** Active handles and timers, by kind, for leak checks. */
export function activeResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

/** Turns of the event loop until `predicate` holds (no fixed sleeps), at most `max` turns. */
export async function until(predicate: () => boolean, max = 10_000): Promise<void> {
  for (let i = 0; i < max && !predicate(); i++) await new Promise((r) => setImmediate(r));
  if (!predicate()) throw new Error("condition not reached");
}

/** Bytes of `text` as UTF-8. */
export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** Decodes UTF-8. */
export function text(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}

/**
 * A connected loopback TCP pair without WebSocket: `socket` is the client end, `peer` the
 * accepted one (paused from the start when `paused`). `close()` destroys both and the server.
 */
export async function tcpPair(
  paused = false,
): Promise<{ socket: Socket; peer: Socket; close: () => void }> {
  const server = createServer({ pauseOnConnect: paused });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const accepted = once(server, "connection");
  const socket = netConnect((server.address() as AddressInfo).port, "127.0.0.1");
  await once(socket, "connect");
  const [peer] = (await accepted) as [Socket];
  return {
    socket,
    peer,
    close: () => {
      socket.destroy();
      peer.destroy();
      server.close();
    },
  };
}
