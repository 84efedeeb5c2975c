import { createHash } from "node:crypto";
import { once } from "node:events";
import { decodeFrames } from "@netsockets/protocol/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeCertificates, type TestCertificates } from "../../../tests/support/certs.js";
import { MessageWebSocket } from "../src/index.js";
import { Collector, startServer, type TestServer } from "./helpers.js";
import { startRawServer } from "./raw-peer.js";

/**
 * A client's masked copies of large messages come from memory the driver recycles once the
 * kernel has their bytes (packages/node `MaskCopyArena`). Whatever the recycling does, every
 * message must arrive as it was sent: many distinct large messages in flight at once, over TCP
 * (where the memory is recycled) and over TLS (where it never is).
 */

let certs: TestCertificates;
const servers: TestServer[] = [];
const collectors = new Map<string, Collector>();

beforeAll(async () => {
  certs = await makeCertificates();
});
afterAll(async () => {
  for (const server of servers.splice(0)) await server.listener.close({ timeoutMs: 1000 });
});

async function collectingServer(scheme: "ws" | "wss"): Promise<TestServer> {
  const server = await startServer(
    (socket) => collectors.set(scheme, new Collector(socket)),
    scheme === "wss" ? { serverCertificate: certs.server } : {},
    scheme,
  );
  servers.push(server);
  return server;
}

/** Message `i`: `size` bytes that differ from every other message's at every position. */
function message(i: number, size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let at = 0; at < size; at++) bytes[at] = (at * 31 + i * 7 + (at >>> 9)) & 0xff;
  return bytes;
}

const digest = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");

describe.each(["ws", "wss"] as const)("many large messages in flight (%s)", (scheme) => {
  it("arrive intact and in order, sizes across the recycled range", async () => {
    const server = await collectingServer(scheme);
    const socket = new MessageWebSocket(scheme === "wss" ? { ca: certs.ca.cert } : {});
    await socket.connectAsync(server.url);
    const sizes = [4096, 4100, 65_536, 70_001, 262_144, 262_145, 1 << 20];
    const sent: string[] = [];
    const sends: Promise<void>[] = [];
    for (let i = 0; i < 240; i++) {
      const bytes = message(i, sizes[i % sizes.length] as number);
      sent.push(digest(bytes));
      // Not awaited one by one: copies are made while earlier ones are still in the socket
      // (the sends outrun the server), a turn of the event loop apart.
      sends.push(socket.sendAsync(bytes));
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    await Promise.all(sends);
    const received = collectors.get(scheme) as Collector;
    await received.waitFor(sent.length);
    expect(received.messages.map((m) => digest(m.data))).toEqual(sent);
    socket.close(1000, "");
    expect((await received.closed).code).toBe(1000);
  });
});

describe("large messages to a peer that stops reading", () => {
  it("arrive intact once it reads again: no copy is reused while the socket still holds it", async () => {
    const server = await startRawServer();
    try {
      const socket = new MessageWebSocket();
      const [peer] = await Promise.all([server.nextPeer(), socket.connectAsync(server.url)]);
      peer.socket.pause();
      const sizes = [4096, 65_536, 100_003, 262_144];
      const sent: string[] = [];
      let wire = 0;
      for (let i = 0; i < 200; i++) {
        const size = sizes[i % sizes.length] as number;
        const bytes = message(i, size);
        sent.push(digest(bytes));
        wire += 2 + (size < 126 ? 0 : size < 65_536 ? 2 : 8) + 4 + size;
        // Far more than the kernel takes while the peer is paused; a turn of the event loop
        // between sends lets writes complete (or not) while the next copies are made.
        socket.sendAsync(bytes).catch(() => {});
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      let got = peer.received().length;
      peer.socket.on("data", (chunk: Buffer) => {
        got += chunk.length;
      });
      peer.socket.resume();
      while (got < wire) await once(peer.socket, "data");
      const frames = decodeFrames(peer.received());
      expect(frames.map((frame) => digest(frame.payload))).toEqual(sent);
      socket.close(1000, "");
    } finally {
      await server.close();
    }
  });
});
