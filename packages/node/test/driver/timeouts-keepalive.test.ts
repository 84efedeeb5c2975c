import { ConnectionClosedError, TimeoutError, WebErrorStatus } from "@netsockets/errors";
import { frame } from "@netsockets/protocol/testing";
import { afterEach, describe, expect, it } from "vitest";
import { actualUnsolicitedPongInterval, UpgradeServer } from "../../src/index.js";
import {
  activeResources,
  connectClient,
  openTestTransport,
  startServer,
  until,
} from "./harness.js";

const servers: UpgradeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close({ timeoutMs: 500 })));
});

async function server(options: Parameters<typeof startServer>[0] = {}) {
  const started = await startServer(options);
  servers.push(started.server);
  return started;
}

/** A server that completes the handshake and then never reads nor writes. */
async function silentServer() {
  const silent = new UpgradeServer({ onConnection: (u) => u.socket.pause() });
  servers.push(silent);
  return (await silent.listen({ host: "127.0.0.1", port: 0 })).port;
}

describe("stall timeouts", () => {
  it("a send that makes no progress fails the connection with timeout; pending sends reject", async () => {
    const port = await silentServer();
    const client = await connectClient(`ws://127.0.0.1:${port}`, {
      driver: { sendTimeoutMs: 200 },
    });
    const chunk = new Uint8Array(256 * 1024);
    const sends: Promise<void>[] = [];
    while (client.driver.bufferedAmount === 0 || sends.length < 2) {
      const sent = client.driver.sendBinary(chunk);
      sent.catch(() => {});
      sends.push(sent);
      await new Promise((r) => setImmediate(r));
    }
    const ending = await client.recorder.ended;
    expect(ending.kind).toBe("error");
    if (ending.kind !== "error") return;
    expect(ending.error).toBeInstanceOf(TimeoutError);
    expect(ending.error.status).toBe(WebErrorStatus.timeout);
    await expect(sends[sends.length - 1]).rejects.toBe(ending.error);
    await client.driver.done;
    expect(client.transport.socket.destroyed).toBe(true);
  });

  it("a started incoming message that stalls fails the connection with timeout", async () => {
    const { port, nextPeer } = await server({ driver: { messageTimeoutMs: 200 } });
    const peerP = nextPeer();
    const { socket } = await openTestTransport(`ws://127.0.0.1:${port}`);
    socket.on("error", () => {});
    const peer = await peerP;
    socket.write(frame(1, new TextEncoder().encode("part"), { mask: true, fin: false }));
    const ending = await peer.recorder.ended;
    expect(ending).toMatchObject({ kind: "error", error: { code: "ERR_TIMEOUT" } });
    expect(peer.recorder.pieces).toHaveLength(1);
    await peer.driver.done;
    socket.destroy();
  });

  it("completed messages do not arm the message timeout", async () => {
    const { port, nextPeer } = await server({ driver: { messageTimeoutMs: 50 } });
    const peerP = nextPeer();
    const client = await connectClient(`ws://127.0.0.1:${port}`);
    const peer = await peerP;
    await client.driver.sendText("whole");
    await peer.recorder.received(1);
    // Prove time passed well beyond the timeout with a ping round trip series instead of a sleep.
    const started = performance.now();
    while (performance.now() - started < 200) {
      await client.driver.ping();
      await until(() => client.recorder.pongs.length > 0);
      client.recorder.pongs.length = 0;
    }
    expect(peer.recorder.ending).toBeUndefined();
    client.driver.close(1000);
    await peer.recorder.ended;
  });
});

describe("keepalive", () => {
  it("sends unsolicited pongs every desiredUnsolicitedPongInterval and reports the actual one", async () => {
    const { port, nextPeer } = await server();
    const peerP = nextPeer();
    const client = await connectClient(`ws://127.0.0.1:${port}`, {
      driver: { desiredUnsolicitedPongIntervalMs: 100 },
    });
    const peer = await peerP;
    expect(client.driver.actualUnsolicitedPongIntervalMs).toBe(100);
    await until(() => peer.recorder.pongs.length >= 3, 1_000_000);
    expect(peer.recorder.pings).toHaveLength(0);
    client.driver.close(1000);
    await client.recorder.ended;
  });

  it("clamps the unsolicited pong interval; 0 turns it off", () => {
    expect(actualUnsolicitedPongInterval(0)).toBe(0);
    expect(actualUnsolicitedPongInterval(undefined)).toBe(0);
    expect(actualUnsolicitedPongInterval(-1)).toBe(0);
    expect(actualUnsolicitedPongInterval(10)).toBe(100);
    expect(actualUnsolicitedPongInterval(30_000)).toBe(30_000);
    expect(actualUnsolicitedPongInterval(1e12)).toBe(2 ** 31 - 1);
  });

  it("pings a live peer and keeps the connection", async () => {
    const { port, nextPeer } = await server();
    const peerP = nextPeer();
    const client = await connectClient(`ws://127.0.0.1:${port}`, {
      driver: { pingIntervalMs: 50, pingTimeoutMs: 5000 },
    });
    const peer = await peerP;
    await until(() => peer.recorder.pings.length >= 3, 1_000_000);
    expect(client.recorder.pongs.length).toBeGreaterThanOrEqual(2);
    expect(client.recorder.ending).toBeUndefined();
    client.driver.close(1000);
    await client.recorder.ended;
  });

  it("fails with a distinct peerUnresponsive error when no pong arrives", async () => {
    const port = await silentServer();
    const client = await connectClient(`ws://127.0.0.1:${port}`, {
      driver: { pingIntervalMs: 50, pingTimeoutMs: 100 },
    });
    const ending = await client.recorder.ended;
    expect(ending.kind).toBe("error");
    if (ending.kind !== "error") return;
    expect(ending.error).toBeInstanceOf(ConnectionClosedError);
    expect(ending.error.code).toBe("ERR_PEER_UNRESPONSIVE");
    expect(ending.error.status).toBe(WebErrorStatus.timeout);
    await client.driver.done;
  });
});

describe("keepalive and closing", () => {
  it("a close in progress is bounded by the close timeout, not by an outstanding ping", async () => {
    const port = await silentServer();
    const client = await connectClient(`ws://127.0.0.1:${port}`, {
      driver: { pingIntervalMs: 20, pingTimeoutMs: 100, closeTimeoutMs: 300 },
    });
    await until(() => client.driver.bytesSent > 0, 1_000_000); // the first ping is out
    client.driver.close(1000);
    expect(await client.recorder.ended).toEqual({
      kind: "close",
      info: { code: 1006, reason: "", wasClean: false, closedBy: "local" },
    });
    await client.driver.done;
  });
});

describe("bandwidth statistics and counters", () => {
  it("reports bits per second over the window from the byte counters; instability 0n, peaked false", async () => {
    const { port, nextPeer } = await server({ driver: { clock: () => 5_000 } });
    const peerP = nextPeer();
    const client = await connectClient(`ws://127.0.0.1:${port}`, {
      driver: { clock: () => 5_000 },
    });
    const peer = await peerP;
    await client.driver.sendBinary(new Uint8Array(100_000));
    await peer.recorder.received(1);
    // 100,000 payload bytes + 14 bytes of masked 64-bit-length framing.
    expect(client.driver.bytesSent).toBe(100_014);
    await until(() => peer.driver.bytesReceived === 100_014);
    expect(client.driver.bandwidthStatistics).toEqual({
      outboundBitsPerSecond: 800_112n,
      inboundBitsPerSecond: 0n,
      outboundBitsPerSecondInstability: 0n,
      inboundBitsPerSecondInstability: 0n,
      outboundBandwidthPeaked: false,
      inboundBandwidthPeaked: false,
    });
    expect(peer.driver.bandwidthStatistics.inboundBitsPerSecond).toBe(800_112n);
    client.driver.close(1000);
    await client.recorder.ended;
  });
});

describe("graceful server close", () => {
  it("closes every connection with 1001, stops accepting, and leaves no handle or timer", async () => {
    const baseline = activeResources();
    const { server: upgrades, port, nextPeer } = await startServer();
    const peers = [nextPeer()];
    const a = await connectClient(`ws://127.0.0.1:${port}`);
    await peers[0];
    const p2 = nextPeer();
    const b = await connectClient(`ws://127.0.0.1:${port}`);
    await p2;
    expect(upgrades.connectionCount).toBe(2);
    await upgrades.close({ timeoutMs: 5000 });
    for (const client of [a, b]) {
      expect(await client.recorder.ended).toEqual({
        kind: "close",
        info: { code: 1001, reason: "server shutting down", wasClean: true, closedBy: "remote" },
      });
      await client.driver.done;
    }
    expect(upgrades.connectionCount).toBe(0);
    await expect(connectClient(`ws://127.0.0.1:${port}`)).rejects.toThrow(/ECONNREFUSED/);
    await until(() => (activeResources().Timeout ?? 0) <= (baseline.Timeout ?? 0));
    await until(() => (activeResources().TCPSocketWrap ?? 0) <= (baseline.TCPSocketWrap ?? 0));
    await until(() => (activeResources().TCPServerWrap ?? 0) <= (baseline.TCPServerWrap ?? 0));
  });

  it("force-closes a connection that does not answer within the timeout", async () => {
    const { server: upgrades, port, nextPeer } = await startServer();
    const peerP = nextPeer();
    const { socket } = await openTestTransport(`ws://127.0.0.1:${port}`);
    socket.pause(); // never answers the close
    socket.on("error", () => {});
    const peer = await peerP;
    const closed = new Promise((resolve) => socket.once("close", resolve));
    await upgrades.close({ timeoutMs: 150 });
    expect(peer.recorder.ending).toMatchObject({
      kind: "error",
      error: { code: "ERR_CONNECTION_ABORTED", closedBy: "local" },
    });
    socket.resume();
    await closed;
  });
});
