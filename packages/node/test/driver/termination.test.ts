import type { Socket } from "node:net";
import { ConnectionClosedError, ProtocolError, WebErrorStatus } from "@netsockets/errors";
import { closePayload, decodeFrames, frame } from "@netsockets/protocol/testing";
import { afterEach, describe, expect, it } from "vitest";
import { UpgradeServer as Server, type UpgradeServer } from "../../src/index.js";
import {
  activeResources,
  connectClient,
  openTestTransport,
  startServer,
  until,
} from "./harness.js";

// The termination table at the driver level (reference/uwp-api.md §17.3, RFC 6455 §7).

const servers: UpgradeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close({ timeoutMs: 500 })));
});

async function server(options: Parameters<typeof startServer>[0] = {}) {
  const started = await startServer(options);
  servers.push(started.server);
  return started;
}

/** Everything a raw socket receives until it closes. */
function collect(socket: Socket): Promise<Uint8Array> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.on("error", () => {});
    socket.once("close", () => resolve(Buffer.concat(chunks)));
  });
}

describe("clean close, either side: one close with the right code", () => {
  it("client closes with a code: client closedBy local, server closedBy remote", async () => {
    const { port, nextPeer } = await server();
    const peerP = nextPeer();
    const client = await connectClient(`ws://127.0.0.1:${port}`);
    const peer = await peerP;
    client.driver.close(1000, "bye");
    expect(await client.recorder.ended).toEqual({
      kind: "close",
      // The close reports the peer's frame: the echo carries the code, not necessarily the reason.
      info: { code: 1000, reason: "", wasClean: true, closedBy: "local" },
    });
    expect(await peer.recorder.ended).toEqual({
      kind: "close",
      info: { code: 1000, reason: "bye", wasClean: true, closedBy: "remote" },
    });
    await Promise.all([client.driver.done, peer.driver.done]);
    expect(client.recorder.terminalCount).toBe(1);
    expect(peer.recorder.terminalCount).toBe(1);
    expect(client.driver.state).toBe("closed");
  });

  it("onDone runs once with the driver when done resolves, on both sides", async () => {
    const serverDone: unknown[] = [];
    const {
      port,
      nextPeer,
      server: upgradeServer,
    } = await server({
      driver: { onDone: (driver) => serverDone.push(driver) },
    });
    const peerP = nextPeer();
    const clientDone: unknown[] = [];
    const client = await connectClient(`ws://127.0.0.1:${port}`, {
      driver: { onDone: (driver) => clientDone.push(driver) },
    });
    const peer = await peerP;
    expect(upgradeServer.connectionCount).toBe(1);
    client.driver.close(1000);
    await Promise.all([client.driver.done, peer.driver.done]);
    expect(clientDone).toEqual([client.driver]);
    expect(serverDone).toEqual([peer.driver]);
    // The server's own bookkeeping (also through onDone) let go of the connection.
    expect(upgradeServer.connectionCount).toBe(0);
    // `done` read only now, after the end: already resolved.
    await client.driver.done;
    expect(clientDone).toHaveLength(1);
  });

  it("an empty close frame reports 1005 on both sides", async () => {
    const { port, nextPeer } = await server();
    const peerP = nextPeer();
    const client = await connectClient(`ws://127.0.0.1:${port}`);
    const peer = await peerP;
    peer.driver.close();
    expect(await client.recorder.ended).toEqual({
      kind: "close",
      info: { code: 1005, reason: "", wasClean: true, closedBy: "remote" },
    });
    expect(await peer.recorder.ended).toEqual({
      kind: "close",
      info: { code: 1005, reason: "", wasClean: true, closedBy: "local" },
    });
    await Promise.all([client.driver.done, peer.driver.done]);
  });

  it("a send after close rejects, and sends after the end reject with the close", async () => {
    const { port } = await server();
    const client = await connectClient(`ws://127.0.0.1:${port}`);
    client.driver.close(1000);
    await expect(client.driver.sendText("late")).rejects.toMatchObject({
      name: "InvalidStateError",
    });
    await client.recorder.ended;
    const error = await client.driver.sendText("later").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect(error).toMatchObject({ code: "ERR_CONNECTION_CLOSED", closeCode: 1000, wasClean: true });
    expect(() => client.driver.close(1000)).not.toThrow();
  });

  it("throws synchronously for a close code that may not be sent", async () => {
    const { port } = await server();
    const client = await connectClient(`ws://127.0.0.1:${port}`);
    expect(() => client.driver.close(1006)).toThrow();
    expect(() => client.driver.close(1000, "x".repeat(124))).toThrow();
    expect(client.driver.state).toBe("open");
    client.driver.abort();
    await client.driver.done;
  });
});

describe("local close with no reply within the close timeout", () => {
  it("destroys the connection and reports close 1006", async () => {
    // A server that accepts and then never reads or answers.
    const silent = new Server({ onConnection: (u) => u.socket.pause() });
    servers.push(silent);
    const { port } = await silent.listen({ host: "127.0.0.1", port: 0 });
    const client = await connectClient(`ws://127.0.0.1:${port}`, {
      driver: { closeTimeoutMs: 150 },
    });
    client.driver.close(1000, "anyone?");
    expect(await client.recorder.ended).toEqual({
      kind: "close",
      info: { code: 1006, reason: "", wasClean: false, closedBy: "local" },
    });
    await client.driver.done;
    expect(client.transport.socket.destroyed).toBe(true);
  });
});

describe("local close answered by EOF instead of a close frame", () => {
  it("still ends as a close (1006, not clean, closed by local), not as an error", async () => {
    const rude = new Server({ onConnection: (u) => u.socket.once("data", () => u.socket.end()) });
    servers.push(rude);
    const { port } = await rude.listen({ host: "127.0.0.1", port: 0 });
    const client = await connectClient(`ws://127.0.0.1:${port}`);
    client.driver.close(1000, "bye");
    expect(await client.recorder.ended).toEqual({
      kind: "close",
      info: { code: 1006, reason: "", wasClean: false, closedBy: "local" },
    });
    await client.driver.done;
  });
});

describe("a peer violation: we send the close code, then close with it", () => {
  const violations: [string, Uint8Array, number, string][] = [
    ["an unmasked client frame", frame(1, new Uint8Array([0x61])), 1002, "WS_ERR_EXPECTED_MASK"],
    [
      "a reserved opcode",
      frame(3, new Uint8Array(0), { mask: true }),
      1002,
      "WS_ERR_INVALID_OPCODE",
    ],
    [
      "invalid UTF-8 in text",
      frame(1, new Uint8Array([0xc0, 0xaf]), { mask: true }),
      1007,
      "WS_ERR_INVALID_UTF8",
    ],
    [
      "a message over maxMessageSize",
      frame(2, new Uint8Array(2048), { mask: true }),
      1009,
      "WS_ERR_MESSAGE_TOO_BIG",
    ],
    [
      "too many fragments",
      new Uint8Array(
        Buffer.concat([
          frame(2, new Uint8Array(0), { mask: true, fin: false }),
          frame(0, new Uint8Array(0), { mask: true, fin: false }),
          frame(0, new Uint8Array(0), { mask: true, fin: false }),
          frame(0, new Uint8Array(0), { mask: true, fin: false }),
        ]),
      ),
      1008,
      "WS_ERR_TOO_MANY_FRAGMENTS",
    ],
  ];
  for (const [name, bytes, code, errorCode] of violations) {
    it(`${name} → close ${code}`, async () => {
      const { port, nextPeer } = await server({
        limits: { maxMessageSize: 1024, maxFragments: 3 },
      });
      const peerP = nextPeer();
      const { socket } = await openTestTransport(`ws://127.0.0.1:${port}`);
      const received = collect(socket);
      const peer = await peerP;
      socket.write(bytes);
      const ending = await peer.recorder.ended;
      expect(ending.kind).toBe("close");
      if (ending.kind !== "close") return;
      expect(ending.info).toMatchObject({ code, wasClean: false, closedBy: "local" });
      expect(ending.info.error).toBeInstanceOf(ProtocolError);
      expect(ending.info.error?.code).toBe(errorCode);
      // On the wire: exactly one close frame with that code, then the server ends TCP.
      const frames = decodeFrames(await received);
      expect(frames).toHaveLength(1);
      expect(frames[0]?.opcode).toBe(8);
      expect(((frames[0]?.payload[0] ?? 0) << 8) | (frames[0]?.payload[1] ?? 0)).toBe(code);
      await peer.driver.done;
      expect(peer.recorder.terminalCount).toBe(1);
    });
  }

  it("a masked server frame fails our client with 1002", async () => {
    const raw = new Server({
      onConnection: (u) => {
        u.socket.write(frame(1, new Uint8Array([0x61]), { mask: true }));
      },
    });
    servers.push(raw);
    const { port } = await raw.listen({ host: "127.0.0.1", port: 0 });
    // The raw server never ends TCP: after our close frame we wait the close timeout for its FIN.
    const client = await connectClient(`ws://127.0.0.1:${port}`, {
      driver: { closeTimeoutMs: 100 },
    });
    const ending = await client.recorder.ended;
    expect(ending).toMatchObject({ kind: "close", info: { code: 1002, closedBy: "local" } });
    await client.driver.done;
  });
});

describe("TCP loss without a close frame", () => {
  it("EOF: no close, one error connectionAborted, pending sends reject, nothing left behind", async () => {
    const { port, nextPeer } = await server();
    const baseline = activeResources();
    const peerP = nextPeer();
    const { socket } = await openTestTransport(`ws://127.0.0.1:${port}`);
    const peer = await peerP;
    socket.end();
    const ending = await peer.recorder.ended;
    expect(ending.kind).toBe("error");
    if (ending.kind !== "error") return;
    expect(ending.error).toBeInstanceOf(ConnectionClosedError);
    expect(ending.error.code).toBe("ERR_CONNECTION_ABORTED");
    expect(ending.error).toMatchObject({ closeCode: 1006, wasClean: false, closedBy: "transport" });
    expect(peer.recorder.closeReceived).toBeUndefined();
    await expect(peer.driver.sendText("x")).rejects.toBe(ending.error);
    await peer.driver.done;
    expect(peer.recorder.terminalCount).toBe(1);
    await until(() => socket.destroyed);
    await until(() => (activeResources().Timeout ?? 0) <= (baseline.Timeout ?? 0));
    await until(() => (activeResources().TCPSocketWrap ?? 0) <= (baseline.TCPSocketWrap ?? 0));
  });

  it("reset: error connectionReset, and sends waiting for the kernel reject with it", async () => {
    const { port, nextPeer } = await server();
    const peerP = nextPeer();
    const { socket } = await openTestTransport(`ws://127.0.0.1:${port}`);
    socket.pause(); // never read: the server's sends pile up
    const peer = await peerP;
    const chunk = new Uint8Array(256 * 1024);
    const sends: Promise<void>[] = [];
    while (peer.driver.bufferedAmount < 8 * 1024 * 1024) {
      const sent = peer.driver.sendBinary(chunk);
      sent.catch(() => {});
      sends.push(sent);
      await new Promise((r) => setImmediate(r));
    }
    const last = sends[sends.length - 1] as Promise<void>;
    const settled = last.then(
      () => "resolved",
      (e: unknown) => e,
    );
    socket.resetAndDestroy();
    const ending = await peer.recorder.ended;
    expect(ending).toMatchObject({ kind: "error", error: { code: "ERR_CONNECTION_RESET" } });
    if (ending.kind !== "error") return;
    expect(await settled).toBe(ending.error);
    await peer.driver.done;
  });

  // Node 20 calls the write callback of a write in flight with `null` once the socket is
  // destroyed (stream_base_commons onWriteComplete), so "the callback said no error" is not
  // "the kernel took the bytes" after a loss.
  for (const how of ["destroy", "resetAndDestroy"] as const) {
    it(`a peer ${how}() while 32 MiB wait: every pending send rejects with the loss, none resolves`, async () => {
      const { port, nextPeer } = await server();
      const peerP = nextPeer();
      const { socket } = await openTestTransport(`ws://127.0.0.1:${port}`);
      socket.pause(); // never read: the server's sends pile up in both kernels and the queue
      socket.on("error", () => {});
      const peer = await peerP;
      const chunk = new Uint8Array(256 * 1024);
      const outcomes: ("pending" | "resolved" | unknown)[] = [];
      const settled: Promise<void>[] = [];
      for (let i = 0; i < 128; i++) {
        const index = outcomes.push("pending") - 1;
        settled.push(
          peer.driver.sendBinary(chunk).then(
            () => {
              outcomes[index] = "resolved";
            },
            (error: unknown) => {
              outcomes[index] = error;
            },
          ),
        );
      }
      // Let the kernel buffers fill until the write path stalls on the unread peer.
      let before = -1;
      while (peer.driver.bytesSent !== before) {
        before = peer.driver.bytesSent;
        await until(() => peer.driver.bufferedAmount > 0);
        await new Promise((r) => setImmediate(r));
        await new Promise((r) => setImmediate(r));
      }
      const pendingAtLoss = outcomes.flatMap((o, i) => (o === "pending" ? [i] : []));
      expect(pendingAtLoss.length).toBeGreaterThan(0);
      socket[how]();
      const ending = await peer.recorder.ended;
      expect(ending.kind).toBe("error");
      if (ending.kind !== "error") return;
      expect(ending.error).toBeInstanceOf(ConnectionClosedError);
      expect(["ERR_CONNECTION_RESET", "ERR_CONNECTION_ABORTED"]).toContain(ending.error.code);
      if (how === "resetAndDestroy") expect(ending.error.code).toBe("ERR_CONNECTION_RESET");
      await Promise.all(settled);
      for (const i of pendingAtLoss) expect(outcomes[i], `send #${i}`).toBe(ending.error);
      await peer.driver.done;
    });
  }

  it("the errors package's table decides what a reset is: ENETRESET is connectionReset too", async () => {
    const { port, nextPeer } = await server();
    const peerP = nextPeer();
    const { socket } = await openTestTransport(`ws://127.0.0.1:${port}`);
    socket.on("error", () => {});
    const peer = await peerP;
    // A system error the way libuv reports it, on the real socket.
    peer.driver.socket.destroy(
      Object.assign(new Error("read ENETRESET"), {
        code: "ENETRESET",
        errno: -102,
        syscall: "read",
      }),
    );
    const ending = await peer.recorder.ended;
    expect(ending).toMatchObject({
      kind: "error",
      error: { code: "ERR_CONNECTION_RESET", status: WebErrorStatus.connectionReset },
    });
    await peer.driver.done;
  });

  it("the client side too: the server vanishing is connectionAborted, not a close", async () => {
    const raw = new Server({ onConnection: (u) => setImmediate(() => u.socket.destroy()) });
    servers.push(raw);
    const { port } = await raw.listen({ host: "127.0.0.1", port: 0 });
    const client = await connectClient(`ws://127.0.0.1:${port}`);
    const ending = await client.recorder.ended;
    expect(ending.kind).toBe("error");
    if (ending.kind === "error") {
      expect(["ERR_CONNECTION_ABORTED", "ERR_CONNECTION_RESET"]).toContain(ending.error.code);
    }
    await client.driver.done;
  });
});

describe("abort", () => {
  it("destroys at once and reports the given error once", async () => {
    const { port, nextPeer } = await server();
    const peerP = nextPeer();
    const client = await connectClient(`ws://127.0.0.1:${port}`);
    const peer = await peerP;
    client.driver.abort();
    expect(await client.recorder.ended).toMatchObject({
      kind: "error",
      error: { code: "ERR_CONNECTION_ABORTED", closedBy: "local" },
    });
    expect((await peer.recorder.ended).kind).toBe("error");
    await client.driver.done;
    client.driver.abort();
    expect(client.recorder.terminalCount).toBe(1);
  });

  it("survives a peer that sends a close frame then garbage, with no listener throwing", async () => {
    const { port, nextPeer } = await server();
    const peerP = nextPeer();
    const { socket } = await openTestTransport(`ws://127.0.0.1:${port}`);
    const received = collect(socket);
    const peer = await peerP;
    socket.write(
      Buffer.concat([
        frame(8, closePayload(1000, "ok"), { mask: true }),
        Buffer.from([0xff, 0xff, 0xff]),
      ]),
    );
    expect(await peer.recorder.ended).toMatchObject({
      kind: "close",
      info: { code: 1000, wasClean: true, closedBy: "remote" },
    });
    socket.end();
    const frames = decodeFrames(await received);
    expect(frames.map((f) => f.opcode)).toEqual([8]);
  });
});
