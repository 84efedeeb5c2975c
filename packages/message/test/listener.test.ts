import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { WebErrorStatus, WebSocketError } from "@netsockets/errors";
import { frame } from "@netsockets/protocol/testing";
import { afterEach, describe, expect, it } from "vitest";
import {
  MessageWebSocket,
  MessageWebSocketListener,
  MessageWebSocketReceiveMode,
  SocketMessageType,
} from "../src/index.js";
import { type Collector, connectClient, echo, startServer, type TestServer } from "./helpers.js";
import { connectRaw } from "./raw-peer.js";

const servers: TestServer[] = [];
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.listener.close({ timeoutMs: 500 });
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function server(...args: Parameters<typeof startServer>): Promise<TestServer> {
  const s = await startServer(...args);
  servers.push(s);
  return s;
}

async function failure(url: string, setup?: (socket: MessageWebSocket) => void): Promise<unknown> {
  const socket = new MessageWebSocket();
  setup?.(socket);
  return socket.connectAsync(url).then(
    () => {
      socket.close();
      throw new Error("connected");
    },
    (error: unknown) => error,
  );
}

describe("MessageWebSocketListener", () => {
  it("binds with bindServiceNameAsync('0') and reports localPort; binding twice is an error", async () => {
    const listener = new MessageWebSocketListener();
    cleanups.push(() => listener.close());
    expect(listener.information.localPort).toBeNull();
    listener.addEventListener("connectionreceived", ({ socket }) => echo(socket));
    await listener.bindServiceNameAsync("0");
    const port = listener.information.localPort as number;
    expect(port).toBeGreaterThan(0);
    await expect(listener.bindEndpointAsync("127.0.0.1", 0)).rejects.toMatchObject({
      code: "ERR_INVALID_STATE",
    });
    await expect(new MessageWebSocketListener().bindServiceNameAsync("http")).rejects.toMatchObject(
      { code: "ERR_INVALID_ARGUMENT" },
    );
    const { socket, received } = await connectClient(`ws://127.0.0.1:${port}/`);
    await socket.sendAsync("hi");
    await received.waitFor(1);
    expect(received.texts()).toEqual(["hi"]);
    socket.close();
  });

  it("accepted sockets take messageType, receiveMode and limits from listener.control", async () => {
    let accepted: MessageWebSocket | undefined;
    const s = await server(
      (socket) => {
        accepted = socket;
      },
      {
        messageType: SocketMessageType.utf8,
        receiveMode: MessageWebSocketReceiveMode.partialMessage,
        maxMessageSize: 1000,
      },
    );
    const { socket } = await connectClient(s.url);
    const control = (accepted as MessageWebSocket).control;
    expect(control.messageType).toBe(SocketMessageType.utf8);
    expect(control.receiveMode).toBe(MessageWebSocketReceiveMode.partialMessage);
    expect(control.maxMessageSize).toBe(1000);
    // Before-connect-only settings are fixed on an accepted socket.
    expect(() => (control.maxMessageSize = 5)).toThrow(
      expect.objectContaining({ code: "ERR_INVALID_STATE" }),
    );
    socket.close();
  });

  it("accepted sockets whose control is never read keep the listener's values as of their accept", async () => {
    const s = await server(echo, { maxMessageSize: 1000 });
    const first = await connectClient(s.url);
    // Over the limit of the first accepted socket (its control is never read): 1009.
    await first.socket.sendAsync(new Uint8Array(2000));
    expect(await first.received.closed).toMatchObject({ code: 1009 });
    // A later change applies to sockets accepted afterwards.
    s.listener.control.maxMessageSize = 5000;
    s.listener.control.messageType = SocketMessageType.utf8;
    const second = await connectClient(s.url);
    await second.socket.sendAsync(new Uint8Array(2000));
    await second.received.waitFor(1);
    const [a, b] = s.accepted as [MessageWebSocket, MessageWebSocket];
    expect(a.control.maxMessageSize).toBe(1000);
    expect(a.control.messageType).toBe(SocketMessageType.binary);
    expect(b.control.maxMessageSize).toBe(5000);
    expect(b.control.messageType).toBe(SocketMessageType.utf8);
    // Each socket's control is its own.
    b.control.messageType = SocketMessageType.binary;
    expect(b.control.messageType).toBe(SocketMessageType.binary);
    const third = await connectClient(s.url);
    await third.socket.sendAsync("x");
    await third.received.waitFor(1);
    expect((s.accepted[2] as MessageWebSocket).control.messageType).toBe(SocketMessageType.utf8);
    second.socket.close();
    third.socket.close();
  });

  it("the hook refuses with an HTTP status; the client sees its WebErrorStatus", async () => {
    const s = await server(echo, {
      upgradeHook: async (request) => {
        await Promise.resolve();
        return request.headers.authorization === undefined
          ? { accept: false, status: 401, headers: { "www-authenticate": 'Bearer realm="x"' } }
          : undefined;
      },
    });
    const error = await failure(s.url);
    expect(error).toMatchObject({ code: "ERR_HANDSHAKE_BAD_STATUS", statusCode: 401 });
    expect(WebSocketError.getStatus(error)).toBe(WebErrorStatus.unauthorized);
    const ok = new MessageWebSocket();
    ok.setRequestHeader("Authorization", "Bearer t");
    await ok.connectAsync(s.url);
    ok.close();
  });

  it("refuses foreign origins by default (403) and admits listed ones", async () => {
    const s = await server(echo);
    const refused = await failure(s.url, (socket) => {
      socket.control.origin = "https://evil.example";
    });
    expect(WebSocketError.getStatus(refused)).toBe(WebErrorStatus.forbidden);
    s.listener.control.allowedOrigins = ["https://evil.example"];
    const admitted = new MessageWebSocket({ origin: "https://evil.example" });
    await admitted.connectAsync(s.url);
    admitted.close();
  });

  it("answers 503 while nobody listens for connectionreceived", async () => {
    const listener = new MessageWebSocketListener();
    cleanups.push(() => listener.close());
    await listener.bindEndpointAsync("127.0.0.1", 0);
    const error = await failure(`ws://127.0.0.1:${listener.information.localPort}/`);
    expect(WebSocketError.getStatus(error)).toBe(WebErrorStatus.serviceUnavailable);
  });

  it("reads no frame before every connectionreceived listener has returned", async () => {
    const listener = new MessageWebSocketListener();
    cleanups.push(() => listener.close({ timeoutMs: 500 }));
    const got: string[] = [];
    const arrived = new Promise<void>((resolve) => {
      listener.addEventListener("connectionreceived", ({ socket }) => {
        // The frame that came with the handshake is already buffered; it must wait for us.
        socket.addEventListener("messagereceived", () => got.push("first"));
      });
      listener.addEventListener("connectionreceived", ({ socket, request }) => {
        expect(request.url).toBe("/path?q=1");
        socket.addEventListener("messagereceived", () => {
          got.push("second");
          resolve();
        });
      });
    });
    await listener.bindEndpointAsync("127.0.0.1", 0);
    const early = frame(0x1, new TextEncoder().encode("early"), { mask: true });
    const peer = await connectRaw(
      `ws://127.0.0.1:${listener.information.localPort}/path?q=1`,
      early,
    );
    cleanups.push(() => peer.socket.destroy());
    await arrived;
    expect(got).toEqual(["first", "second"]);
  });

  it("handleUpgrade attaches to an existing http server", async () => {
    const listener = new MessageWebSocketListener();
    listener.addEventListener("connectionreceived", ({ socket }) => echo(socket));
    const http = createServer((_req, res) => res.end("plain http"));
    http.on("upgrade", (req, socket, head) => listener.handleUpgrade(req, socket, head));
    http.listen(0, "127.0.0.1");
    await once(http, "listening");
    cleanups.push(async () => {
      await listener.close({ timeoutMs: 500 });
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
    });
    expect(listener.information.localPort).toBeNull();
    const { port } = http.address() as AddressInfo;
    const { socket, received } = await connectClient(`ws://127.0.0.1:${port}/ws`);
    await socket.sendAsync(new Uint8Array([7]));
    await received.waitFor(1);
    expect([...(received.messages[0]?.data ?? [])]).toEqual([7]);
    socket.close();
    await received.closed;
  });

  it("close() is graceful: open sockets get 1001, then nothing is accepted", async () => {
    const s = await startServer(echo);
    const accepted = s.nextSocket();
    const { received } = await connectClient(s.url);
    const serverSide = await accepted;
    const serverClosed = new Promise<number>((resolve) => {
      serverSide.addEventListener("closed", ({ code }) => resolve(code));
    });
    await s.listener.close();
    expect((await received.closed).code).toBe(1001);
    expect(await serverClosed).toBe(1001);
    const error = await failure(s.url);
    expect(WebSocketError.getStatus(error)).toBe(WebErrorStatus.cannotConnect);
    expect(() => (s.listener.control.serverCertificate = null)).toThrow(
      expect.objectContaining({ code: "ERR_INVALID_STATE" }),
    );
  });

  it("works with await using (asyncDispose)", async () => {
    let url = "";
    let client: MessageWebSocket | undefined;
    let received: Collector | undefined;
    {
      await using listener = new MessageWebSocketListener();
      listener.onconnectionreceived = ({ socket }) => echo(socket);
      await listener.bindEndpointAsync("127.0.0.1", "0");
      url = `ws://127.0.0.1:${listener.information.localPort}/`;
      ({ socket: client, received } = await connectClient(url));
    }
    expect((await (received as Collector).closed).code).toBe(1001);
    void client;
    expect(WebSocketError.getStatus(await failure(url))).toBe(WebErrorStatus.cannotConnect);
  });
});
