import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { UpgradeServer } from "../../src/index.js";
import { rawConnect, upgradeRequest } from "./raw-http.js";

const cleanups: (() => unknown)[] = [];

afterEach(async () => {
  vi.useRealTimers();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * An http server handing its upgrades to an UpgradeServer whose hook never answers: each socket
 * stays in its handshake until the deadline. Resolves each server-side socket once the hook has it.
 */
async function stalledServer(handshakeTimeoutMs: number) {
  const hooked: (() => void)[] = [];
  const upgradeServer = new UpgradeServer({
    handshakeTimeoutMs,
    onUpgrade: () => {
      hooked.shift()?.();
      return new Promise(() => {});
    },
    onConnection: () => {},
  });
  const http: Server = createServer();
  const serverSockets: Socket[] = [];
  http.on("upgrade", (req, socket, head) => {
    serverSockets.push(socket as Socket);
    upgradeServer.handleUpgrade(req, socket, head);
  });
  http.listen(0, "127.0.0.1");
  await once(http, "listening");
  const { port } = http.address() as AddressInfo;
  cleanups.push(
    () => new Promise((resolve) => http.close(resolve)),
    () => upgradeServer.close({ timeoutMs: 0 }),
  );
  /** Connects a client and waits until its request is in the (stalled) hook. */
  const stall = async (): Promise<Socket> => {
    const reached = new Promise<void>((resolve) => hooked.push(resolve));
    const client = await rawConnect(port);
    client.on("error", () => {});
    cleanups.push(() => client.destroy());
    client.write(upgradeRequest());
    await reached;
    return serverSockets.at(-1) as Socket;
  };
  return { stall };
}

/** A new stalled handshake is cut off exactly `timeoutMs` after it began (fake timers on). */
async function expectFullDeadline(stall: () => Promise<Socket>, timeoutMs: number): Promise<void> {
  const socket = await stall();
  vi.advanceTimersByTime(timeoutMs - 1);
  expect(socket.destroyed).toBe(false);
  vi.advanceTimersByTime(1);
  expect(socket.destroyed).toBe(true);
}

describe("UpgradeServer: handshake deadline", () => {
  it("destroys each socket still in its handshake exactly handshakeTimeoutMs after it began, with one timer for all", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
    const { stall } = await stalledServer(1000);
    const a = await stall();
    vi.advanceTimersByTime(400);
    const b = await stall();
    // One pending timer serves both deadlines.
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(599);
    expect(a.destroyed).toBe(false);
    vi.advanceTimersByTime(1);
    expect(a.destroyed).toBe(true);
    expect(b.destroyed).toBe(false);
    vi.advanceTimersByTime(399);
    expect(b.destroyed).toBe(false);
    vi.advanceTimersByTime(1);
    expect(b.destroyed).toBe(true);
    // Nothing left to wait for: no timer.
    expect(vi.getTimerCount()).toBe(0);
    // A later handshake gets its own full deadline again.
    await expectFullDeadline(stall, 1000);
  });

  it("lets a socket that closes mid-handshake go at once: no deadline timer is left for it", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
    const { stall } = await stalledServer(1000);
    const a = await stall();
    const b = await stall();
    expect(vi.getTimerCount()).toBe(1);
    a.destroy();
    await once(a, "close");
    // b still waits for its deadline.
    expect(vi.getTimerCount()).toBe(1);
    b.destroy();
    await once(b, "close");
    expect(vi.getTimerCount()).toBe(0);
    // A later handshake still gets its full deadline.
    await expectFullDeadline(stall, 1000);
  });
});
