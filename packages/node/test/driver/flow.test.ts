import { afterEach, describe, expect, it } from "vitest";
import { UpgradeServer } from "../../src/index.js";
import { connectClient, startServer, until } from "./harness.js";

// Nothing lost, receive backpressure, and a peer that never reads.

const servers: UpgradeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close({ timeoutMs: 500 })));
});

async function server(options: Parameters<typeof startServer>[0] = {}) {
  const started = await startServer(options);
  servers.push(started.server);
  return started;
}

/** Sends `chunk` until the sender's bufferedAmount reaches `target` (the kernel is full). */
async function fillUntilBuffered(
  send: () => Promise<void>,
  buffered: () => number,
  target: number,
  maxSends = 4096,
): Promise<Promise<void>[]> {
  const sends: Promise<void>[] = [];
  for (let i = 0; i < maxSends && buffered() < target; i++) {
    const sent = send();
    sent.catch(() => {});
    sends.push(sent);
    // Let the kernel take what it will before deciding the buffer is full.
    await new Promise((r) => setImmediate(r));
  }
  expect(buffered()).toBeGreaterThanOrEqual(target);
  return sends;
}

/** Whether a promise is still pending after the queue of ready callbacks ran. */
async function isPending(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  return !settled;
}

describe("nothing lost", () => {
  it("100,000 messages sent then a clean close: all arrive, in order", async () => {
    const { port, nextPeer } = await server();
    const peerP = nextPeer();
    const client = await connectClient(`ws://127.0.0.1:${port}`);
    const peer = await peerP;
    const count = 100_000;
    let last: Promise<void> = Promise.resolve();
    for (let i = 0; i < count; i++) {
      const payload = new Uint8Array(4);
      new DataView(payload.buffer).setUint32(0, i);
      last = client.driver.sendBinary(payload);
      // Respect backpressure the way an application would.
      if (!client.driver.writable) await last;
    }
    client.driver.close(1000, "done");
    await last;
    const ending = await peer.recorder.ended;
    expect(ending).toEqual({
      kind: "close",
      info: { code: 1000, reason: "done", wasClean: true, closedBy: "remote" },
    });
    const messages = peer.recorder.messages;
    expect(messages).toHaveLength(count);
    let inOrder = true;
    for (let i = 0; i < count; i++) {
      const m = messages[i];
      if (m === undefined || new DataView(m.data.buffer, m.data.byteOffset, 4).getUint32(0) !== i)
        inOrder = false;
    }
    expect(inOrder).toBe(true);
    await Promise.all([client.driver.done, peer.driver.done]);
  });
});

describe("receive backpressure", () => {
  it("a paused consumer stops the socket: the sender's buffer grows, its sends wait; resume delivers all", async () => {
    const { port, nextPeer } = await server({ setup: (peer) => peer.driver.pause() });
    const peerP = nextPeer();
    const client = await connectClient(`ws://127.0.0.1:${port}`);
    const peer = await peerP;
    expect(peer.driver.isPaused).toBe(true);
    const chunk = new Uint8Array(64 * 1024);
    const sends = await fillUntilBuffered(
      () => client.driver.sendBinary(chunk),
      () => client.driver.bufferedAmount,
      2 * 1024 * 1024,
    );
    expect(await isPending(sends[sends.length - 1] as Promise<void>)).toBe(true);
    expect(client.driver.writable).toBe(false);
    // Nothing was dispatched, and the paused side holds at most a few socket reads (bounded
    // memory), far less than what was sent.
    expect(peer.recorder.messages).toHaveLength(0);
    expect(peer.driver.bytesReceived).toBeLessThan(512 * 1024);
    expect(sends.length * chunk.byteLength).toBeGreaterThan(2 * 1024 * 1024);
    const drainsBefore = client.recorder.drains;

    peer.driver.resume();
    await peer.recorder.received(sends.length);
    await Promise.all(sends);
    await until(() => client.driver.bufferedAmount === 0);
    // One drain signal once the buffer fell below the high-water mark.
    expect(client.recorder.drains).toBe(drainsBefore + 1);
    expect(client.driver.writable).toBe(true);
    client.driver.close(1000);
    await peer.recorder.ended;
  });

  it("one send larger than the kernel takes at once resolves only after the peer read it", async () => {
    // The first write on an idle socket goes without a callback and is settled at once only
    // if the kernel took all of it; here it cannot (the peer is paused), so the send waits.
    const { port, nextPeer } = await server({ setup: (peer) => peer.driver.pause() });
    const peerP = nextPeer();
    const client = await connectClient(`ws://127.0.0.1:${port}`);
    const peer = await peerP;
    await until(() => client.driver.bufferedAmount === 0);
    const payload = new Uint8Array(24 * 1024 * 1024);
    for (let i = 0; i < payload.length; i += 4096) payload[i] = (i >>> 12) & 0xff;
    const sent = client.driver.sendBinary(payload);
    expect(await isPending(sent)).toBe(true);
    expect(client.driver.bufferedAmount).toBeGreaterThan(0);
    expect(client.transport.socket.writableLength).toBeGreaterThan(0);

    peer.driver.resume();
    await sent;
    expect(client.driver.bufferedAmount).toBe(0);
    await peer.recorder.received(1);
    const received = peer.recorder.messages[0]?.data as Uint8Array;
    // Compared as one boolean: a diff of 24 MiB would not print.
    expect(Buffer.from(received).equals(payload)).toBe(true);
    client.driver.close(1000);
    await peer.recorder.ended;
  });

  it("a pause inside a data callback stops dispatch until resume", async () => {
    const { port, nextPeer } = await server();
    const peerP = nextPeer();
    const client = await connectClient(`ws://127.0.0.1:${port}`);
    const peer = await peerP;
    peer.recorder.onMessage = () => peer.driver.pause();
    await client.driver.sendText("one");
    await client.driver.sendText("two");
    await client.driver.sendText("three");
    await peer.recorder.received(1);
    expect(await isPending(peer.recorder.received(2))).toBe(true);
    peer.recorder.onMessage = undefined;
    peer.driver.resume();
    await peer.recorder.received(3);
    expect(peer.recorder.messages.map((m) => new TextDecoder().decode(m.data))).toEqual([
      "one",
      "two",
      "three",
    ]);
    client.driver.abort();
  });
});

describe("a peer that never reads", () => {
  it("our sends wait once outboundBufferSizeInBytes is reached; the socket buffer stays bounded", async () => {
    const silent = new UpgradeServer({ onConnection: (u) => u.socket.pause() });
    servers.push(silent);
    const { port } = await silent.listen({ host: "127.0.0.1", port: 0 });
    const highWaterMark = 32 * 1024;
    const client = await connectClient(`ws://127.0.0.1:${port}`, {
      driver: { outboundBufferSizeInBytes: highWaterMark },
    });
    const chunk = new Uint8Array(16 * 1024);
    const sends = await fillUntilBuffered(
      () => client.driver.sendBinary(chunk),
      () => client.driver.bufferedAmount,
      4 * 1024 * 1024,
    );
    expect(await isPending(sends[sends.length - 1] as Promise<void>)).toBe(true);
    expect(client.driver.writable).toBe(false);
    // Only about one high-water mark sits in the socket's own buffer; the rest waits, framed,
    // in the driver's queue.
    expect(client.transport.socket.writableLength).toBeLessThanOrEqual(highWaterMark + 64 * 1024);
    const settled = sends.map((p) =>
      p.then(
        () => "ok",
        (e: { code?: string }) => e.code,
      ),
    );
    client.driver.abort();
    const results = await Promise.all(settled);
    expect(results.filter((r) => r === "ERR_CONNECTION_ABORTED").length).toBeGreaterThan(0);
    await client.driver.done;
  });
});
