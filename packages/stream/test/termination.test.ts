// The termination table (README) for the stream socket: who sees what when a transfer ends by a
// clean close from either side, an abrupt loss, a violation, or a close nobody answers.
import { InputStreamOptions } from "@netsockets/data";
import {
  ConnectionClosedError,
  ProtocolError,
  WebErrorStatus,
  WebSocketError,
} from "@netsockets/errors";
import { afterEach, describe, expect, it } from "vitest";
import { type WebSocket, WebSocketServer, WebSocket as WsClient } from "ws";
import { StreamWebSocket } from "../src/index.js";
import { closedOf, patternBytes, readAll, startServer, type TestServer } from "./helpers.js";

const MiB = 1024 * 1024;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function server(setup?: (socket: StreamWebSocket) => void): Promise<TestServer> {
  const s = await startServer(setup);
  cleanups.push(() => s.listener.close({ timeoutMs: 1000 }));
  return s;
}

async function wsServer(onConnection: (ws: WebSocket) => void): Promise<string> {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise((resolve) => wss.once("listening", resolve));
  wss.on("connection", onConnection);
  cleanups.push(async () => {
    for (const client of wss.clients) client.terminate();
    await new Promise((resolve) => wss.close(resolve));
  });
  return `ws://127.0.0.1:${(wss.address() as { port: number }).port}/`;
}

/** A client with its `closed` events recorded from before connect. */
async function client(url: string, options = {}) {
  const socket = new StreamWebSocket({ proxy: false, ...options });
  const closedEvents: number[] = [];
  socket.addEventListener("closed", ({ code }) => closedEvents.push(code));
  const closed = closedOf(socket);
  await socket.connectAsync(url);
  return { socket, closedEvents, closed };
}

/** Reads at least `n` bytes. */
async function readAtLeast(socket: StreamWebSocket, n: number): Promise<Uint8Array[]> {
  const parts: Uint8Array[] = [];
  let total = 0;
  const buffer = new Uint8Array(256 * 1024);
  while (total < n) {
    const bytes = await socket.inputStream.readAsync(
      buffer,
      buffer.length,
      InputStreamOptions.partial,
    );
    if (bytes.length === 0) throw new Error("unexpected end of stream");
    parts.push(bytes.slice());
    total += bytes.length;
  }
  return parts;
}

function join(parts: readonly Uint8Array[]): Buffer {
  return Buffer.concat(parts);
}

describe("close and abort mid-transfer: both sides see the right end, nothing hangs", () => {
  it("the sender closes while a 32 MiB write is in flight: the receiver reads a prefix, then the end", async () => {
    let serverSocket: StreamWebSocket | undefined;
    const serverClosed: number[] = [];
    const s = await server((peer) => {
      serverSocket = peer;
      peer.addEventListener("closed", ({ code }) => serverClosed.push(code));
    });
    const { socket, closedEvents, closed } = await client(s.url);
    const payload = patternBytes(32 * MiB, 3);
    const write = socket.outputStream.writeAsync(payload);
    const peer = serverSocket ?? (await s.nextSocket());
    const head = await readAtLeast(peer, MiB);
    socket.close(1000, "stop");
    // The rest of the message is not sent: the write fails.
    const writeError = await write.catch((e: unknown) => e);
    expect(writeError).toMatchObject({ code: "ERR_OBJECT_CLOSED" });
    const rest = await readAll(peer);
    const received = Buffer.concat([join(head), rest]);
    expect(received.length).toBeLessThan(payload.length);
    expect(received.equals(payload.subarray(0, received.length))).toBe(true);
    expect((await closed).code).toBe(1000);
    expect(closedEvents).toEqual([1000]);
    expect(serverClosed).toEqual([1000]);
  });

  it("the receiver closes mid-transfer: the sender's write rejects with the close, its reads end", async () => {
    const s = await server((peer) => {
      void readAtLeast(peer, 2 * MiB).then(() => peer.close(1000, "enough"));
    });
    const { socket, closed } = await client(s.url);
    const block = patternBytes(MiB, 5);
    let error: unknown;
    try {
      for (let i = 0; i < 1024; i++) await socket.outputStream.writeAsync(block);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect((error as ConnectionClosedError).code).toBe("ERR_CONNECTION_CLOSED");
    expect(await closed).toEqual({ code: 1000, reason: "enough" });
    expect((await readAll(socket)).length).toBe(0);
  });

  it("the receiving peer drops TCP mid-transfer: the sender's writes and reads reject with connectionAborted/Reset, no closed", async () => {
    const url = await wsServer((ws) => {
      let bytes = 0;
      ws.on("message", (data: Buffer) => {
        bytes += data.length;
        if (bytes >= 2 * MiB) ws.terminate();
      });
    });
    const { socket, closedEvents } = await client(url);
    const block = patternBytes(256 * 1024, 9);
    let error: unknown;
    try {
      for (let i = 0; i < 4096; i++) await socket.outputStream.writeAsync(block);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect([WebErrorStatus.connectionAborted, WebErrorStatus.connectionReset]).toContain(
      WebSocketError.getStatus(error),
    );
    await expect(readAll(socket)).rejects.toBeInstanceOf(ConnectionClosedError);
    expect(closedEvents).toEqual([]);
  });

  it("the sending peer drops TCP mid-transfer: the receiver reads what came, then connectionAborted", async () => {
    let readError: unknown;
    let readBytes = 0;
    const done = new Promise<void>((resolve) => {
      void server((peer) => {
        void (async () => {
          const buffer = new Uint8Array(64 * 1024);
          try {
            for (;;) {
              const bytes = await peer.inputStream.readAsync(
                buffer,
                buffer.length,
                InputStreamOptions.partial,
              );
              if (bytes.length === 0) break;
              readBytes += bytes.length;
            }
          } catch (e) {
            readError = e;
          }
          resolve();
        })();
      }).then((s) => {
        const ws = new WsClient(s.url);
        ws.on("open", () => {
          ws.send(patternBytes(3 * MiB, 1), () => ws.terminate());
        });
        ws.on("error", () => {});
      });
    });
    await done;
    expect(readBytes).toBeGreaterThan(0);
    expect(readError).toBeInstanceOf(ConnectionClosedError);
    expect([WebErrorStatus.connectionAborted, WebErrorStatus.connectionReset]).toContain(
      WebSocketError.getStatus(readError),
    );
  });

  it("our close gets no answer within closeTimeoutMs: closed with 1006, reads end", async () => {
    const url = await wsServer((ws) => {
      // Never read again: our close frame is never answered.
      (ws as unknown as { _socket: import("node:net").Socket })._socket.pause();
    });
    const { socket, closed } = await client(url, { closeTimeoutMs: 200 });
    socket.close(1000);
    expect((await closed).code).toBe(1006);
    expect((await readAll(socket)).length).toBe(0);
  });

  it("a peer violation: we send 1002, closed says 1002, reads reject with the ProtocolError", async () => {
    let peerClosed!: (code: number) => void;
    const peerClose = new Promise<number>((resolve) => {
      peerClosed = resolve;
    });
    const url = await wsServer((ws) => {
      ws.on("close", (code) => peerClosed(code));
      ws.send(Buffer.from([1, 2, 3]));
      // A frame with the reserved opcode 3.
      (ws as unknown as { _socket: import("node:net").Socket })._socket.write(
        Buffer.from([0x83, 0x00]),
      );
    });
    const { socket, closed } = await client(url);
    const parts: Uint8Array[] = [];
    const buffer = new Uint8Array(16);
    let error: unknown;
    try {
      for (;;) {
        const bytes = await socket.inputStream.readAsync(buffer, 16, InputStreamOptions.partial);
        if (bytes.length === 0) break;
        parts.push(bytes.slice());
      }
    } catch (e) {
      error = e;
    }
    expect([...join(parts)]).toEqual([1, 2, 3]);
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).closeCode).toBe(1002);
    expect((await closed).code).toBe(1002);
    expect(await peerClose).toBe(1002);
  });
});
