import type { Socket } from "node:net";
import { Connection } from "@netsockets/protocol";
import { closePayload, decodeFrames, frame } from "@netsockets/protocol/testing";
import { afterEach, describe, expect, it } from "vitest";
import {
  createDriver,
  type DriverConnection,
  nodeConnectionOptions,
  UpgradeServer,
} from "../../src/index.js";
import { connectClient, openTestTransport, Recorder, startServer, until } from "./harness.js";

const servers: UpgradeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close({ timeoutMs: 500 })));
});

/** Counts the socket's write system-call entry points. */
function spyWrites(socket: Socket) {
  const calls: { kind: "write" | "writev"; chunks: number; bytes: number }[] = [];
  const internal = socket as unknown as {
    _write: (chunk: Buffer, encoding: string, cb: (e?: Error) => void) => void;
    _writev: (chunks: { chunk: Buffer }[], cb: (e?: Error) => void) => void;
  };
  const write = internal._write.bind(socket);
  const writev = internal._writev.bind(socket);
  internal._write = (chunk, encoding, cb) => {
    calls.push({ kind: "write", chunks: 1, bytes: chunk.length });
    write(chunk, encoding, cb);
  };
  internal._writev = (chunks, cb) => {
    calls.push({
      kind: "writev",
      chunks: chunks.length,
      bytes: chunks.reduce((n, c) => n + c.chunk.length, 0),
    });
    writev(chunks, cb);
  };
  return calls;
}

/** A connected client and server peer, nothing in flight, with the client's writes spied on. */
async function idlePairWithSpy() {
  const { server, port, nextPeer } = await startServer();
  servers.push(server);
  const peerP = nextPeer();
  const client = await connectClient(`ws://127.0.0.1:${port}`);
  const peer = await peerP;
  await until(() => client.driver.bufferedAmount === 0);
  return { client, peer, calls: spyWrites(client.transport.socket) };
}

describe("the write path", () => {
  it("sends everything one small tick produced as one buffer in one write", async () => {
    const { client, peer, calls } = await idlePairWithSpy();
    const sends = [
      client.driver.sendText("one"),
      client.driver.sendBinary(new Uint8Array(1000)),
      client.driver.ping(new Uint8Array([1])),
    ];
    await Promise.all(sends);
    // Three masked frames (headers 6, 8, 6 bytes) copied into one buffer: no writev.
    expect(calls).toEqual([{ kind: "write", chunks: 1, bytes: 6 + 3 + 8 + 1000 + 6 + 1 }]);
    await peer.recorder.received(2);
    expect(peer.recorder.messages.map((m) => m.data.length)).toEqual([3, 1000]);
    client.driver.close(1000);
    await client.recorder.ended;
  });

  it("writes a large tick as one writev: small pieces joined per run, large ones not copied", async () => {
    const { client, peer, calls } = await idlePairWithSpy();
    // Above the 16 KiB copy limit, below the 64 KiB high-water mark (one batch).
    const big = new Uint8Array(32768).fill(7);
    const sends = [
      client.driver.sendText("one"),
      client.driver.sendBinary(big),
      client.driver.ping(new Uint8Array([1])),
    ];
    await Promise.all(sends);
    // [6 + 3 + 8] joined, the 32 KiB masked payload as it is, [6 + 1] joined.
    expect(calls).toEqual([{ kind: "writev", chunks: 3, bytes: 17 + 32768 + 7 }]);
    await peer.recorder.received(2);
    expect(new Uint8Array(peer.recorder.messages[1]?.data ?? [])).toEqual(big);
    client.driver.close(1000);
    await client.recorder.ended;
  });

  it("resolves the sends of one tick together, and later ones only after their own write", async () => {
    const { server, port } = await startServer();
    servers.push(server);
    const client = await connectClient(`ws://127.0.0.1:${port}`);
    await until(() => client.driver.bufferedAmount === 0);
    const first = client.driver.sendBinary(new Uint8Array(10));
    const second = client.driver.sendBinary(new Uint8Array(20));
    await first;
    // Both were handed over in the same write.
    expect(client.driver.bufferedAmount).toBe(0);
    await second;
    const third = client.driver.sendBinary(new Uint8Array(30));
    expect(client.driver.bufferedAmount).toBe(30 + 6);
    await third;
    expect(client.driver.bufferedAmount).toBe(0);
    client.driver.abort();
  });

  it("resolves sends in order, each once its own bytes are in the kernel", async () => {
    const { server, port } = await startServer();
    servers.push(server);
    const client = await connectClient(`ws://127.0.0.1:${port}`);
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        client.driver.sendBinary(new Uint8Array(i * 997)).then(() => order.push(i)),
      ),
    );
    expect(order).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(client.driver.bufferedAmount).toBe(0);
    client.driver.abort();
  });

  it("reuses its queues across flushes and bursts: every send resolves, every byte in order", async () => {
    const { server, port, nextPeer } = await startServer();
    servers.push(server);
    const peerP = nextPeer();
    const client = await connectClient(`ws://127.0.0.1:${port}`);
    const peer = await peerP;
    const payload = (i: number): Uint8Array => new Uint8Array(1 + (i % 50)).fill(i & 0xff);
    let sent = 0;
    // One send per flush (request/response traffic), then a burst of 100 sends in one tick (the
    // queues grow past the size they are kept at), then single sends again.
    for (let i = 0; i < 150; i++) await client.driver.sendBinary(payload(sent++));
    await Promise.all(Array.from({ length: 100 }, () => client.driver.sendBinary(payload(sent++))));
    for (let i = 0; i < 50; i++) await client.driver.sendBinary(payload(sent++));
    expect(client.driver.bufferedAmount).toBe(0);
    await peer.recorder.received(sent);
    expect(peer.recorder.messages.map((m) => new Uint8Array(m.data))).toEqual(
      Array.from({ length: sent }, (_, i) => payload(i)),
    );
    client.driver.close(1000);
    await client.recorder.ended;
  });
});

describe("after a clean close", () => {
  it("the client waits for the server's FIN, then destroys after the close timeout", async () => {
    // A server that answers the close frame but never ends TCP.
    const lazy = new UpgradeServer({
      onConnection: (u) => {
        u.socket.on("data", (chunk: Buffer) => {
          const [first] = decodeFrames(new Uint8Array(chunk));
          if (first?.opcode === 8) u.socket.write(frame(8, first.payload));
        });
      },
    });
    servers.push(lazy);
    const { port } = await lazy.listen({ host: "127.0.0.1", port: 0 });
    const client = await connectClient(`ws://127.0.0.1:${port}`, {
      driver: { closeTimeoutMs: 150 },
    });
    client.driver.close(1000, "bye");
    expect(await client.recorder.ended).toEqual({
      kind: "close",
      info: { code: 1000, reason: "bye", wasClean: true, closedBy: "local" },
    });
    // Still waiting for the server to end TCP first…
    expect(client.transport.socket.destroyed).toBe(false);
    await client.driver.done;
    // …until the close timeout destroyed it.
    expect(client.transport.socket.destroyed).toBe(true);
  });

  it("the client ends at once when the server's FIN came before the close was dispatched", async () => {
    // The server sends its close frame and ends TCP right away.
    const eager = new UpgradeServer({
      onConnection: (u) => u.socket.end(frame(8, closePayload(1001, "bye"))),
    });
    servers.push(eager);
    const { port } = await eager.listen({ host: "127.0.0.1", port: 0 });
    const transport = await openTestTransport(`ws://127.0.0.1:${port}`);
    // A connection whose events are held (as behind a pending extension decode) until the
    // socket's EOF has been seen.
    const inner = new Connection(nodeConnectionOptions("client"));
    let release!: () => void;
    let hold: Promise<void> | undefined = new Promise<void>((resolve) => {
      release = () => {
        hold = undefined;
        resolve();
      };
    });
    const held: DriverConnection = {
      role: "client",
      get state() {
        return inner.state;
      },
      get receivePending() {
        return hold ?? inner.receivePending;
      },
      get sendPending() {
        return inner.sendPending;
      },
      receiveData: (b) => inner.receiveData(b),
      receiveEof: () => inner.receiveEof(),
      nextEvents: () => (hold === undefined ? inner.nextEvents() : []),
      dataToSend: () => inner.dataToSend(),
      sendText: (d, o) => inner.sendText(d, o),
      sendBinary: (d, o) => inner.sendBinary(d, o),
      sendPing: (d) => inner.sendPing(d),
      sendPong: (d) => inner.sendPong(d),
      sendClose: (c, r) => inner.sendClose(c, r),
      closeExpected: () => inner.closeExpected(),
    };
    const recorder = new Recorder();
    const driver = createDriver(transport.socket, held, recorder, {
      head: transport.head,
      closeTimeoutMs: 60_000, // without the fix the test would wait this long
    });
    transport.socket.once("end", () => setImmediate(release));
    expect(await recorder.ended).toEqual({
      kind: "close",
      info: { code: 1001, reason: "bye", wasClean: true, closedBy: "remote" },
    });
    await driver.done;
    expect(transport.socket.destroyed).toBe(true);
  });
});

describe("a handler that throws", () => {
  it("is reported on a later tick; the pump keeps dispatching and the connection closes normally", async () => {
    const { execFile } = await import("node:child_process");
    const { fileURLToPath } = await import("node:url");
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(
        process.execPath,
        [
          "--import",
          "tsx",
          "--conditions=@netsockets/source",
          fileURLToPath(new URL("./fixtures/throwing-handler.ts", import.meta.url)),
        ],
        { cwd: fileURLToPath(new URL("../..", import.meta.url)) },
        (error, out, err) => (error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out)),
      );
    });
    expect(JSON.parse(stdout.trim())).toEqual({
      received: ["first", "second", "third"],
      code: 1000,
      uncaught: ["handler bug"],
    });
  });
});
