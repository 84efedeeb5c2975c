import { DataReader, DataWriter, InputStreamOptions } from "@netsockets/data";
import {
  ConnectionClosedError,
  InvalidStateError,
  ProtocolError,
  WebErrorStatus,
  WebSocketError,
} from "@netsockets/errors";
import { afterEach, describe, expect, it } from "vitest";
import { StreamWebSocket } from "../src/index.js";
import {
  closedOf,
  connectClient,
  echo,
  patternBytes,
  readAll,
  startServer,
  type TestServer,
} from "./helpers.js";

const servers: TestServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.listener.close({ timeoutMs: 1000 });
});

async function server(setup?: (socket: StreamWebSocket) => void): Promise<TestServer> {
  const s = await startServer(setup);
  servers.push(s);
  return s;
}

describe("StreamWebSocket client ↔ StreamWebSocketListener (loopback)", () => {
  it("echoes bytes; reads cross message boundaries; a clean close ends the stream", async () => {
    const s = await server(echo);
    const socket = await connectClient(s.url);
    const closed = closedOf(socket);
    expect(await socket.outputStream.writeAsync(new Uint8Array([1, 2, 3]))).toBe(3);
    expect(await socket.outputStream.writeAsync(new Uint8Array([4, 5]))).toBe(2);
    // Read with `none`: waits for all 5 bytes, across the two messages.
    const bytes = await socket.inputStream.readAsync(new Uint8Array(5), 5, InputStreamOptions.none);
    expect([...bytes]).toEqual([1, 2, 3, 4, 5]);
    socket.close(1000, "bye");
    expect(await closed).toEqual({ code: 1000, reason: "" });
    // After the close: end of stream (an empty result), also on later reads.
    const end = await socket.inputStream.readAsync(
      new Uint8Array(8),
      8,
      InputStreamOptions.partial,
    );
    expect(end.length).toBe(0);
  });

  it("a partial read resolves as soon as some bytes are there", async () => {
    const s = await server();
    const socket = await connectClient(s.url);
    const peer = s.accepted[0] ?? (await s.nextSocket());
    const read = socket.inputStream.readAsync(
      new Uint8Array(1024),
      1024,
      InputStreamOptions.partial,
    );
    await peer.outputStream.writeAsync(new Uint8Array([9, 8, 7]));
    expect([...(await read)]).toEqual([9, 8, 7]);
    socket.close();
  });

  it("DataWriter over outputStream and DataReader over inputStream (loadAsync(256), partial)", async () => {
    const s = await server(echo);
    const socket = await connectClient(s.url);
    const writer = new DataWriter(socket.outputStream);
    writer.writeUInt32(0xdeadbeef);
    writer.writeString("héllo");
    expect(await writer.storeAsync()).toBe(10);
    writer.detachStream();
    const reader = new DataReader(socket.inputStream);
    reader.inputStreamOptions = InputStreamOptions.partial;
    let loaded = 0;
    while (loaded < 10) loaded += await reader.loadAsync(256);
    expect(reader.readUInt32()).toBe(0xdeadbeef);
    expect(reader.readString(6)).toBe("héllo");
    reader.detachStream();
    const closed = closedOf(socket);
    socket.close(1000);
    expect((await closed).code).toBe(1000);
  });

  it("the server closing first: the client reads the rest, then the end; closed once on each side", async () => {
    const s = await server((peer) => {
      void peer.outputStream.writeAsync(patternBytes(100_000)).then(() => peer.close(4000, "done"));
    });
    const socket = await connectClient(s.url);
    const closedEvents: number[] = [];
    socket.addEventListener("closed", ({ code }) => closedEvents.push(code));
    const all = await readAll(socket);
    expect(Buffer.from(all).equals(patternBytes(100_000))).toBe(true);
    expect(closedEvents).toEqual([4000]);
  });

  it("a text message from the peer fails the connection with 1003 and the pending read rejects", async () => {
    const { WebSocketServer } = await import("ws");
    const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    await new Promise((resolve) => wss.once("listening", resolve));
    const peerClose = new Promise<number>((resolve) => {
      wss.on("connection", (ws) => {
        ws.on("close", (code) => resolve(code));
        ws.send(Buffer.from([1, 2]), { binary: true });
        ws.send("not binary");
      });
    });
    try {
      const port = (wss.address() as { port: number }).port;
      // `closed` listeners go on before connect: the peer's frames may all be in the first read.
      const socket = new StreamWebSocket({ proxy: false });
      const closed = closedOf(socket);
      await socket.connectAsync(`ws://127.0.0.1:${port}/`);
      const buffer = new Uint8Array(16);
      const first = await socket.inputStream.readAsync(buffer, 2, InputStreamOptions.none);
      expect([...first]).toEqual([1, 2]);
      const error = await socket.inputStream
        .readAsync(buffer, 16, InputStreamOptions.partial)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProtocolError);
      expect((error as ProtocolError).code).toBe("WS_ERR_UNSUPPORTED_DATA");
      expect((error as ProtocolError).closeCode).toBe(1003);
      expect(await peerClose).toBe(1003);
      expect((await closed).code).toBe(1003);
    } finally {
      for (const client of wss.clients) client.terminate();
      await new Promise((resolve) => wss.close(resolve));
    }
  });

  it("a TCP loss: reads reject with connectionAborted, no closed event", async () => {
    const { WebSocketServer } = await import("ws");
    const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    await new Promise((resolve) => wss.once("listening", resolve));
    const peers: import("ws").WebSocket[] = [];
    wss.on("connection", (ws) => {
      peers.push(ws);
      ws.send(Buffer.from([1, 2, 3]), { binary: true });
    });
    try {
      const port = (wss.address() as { port: number }).port;
      const socket = await connectClient(`ws://127.0.0.1:${port}/`);
      let closedFired = false;
      socket.addEventListener("closed", () => {
        closedFired = true;
      });
      const buffer = new Uint8Array(16);
      const first = await socket.inputStream.readAsync(buffer, 3, InputStreamOptions.none);
      expect([...first]).toEqual([1, 2, 3]);
      const pending = socket.inputStream.readAsync(buffer, 16, InputStreamOptions.partial);
      peers[0]?.terminate(); // TCP ends without a close frame
      const error = await pending.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConnectionClosedError);
      expect(WebSocketError.getStatus(error)).toBe(WebErrorStatus.connectionAborted);
      // Later reads and writes fail the same way.
      await expect(
        socket.inputStream.readAsync(buffer, 1, InputStreamOptions.partial),
      ).rejects.toBe(error);
      await expect(socket.outputStream.writeAsync(new Uint8Array(1))).rejects.toBeInstanceOf(
        ConnectionClosedError,
      );
      expect(closedFired).toBe(false);
    } finally {
      await new Promise((resolve) => wss.close(resolve));
    }
  });

  it("writes before connect and after close fail as reference §4.6 says", async () => {
    const socket = new StreamWebSocket();
    await expect(socket.outputStream.writeAsync(new Uint8Array(1))).rejects.toMatchObject({
      code: "ERR_INVALID_STATE",
    });
    await expect(socket.outputStream.flushAsync()).rejects.toBeInstanceOf(InvalidStateError);
    socket.close();
    await expect(socket.outputStream.flushAsync()).rejects.toMatchObject({
      code: "ERR_OBJECT_CLOSED",
    });
    await expect(socket.connectAsync("ws://127.0.0.1:1/")).rejects.toMatchObject({
      code: "ERR_OBJECT_CLOSED",
    });
  });
});
