import { DataWriter } from "@netsockets/data";
import { afterEach, describe, expect, it } from "vitest";
import { MessageWebSocket, SocketMessageType } from "../src/index.js";
import { Collector, connectClient, echo, startServer, type TestServer } from "./helpers.js";

const servers: TestServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.listener.close({ timeoutMs: 1000 });
});

async function echoServer(): Promise<TestServer> {
  const server = await startServer(echo);
  servers.push(server);
  return server;
}

describe("MessageWebSocket client ↔ MessageWebSocketListener (loopback)", () => {
  it("echoes text and binary messages with their types, in order", async () => {
    const server = await echoServer();
    const { socket, received } = await connectClient(server.url);
    await socket.sendAsync("hello");
    await socket.sendAsync(new Uint8Array([1, 2, 3]));
    socket.control.messageType = SocketMessageType.utf8;
    await socket.sendAsync(new TextEncoder().encode("bytes as text"));
    await received.waitFor(3);
    expect(received.messages.map((m) => m.type)).toEqual([
      SocketMessageType.utf8,
      SocketMessageType.binary,
      SocketMessageType.utf8,
    ]);
    expect(received.texts()[0]).toBe("hello");
    expect([...(received.messages[1]?.data ?? [])]).toEqual([1, 2, 3]);
    expect(received.texts()[2]).toBe("bytes as text");
    expect(received.messages.every((m) => m.complete)).toBe(true);
    socket.close(1000, "bye");
    // RFC 6455 §7.1.5: the close code is the one in the close frame *received* — the echo.
    expect(await received.closed).toEqual({ code: 1000, reason: "" });
  });

  it("sends one message of control.messageType per DataWriter.storeAsync", async () => {
    const server = await echoServer();
    const { socket, received } = await connectClient(server.url);
    const writer = new DataWriter(socket.outputStream);
    writer.writeString("one");
    writer.writeString("two");
    await writer.storeAsync();
    socket.control.messageType = SocketMessageType.utf8;
    writer.writeString("three");
    expect(await writer.storeAsync()).toBe(5);
    writer.writeUInt32(7);
    // The type is read when storeAsync is called, not when the bytes reach the kernel.
    const stored = writer.storeAsync();
    socket.control.messageType = SocketMessageType.binary;
    await stored;
    await received.waitFor(3);
    expect(received.texts().slice(0, 2)).toEqual(["onetwo", "three"]);
    expect(received.messages.map((m) => m.type)).toEqual([
      SocketMessageType.binary,
      SocketMessageType.utf8,
      SocketMessageType.utf8,
    ]);
    expect(writer.detachStream()).toBe(socket.outputStream);
    writer.close();
    await socket.outputStream.flushAsync();
    socket.close();
    expect((await received.closed).code).toBe(1005);
  });

  it("server-side sockets have the client API; connectAsync on them throws", async () => {
    const server = await startServer();
    servers.push(server);
    const accepted = server.nextSocket();
    const { socket, received } = await connectClient(server.url);
    const peer = await accepted;
    await expect(peer.connectAsync(server.url)).rejects.toMatchObject({
      code: "ERR_INVALID_STATE",
    });
    expect(peer.information.localAddress).toBe("127.0.0.1");
    peer.control.messageType = SocketMessageType.utf8;
    await peer.sendAsync(new TextEncoder().encode("from server"));
    await received.waitFor(1);
    expect(received.texts()).toEqual(["from server"]);
    expect(received.messages[0]?.type).toBe(SocketMessageType.utf8);
    socket.close(1000, "");
  });

  it("delivers an empty message as a zero-length reader and stream", async () => {
    const server = await echoServer();
    const socket = new MessageWebSocket();
    const lengths: number[] = [];
    const streamed: number[] = [];
    const done = new Promise<void>((resolve) => {
      socket.addEventListener("messagereceived", async (args) => {
        lengths.push(args.getDataReader().unconsumedBufferLength);
        const bytes = await args.getDataStream().readAsync(new Uint8Array(4), 4, 0);
        streamed.push(bytes.length);
        resolve();
      });
    });
    await socket.connectAsync(server.url);
    await socket.sendAsync(new Uint8Array(0));
    await done;
    expect(lengths).toEqual([0]);
    expect(streamed).toEqual([0]);
    socket.close();
  });

  it("collects messages with a Collector attached to the server side too", async () => {
    let collector: Collector | undefined;
    const server = await startServer((s) => {
      collector = new Collector(s);
    });
    servers.push(server);
    const { socket } = await connectClient(server.url);
    for (let i = 0; i < 5; i++) void socket.sendAsync(`m${i}`);
    await socket.outputStream.flushAsync();
    await (collector as Collector).waitFor(5);
    expect((collector as Collector).texts()).toEqual(["m0", "m1", "m2", "m3", "m4"]);
    socket.close(4000, "done");
    expect(await (collector as Collector).closed).toEqual({ code: 4000, reason: "done" });
  });
});
