import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { ConnectionClosedError } from "@netsockets/errors";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import type { StreamWebSocket } from "../src/index.js";
import {
  closedOf,
  connectClient,
  echo,
  patternBytes,
  startServer,
  type TestServer,
} from "./helpers.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function server(setup?: (socket: StreamWebSocket) => void): Promise<TestServer> {
  const s = await startServer(setup);
  cleanups.push(() => s.listener.close({ timeoutMs: 1000 }));
  return s;
}

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "netsockets-stream-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

describe("Node and WHATWG stream adapters", () => {
  it("pipeline(fs.createReadStream(f), socket.toDuplex()) uploads a file; the server pipes it to a file", async () => {
    const dir = await tempDir();
    const source = join(dir, "in.bin");
    const target = join(dir, "out.bin");
    const content = patternBytes(5 * 1024 * 1024 + 3, 4);
    await writeFile(source, content);
    let stored!: Promise<void>;
    const serverClosed = new Promise<number>((resolve) => {
      void server((peer) => {
        peer.addEventListener("closed", ({ code }) => resolve(code));
        // The server's side: the readable half of its Duplex into a file.
        stored = pipeline(peer.toDuplex(), createWriteStream(target));
      }).then((s) => upload(s.url));
    });
    let clientClosed!: Promise<{ code: number; reason: string }>;
    async function upload(url: string) {
      const socket = await connectClient(url);
      clientClosed = closedOf(socket);
      // Ending the Duplex closes the WebSocket with 1000 once the bytes are in the kernel.
      await pipeline(createReadStream(source), socket.toDuplex());
    }
    expect(await serverClosed).toBe(1000);
    await stored;
    expect((await clientClosed).code).toBe(1000);
    expect(sha256(await readFile(target))).toBe(sha256(content));
  });

  it("WHATWG readable/writable: pipeTo through an echo server", async () => {
    const s = await server(echo);
    const socket = await connectClient(s.url);
    const chunks = [patternBytes(1000, 1), patternBytes(70_000, 2), patternBytes(1, 3)];
    const expected = Buffer.concat(chunks);
    const received: Uint8Array[] = [];
    let total = 0;
    const reader = socket.readable.getReader();
    const writer = socket.writable.getWriter();
    for (const chunk of chunks) await writer.write(chunk);
    while (total < expected.length) {
      const { value, done } = await reader.read();
      if (done) break;
      received.push(value);
      total += value.length;
    }
    expect(Buffer.concat(received).equals(expected)).toBe(true);
    // Closing the writable closes the WebSocket; the readable then ends.
    await writer.close();
    expect((await reader.read()).done).toBe(true);
    expect(socket.readable).toBe(socket.readable);
  });

  it("the Duplex's readable side errors with connectionAborted after a loss", async () => {
    const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    await new Promise((resolve) => wss.once("listening", resolve));
    wss.on("connection", (ws) => ws.send(Buffer.from([1, 2, 3]), () => ws.terminate()));
    cleanups.push(() => new Promise((resolve) => wss.close(() => resolve())));
    const socket = await connectClient(
      `ws://127.0.0.1:${(wss.address() as { port: number }).port}/`,
    );
    const parts: Buffer[] = [];
    const error = await (async () => {
      for await (const chunk of socket.toDuplex()) parts.push(chunk as Buffer);
    })().catch((e: unknown) => e);
    expect([...Buffer.concat(parts)]).toEqual([1, 2, 3]);
    expect(error).toBeInstanceOf(ConnectionClosedError);
  });
});
