import * as net from "node:net";
import { Connection } from "@netsockets/protocol";
import { afterAll, beforeAll, expect, it } from "vitest";
import type WebSocket from "ws";
import {
  clearProxyEnvironment,
  startWsServer,
  type WsTestServer,
} from "../../../../tests/support/servers.js";
import { ConnectCancellation } from "../../src/connect/connect-cancellation.js";
import type { ConnectOptions } from "../../src/connect/connect-options.js";
import {
  connectTransport,
  openWebSocketTransport,
} from "../../src/connect/open-websocket-transport.js";
import { readsDirectly } from "../../src/driver/socket-reads.js";
import { createDriver, nodeConnectionOptions } from "../../src/index.js";

clearProxyEnvironment();

// A plain ws:// connection of our own sockets (connectTransport, as MessageWebSocket and
// StreamWebSocket connect) reads its socket directly (driver/socket-reads.ts): the handshake's
// reader, then the driver, without 'data' events. The ws server greets at once (its frame may come with
// the 101 or in a read of its own, before the driver attaches) and then sends a burst of binary
// messages of sizes around every read-buffer threshold, which the client keeps and checks only
// at the end.

let server: WsTestServer;

/** Connects as the sockets' `connectAsync` does (the transport is not handed to user code). */
async function connectOwn(options: ConnectOptions = {}) {
  const cancellation = new ConnectCancellation(undefined);
  try {
    return await connectTransport(`ws://127.0.0.1:${server.port}/`, options, cancellation, false);
  } finally {
    cancellation.release();
  }
}

/** Sizes from empty to 300 KiB (a fixed list: 64 KiB reads, 16 KiB thresholds, frame lengths). */
const SIZES = [0, 1, 125, 126, 127, 4095, 16_385, 65_535, 65_536, 65_537, 300_000, 7, 40_000, 2];

function payload(index: number): Buffer {
  const out = Buffer.allocUnsafe(SIZES[index] as number);
  for (let i = 0; i < out.length; i++) out[i] = (i * 31 + index * 7) & 0xff;
  return out;
}

beforeAll(async () => {
  server = await startWsServer();
  server.wss.on("connection", (ws: WebSocket) => {
    for (let i = 0; i < SIZES.length; i++) ws.send(payload(i));
  });
});

afterAll(async () => {
  await server.close();
});

/**
 * Connects as the sockets do, drives `connection` until the greeting and the whole burst are in,
 * and checks that every message of the burst arrived intact; returns the driver and the socket.
 */
async function receiveBurst(connection: Connection) {
  const transport = await connectOwn();
  const texts: string[] = [];
  const binaries: Uint8Array[] = [];
  const pieces: Uint8Array[] = [];
  let all!: () => void;
  const received = new Promise<void>((resolve) => {
    all = resolve;
  });
  const driver = createDriver(
    transport.socket,
    connection,
    {
      onData(bytes, info) {
        pieces.push(bytes);
        if (!info.messageFinished) return;
        const whole = Buffer.concat(pieces.splice(0));
        if (info.binary) binaries.push(whole);
        else texts.push(whole.toString());
        if (binaries.length === SIZES.length) all();
      },
      onClose() {},
      onError(error) {
        throw error;
      },
    },
    { head: transport.head },
  );
  await received;
  expect(texts).toEqual(["hello"]);
  expect(binaries.map((b) => b.length)).toEqual(SIZES);
  binaries.forEach((bytes, i) => {
    expect(Buffer.from(bytes).equals(payload(i))).toBe(true);
  });
  driver.close(1000);
  await driver.done;
  return transport.socket;
}

it("reads a plain connection directly and keeps every message intact", async () => {
  const socket = await receiveBurst(new Connection(nodeConnectionOptions("client")));
  expect(readsDirectly(socket)).toBe(true);
});

it("reads large whole messages straight into their arrays, intact", async () => {
  const connection = new Connection({
    ...nodeConnectionOptions("client"),
    wholeBinaryMessages: true,
  });
  let readInto = 0;
  const receivedInto = connection.receivedInto.bind(connection);
  connection.receivedInto = (count) => {
    readInto += count;
    receivedInto(count);
  };
  await receiveBurst(connection);
  // The 300,000-byte message was read (mostly) straight into its array.
  expect(readInto).toBeGreaterThan(0);
  expect(readInto).toBeLessThanOrEqual(300_000 - 65_536);
});

it("keeps 'data' for a socket the caller creates, and for one handed to user code", async () => {
  const created = await connectOwn({
    createConnection: (options) => net.createConnection(options),
  });
  expect(readsDirectly(created.socket)).toBe(false);
  created.socket.destroy();
  // openWebSocketTransport's socket is documented as a plain socket to read with 'data'.
  const transport = await openWebSocketTransport(`ws://127.0.0.1:${server.port}/`, {});
  expect(readsDirectly(transport.socket)).toBe(false);
  const greeting = new Promise<Buffer>((resolve) => transport.socket.once("data", resolve));
  transport.socket.resume();
  const bytes = transport.head.length > 0 ? Buffer.from(transport.head) : await greeting;
  expect(bytes.subarray(2, 7).toString()).toBe("hello"); // the server's first text frame
  transport.socket.destroy();
});
