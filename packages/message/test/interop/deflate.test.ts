/**
 * permessage-deflate on the message socket and its listener (opt-in `perMessageDeflate`), with
 * `ws` (perMessageDeflate on) as the peer in both roles; `sendAsync(…, { compress: false })`;
 * off by default on both sides.
 */
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket, { WebSocketServer } from "ws";
import { MessageWebSocketListener } from "../../src/index.js";
import { connectClient, SocketMessageType } from "./interop-helpers.js";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** JSON of `size` bytes: compresses about 10:1. */
function json(size: number): string {
  let text = "";
  for (let i = 0; text.length < size; i++) text += JSON.stringify({ id: i, name: `n${i % 50}` });
  return text.slice(0, size);
}

async function wsEcho(perMessageDeflate: boolean) {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate });
  const offers: (string | undefined)[] = [];
  const wire = { read: 0 };
  wss.on("connection", (socket, request) => {
    offers.push(request.headers["sec-websocket-extensions"]);
    socket.on("message", (data, isBinary) => {
      wire.read = request.socket.bytesRead;
      socket.send(data, { binary: isBinary });
    });
  });
  await once(wss, "listening");
  cleanups.push(() => new Promise((resolve) => wss.close(resolve)));
  return { url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`, offers, wire };
}

describe("MessageWebSocket client with control.perMessageDeflate", () => {
  it("off by default: nothing is offered", async () => {
    const { url, offers } = await wsEcho(true);
    const client = await connectClient(url);
    cleanups.push(() => client.socket.close());
    expect(offers[0]).toBeUndefined();
  });

  it("offers, compresses, echoes; compress: false sends a message as is", async () => {
    const { url, offers, wire } = await wsEcho(true);
    const client = await connectClient(url, { perMessageDeflate: true });
    cleanups.push(() => client.socket.close());
    expect(offers[0]).toBe("permessage-deflate; client_max_window_bits");
    const text = json(16 * 1024);
    await client.socket.sendAsync(text);
    expect(await client.next()).toMatchObject({ type: SocketMessageType.utf8, text });
    const compressedRead = wire.read;
    expect(compressedRead).toBeLessThan(4 * 1024);
    await client.socket.sendAsync(text, { compress: false });
    expect(await client.next()).toMatchObject({ text });
    expect(wire.read - compressedRead).toBeGreaterThan(16 * 1024);
    const bytes = Buffer.from(text);
    await client.socket.sendAsync(bytes, { messageType: SocketMessageType.binary });
    expect((await client.next()).type).toBe(SocketMessageType.binary);
    client.socket.close(1000);
    expect(await client.closed).toEqual({ code: 1000, reason: "" });
  });

  it("a server that declines leaves the connection uncompressed", async () => {
    const { url } = await wsEcho(false);
    const client = await connectClient(url, { perMessageDeflate: true });
    cleanups.push(() => client.socket.close());
    await client.socket.sendAsync("plain");
    expect((await client.next()).text).toBe("plain");
  });
});

describe("MessageWebSocketListener with control.perMessageDeflate", () => {
  async function listen(perMessageDeflate: boolean) {
    const listener = new MessageWebSocketListener({ perMessageDeflate });
    listener.addEventListener("connectionreceived", ({ socket }) => {
      socket.addEventListener("messagereceived", (args) => {
        const reader = args.getDataReader();
        const data = reader.readBuffer(reader.unconsumedBufferLength);
        socket.sendAsync(data, { messageType: args.messageType }).catch(() => {});
      });
    });
    await listener.bindEndpointAsync("127.0.0.1", "0");
    cleanups.push(() => listener.close());
    return `ws://127.0.0.1:${listener.information.localPort}/`;
  }

  async function wsClient(url: string) {
    const client = new WebSocket(url, { perMessageDeflate: true });
    cleanups.push(() => client.terminate());
    await once(client, "open");
    return client;
  }

  it("accepts a ws client's offer and compresses the echo", async () => {
    const client = await wsClient(await listen(true));
    expect(client.extensions).toBe("permessage-deflate");
    const text = json(16 * 1024);
    client.send(text);
    const [data] = (await once(client, "message")) as [Buffer];
    expect(data.toString()).toBe(text);
    const read = (client as unknown as { _socket: { bytesRead: number } })._socket.bytesRead;
    expect(read).toBeLessThan(4 * 1024);
  });

  it("declines by default", async () => {
    const client = await wsClient(await listen(false));
    expect(client.extensions).toBe("");
    client.send("plain");
    const [data] = (await once(client, "message")) as [Buffer];
    expect(data.toString()).toBe("plain");
  });
});
