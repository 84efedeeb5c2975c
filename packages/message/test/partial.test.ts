import { afterEach, describe, expect, it } from "vitest";
import { MessageWebSocket, MessageWebSocketReceiveMode, SocketMessageType } from "../src/index.js";
import { connectClient, startServer, type TestServer } from "./helpers.js";

const servers: TestServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.listener.close({ timeoutMs: 500 });
});

/** A server and a connected client; `peer` is the accepted socket. */
async function connected(receiveMode: MessageWebSocketReceiveMode) {
  const server = await startServer();
  servers.push(server);
  const accepted = server.nextSocket();
  const { socket, received } = await connectClient(server.url, { receiveMode });
  return { socket, received, peer: await accepted };
}

const bytes = (...values: number[]) => new Uint8Array(values);
const concat = (parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));

describe("partialMessage receive mode", () => {
  it("raises one event per section as frames arrive; only the last is complete", async () => {
    const { received, peer } = await connected(MessageWebSocketReceiveMode.partialMessage);
    await peer.sendNonfinalFrameAsync(bytes(1, 2));
    await received.waitFor(1);
    expect(received.messages[0]).toMatchObject({ type: SocketMessageType.binary, complete: false });
    await peer.sendNonfinalFrameAsync(bytes(3));
    await received.waitFor(2);
    expect(await peer.sendFinalFrameAsync(bytes(4, 5, 6))).toBe(3);
    await received.waitFor(3);
    expect(received.messages.map((m) => m.complete)).toEqual([false, false, true]);
    expect([...concat(received.messages.map((m) => m.data))]).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("hands a large frame on in sections without assembling it", async () => {
    const { received, peer } = await connected(MessageWebSocketReceiveMode.partialMessage);
    const payload = new Uint8Array(8 * 1024 * 1024).map((_, i) => i & 0xff);
    await peer.sendAsync(payload);
    await received.waitForComplete();
    expect(received.messages.length).toBeGreaterThan(1);
    expect(received.messages.slice(0, -1).every((m) => !m.complete)).toBe(true);
    expect(Buffer.compare(concat(received.messages.map((m) => m.data)), payload)).toBe(0);
  });

  it("text sections may split a code point; the whole is valid UTF-8", async () => {
    const { received, peer } = await connected(MessageWebSocketReceiveMode.partialMessage);
    peer.control.messageType = SocketMessageType.utf8;
    const euro = new TextEncoder().encode("€uro"); // e2 82 ac 75 72 6f
    void peer.sendNonfinalFrameAsync(euro.subarray(0, 1));
    void peer.sendNonfinalFrameAsync(euro.subarray(1, 2));
    await peer.sendFinalFrameAsync(euro.subarray(2));
    await received.waitFor(3);
    expect(received.messages.every((m) => m.type === SocketMessageType.utf8)).toBe(true);
    expect(new TextDecoder().decode(concat(received.messages.map((m) => m.data)))).toBe("€uro");
  });
});

describe("fullMessage receive mode", () => {
  it("assembles a fragmented message into one event", async () => {
    const { received, peer } = await connected(MessageWebSocketReceiveMode.fullMessage);
    peer.control.messageType = SocketMessageType.utf8;
    const text = new TextEncoder().encode("héllo wörld");
    void peer.sendNonfinalFrameAsync(text.subarray(0, 2));
    void peer.sendNonfinalFrameAsync(text.subarray(2, 5));
    await peer.sendFinalFrameAsync(text.subarray(5));
    await received.waitFor(1);
    expect(received.messages).toHaveLength(1);
    expect(received.messages[0]?.complete).toBe(true);
    expect(received.texts()).toEqual(["héllo wörld"]);
  });
});

describe("fragmented and typed sends", () => {
  it("refuses a whole message while a fragmented one is open, and a type change mid-message", async () => {
    const { socket, received } = await connected(MessageWebSocketReceiveMode.fullMessage);
    // (the peer echoes nothing; we only check the sender's rules here)
    await socket.sendNonfinalFrameAsync(bytes(1));
    await expect(socket.sendAsync(bytes(2))).rejects.toMatchObject({ code: "ERR_INVALID_STATE" });
    const writer = socket.outputStream;
    await expect(writer.writeAsync(bytes(2))).rejects.toMatchObject({ code: "ERR_INVALID_STATE" });
    socket.control.messageType = SocketMessageType.utf8;
    await expect(socket.sendFinalFrameAsync(bytes(0x41))).rejects.toMatchObject({
      code: "ERR_INVALID_STATE",
    });
    socket.control.messageType = SocketMessageType.binary;
    await socket.sendFinalFrameAsync(bytes(3));
    await socket.sendAsync(bytes(4));
    expect(received.errors).toEqual([]);
    socket.close();
  });

  it("refuses invalid UTF-8 in a text message (nothing is sent) and accepts valid text", async () => {
    const server = await startServer((s) => {
      s.addEventListener("messagereceived", (args) => {
        const reader = args.getDataReader();
        void s.sendAsync(reader.readBuffer(reader.unconsumedBufferLength), {
          messageType: args.messageType,
        });
      });
    });
    servers.push(server);
    const { socket, received } = await connectClient(server.url);
    socket.control.messageType = SocketMessageType.utf8;
    await expect(socket.sendAsync(bytes(0x61, 0xff))).rejects.toMatchObject({
      code: "ERR_INVALID_ENCODING",
    });
    await expect(socket.outputStream.writeAsync(bytes(0xc0, 0x80))).rejects.toMatchObject({
      code: "ERR_INVALID_ENCODING",
    });
    await socket.sendNonfinalFrameAsync(bytes(0xe2, 0x82));
    await expect(socket.sendFinalFrameAsync(bytes(0x41))).rejects.toMatchObject({
      code: "ERR_INVALID_ENCODING",
    });
    await socket.sendFinalFrameAsync(bytes(0xac));
    // Binary bytes are never checked.
    await socket.sendAsync(bytes(0xff), { messageType: SocketMessageType.binary });
    await received.waitFor(2);
    expect(received.texts()[0]).toBe("€");
    expect(received.messages.map((m) => m.type)).toEqual([1, 0]);
    socket.close();
  });

  it("sends before connect fail with ERR_INVALID_STATE, after close with a closed error", async () => {
    const socket = new MessageWebSocket();
    await expect(socket.sendAsync("x")).rejects.toMatchObject({ code: "ERR_INVALID_STATE" });
    await expect(socket.outputStream.flushAsync()).rejects.toMatchObject({
      code: "ERR_INVALID_STATE",
    });
    await expect(socket.sendFinalFrameAsync(bytes(1))).rejects.toMatchObject({
      code: "ERR_INVALID_STATE",
    });
    socket.close();
    await expect(socket.sendAsync("x")).rejects.toMatchObject({ code: "ERR_OBJECT_CLOSED" });
    await expect(socket.outputStream.flushAsync()).rejects.toMatchObject({
      code: "ERR_OBJECT_CLOSED",
    });
  });

  it("a closed outputStream fails with ERR_OBJECT_CLOSED; the socket stays usable", async () => {
    const { socket, received } = await connected(MessageWebSocketReceiveMode.fullMessage);
    socket.outputStream.close();
    await expect(socket.outputStream.writeAsync(bytes(1))).rejects.toMatchObject({
      code: "ERR_OBJECT_CLOSED",
    });
    await socket.sendAsync("still open");
    socket.close();
    await received.closed;
  });
});
