import { once } from "node:events";
import * as net from "node:net";
import { computeAcceptKey } from "@netsockets/protocol";
import { decodeFrames, type WireFrame } from "@netsockets/protocol/testing";

/** A peer speaking raw bytes over TCP after a real opening handshake. */
export interface RawPeer {
  readonly socket: net.Socket;
  /** Every byte received after the handshake. */
  received(): Uint8Array;
  /** The frames received so far (complete ones). */
  frames(): WireFrame[];
  /** Resolves once a frame matching `predicate` has arrived. */
  waitForFrame(predicate: (frame: WireFrame) => boolean): Promise<WireFrame>;
  /** Resolves when the TCP connection is closed. */
  readonly closed: Promise<void>;
}

function makePeer(socket: net.Socket, initial: Buffer): RawPeer {
  const chunks: Buffer[] = initial.length > 0 ? [initial] : [];
  let waiters: (() => void)[] = [];
  socket.on("data", (chunk: Buffer) => {
    chunks.push(chunk);
    const current = waiters;
    waiters = [];
    for (const w of current) w();
  });
  socket.on("error", () => {});
  const closed = once(socket, "close").then(() => {});
  const received = () => Buffer.concat(chunks);
  const frames = (): WireFrame[] => {
    // Decode only complete frames: trim a partial tail by trying shorter prefixes.
    const all = received();
    for (let end = all.length; end >= 0; end--) {
      try {
        return decodeFrames(all.subarray(0, end));
      } catch {
        // incomplete tail
      }
    }
    return [];
  };
  return {
    socket,
    received,
    frames,
    closed,
    waitForFrame(predicate) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = frames().find(predicate);
          if (found !== undefined) {
            resolve(found);
            return true;
          }
          return false;
        };
        if (check()) return;
        const retry = () => {
          if (!check()) waiters.push(retry);
        };
        waiters.push(retry);
        void closed.then(() => {
          if (!check()) reject(new Error("connection closed before the frame arrived"));
        });
      });
    },
  };
}

/** Reads an HTTP head from `socket`; resolves with the head text and the bytes after it. */
function readHead(socket: net.Socket): Promise<{ head: string; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    let buffer = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      const end = buffer.indexOf("\r\n\r\n");
      if (end === -1) return;
      socket.off("data", onData);
      socket.off("error", reject);
      socket.pause();
      resolve({ head: buffer.subarray(0, end).toString("latin1"), rest: buffer.subarray(end + 4) });
    };
    socket.on("data", onData);
    socket.on("error", reject);
  });
}

/** A raw WebSocket server: accepts handshakes, then hands each connection to the test. */
export interface RawServer {
  readonly url: string;
  /** Resolves with the next connection, after the 101 was written. */
  nextPeer(): Promise<RawPeer>;
  close(): Promise<void>;
}

/** Starts a raw server on 127.0.0.1:0 that answers every upgrade with a valid 101. */
export async function startRawServer(protocol?: string): Promise<RawServer> {
  const peers: RawPeer[] = [];
  const waiters: ((peer: RawPeer) => void)[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer(async (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    const { head, rest } = await readHead(socket);
    const key = /sec-websocket-key:\s*(\S+)/i.exec(head)?.[1] ?? "";
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${computeAcceptKey(key)}\r\n${protocol === undefined ? "" : `Sec-WebSocket-Protocol: ${protocol}\r\n`}\r\n`,
    );
    const peer = makePeer(socket, rest);
    socket.resume();
    const waiter = waiters.shift();
    if (waiter !== undefined) waiter(peer);
    else peers.push(peer);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/`,
    nextPeer: () => {
      const ready = peers.shift();
      if (ready !== undefined) return Promise.resolve(ready);
      return new Promise((resolve) => waiters.push(resolve));
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Connects a raw client to `url` and completes the opening handshake. `extra` is written in the
 * same write as the request (frames that arrive with the handshake).
 */
export async function connectRaw(url: string, extra?: Uint8Array): Promise<RawPeer> {
  const { hostname, port, pathname, search } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  await once(socket, "connect");
  socket.write(
    Buffer.concat([
      Buffer.from(
        `GET ${pathname}${search} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
        "latin1",
      ),
      extra ?? new Uint8Array(0),
    ]),
  );
  const { head, rest } = await readHead(socket);
  if (!head.startsWith("HTTP/1.1 101")) throw new Error(`no 101: ${head}`);
  const peer = makePeer(socket, rest);
  socket.resume();
  return peer;
}
