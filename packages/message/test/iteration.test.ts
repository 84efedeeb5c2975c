import { afterEach, describe, expect, it } from "vitest";
import {
  ITERATOR_HIGH_WATER_BYTES,
  MessageWebSocket,
  type MessageWebSocketMessageReceivedEventArgs,
} from "../src/index.js";
import { startServer, type TestServer } from "./helpers.js";

const servers: TestServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.listener.close({ timeoutMs: 500 });
});

function indexOf(args: MessageWebSocketMessageReceivedEventArgs): number {
  return args.getDataReader().readUInt32();
}

/** Resolves once `condition()` holds, checked after each turn of the event loop (20 s bound). */
async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe("async iteration with receive backpressure", () => {
  it("10,000 messages arrive in order with nothing lost while the consumer lags; TCP pushes back", async () => {
    const COUNT = 10_000;
    const SIZE = 1024;
    const server = await startServer();
    servers.push(server);
    const accepted = server.nextSocket();
    const client = new MessageWebSocket();
    const iterator = client[Symbol.asyncIterator]();
    await client.connectAsync(server.url);
    const peer = await accepted;
    // The server sends everything at once; only the kernel buffers and our queue stand between.
    let sent = 0;
    const sends: Promise<void>[] = [];
    for (let i = 0; i < COUNT; i++) {
      const message = new Uint8Array(SIZE);
      new DataView(message.buffer).setUint32(0, i);
      sends.push(peer.sendAsync(message).then(() => void sent++));
    }
    const first = await iterator.next();
    expect(first.done).toBe(false);
    expect(indexOf(first.value as MessageWebSocketMessageReceivedEventArgs)).toBe(0);
    // The consumer stalls: the client stops reading, so the server's sends back up.
    await until(() => peer.bufferedAmount > 2 * ITERATOR_HIGH_WATER_BYTES, "the server to back up");
    expect(sent).toBeLessThan(COUNT);
    let expected = 1;
    for await (const args of { [Symbol.asyncIterator]: () => iterator }) {
      expect(indexOf(args)).toBe(expected);
      expect(args.getDataReader().unconsumedBufferLength).toBe(SIZE);
      expected++;
      if (expected % 1000 === 0) await new Promise((resolve) => setImmediate(resolve));
      if (expected === COUNT) break;
    }
    expect(expected).toBe(COUNT);
    await Promise.all(sends);
    client.close();
  });

  it("a clean close ends the loop; break resumes reading for listeners", async () => {
    const server = await startServer();
    servers.push(server);
    const accepted = server.nextSocket();
    const client = new MessageWebSocket();
    const seen: string[] = [];
    client.addEventListener("messagereceived", (args) => {
      const r = args.getDataReader();
      seen.push(r.readString(r.unconsumedBufferLength));
    });
    const loop = (async () => {
      const got: string[] = [];
      for await (const args of client) {
        const r = args.getDataReader();
        got.push(r.readString(r.unconsumedBufferLength));
      }
      return got;
    })();
    await client.connectAsync(server.url);
    const peer = await accepted;
    await peer.sendAsync("a");
    await peer.sendAsync("b");
    peer.close(1000, "bye");
    expect(await loop).toEqual(["a", "b"]);
    expect(seen).toEqual(["a", "b"]);
  });

  it("only one loop at a time", () => {
    const client = new MessageWebSocket();
    const it1 = client[Symbol.asyncIterator]();
    expect(() => client[Symbol.asyncIterator]()).toThrow(
      expect.objectContaining({ code: "ERR_INVALID_STATE" }),
    );
    void it1.return?.();
    expect(() => client[Symbol.asyncIterator]()).not.toThrow();
  });
});
