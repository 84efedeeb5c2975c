import { HResult, WebErrorStatus, WebSocketError } from "@netsockets/errors";
import { ChainValidationResult, PasswordCredential } from "@netsockets/node";
import { afterEach, describe, expect, it } from "vitest";
import { refusingPort } from "../../../tests/support/servers.js";
import {
  MessageWebSocket,
  type MessageWebSocketControl,
  MessageWebSocketReceiveMode,
  SocketMessageType,
} from "../src/index.js";
import { Collector, echo, startServer, type TestServer } from "./helpers.js";

const servers: TestServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.listener.close({ timeoutMs: 500 });
});

async function server(...args: Parameters<typeof startServer>): Promise<TestServer> {
  const s = await startServer(...args);
  servers.push(s);
  return s;
}

const illegal = expect.objectContaining({
  code: "ERR_INVALID_STATE",
  hresult: HResult.E_ILLEGAL_METHOD_CALL,
});

/** Properties that throw once connectAsync was called (reference §17.2 and the README's decisions). */
const lockedSetters: [string, (c: MessageWebSocketControl) => void][] = [
  ["maxMessageSize", (c) => (c.maxMessageSize = 1024)],
  ["maxFragments", (c) => (c.maxFragments = 10)],
  ["receiveMode", (c) => (c.receiveMode = MessageWebSocketReceiveMode.partialMessage)],
  ["serverCredential", (c) => (c.serverCredential = new PasswordCredential("r", "u", "p"))],
  ["proxyCredential", (c) => (c.proxyCredential = new PasswordCredential("r", "u", "p"))],
  ["clientCertificate", (c) => (c.clientCertificate = { key: "k", cert: "c" })],
  ["desiredUnsolicitedPongInterval", (c) => (c.desiredUnsolicitedPongInterval = 1000)],
  ["noDelay", (c) => (c.noDelay = false)],
  ["connectTimeoutMs", (c) => (c.connectTimeoutMs = 1000)],
  ["handshakeTimeoutMs", (c) => (c.handshakeTimeoutMs = 1000)],
  ["closeTimeoutMs", (c) => (c.closeTimeoutMs = 1000)],
  ["sendTimeoutMs", (c) => (c.sendTimeoutMs = 1000)],
  ["messageTimeoutMs", (c) => (c.messageTimeoutMs = 1000)],
  ["pingIntervalMs", (c) => (c.pingIntervalMs = 1000)],
  ["pingTimeoutMs", (c) => (c.pingTimeoutMs = 1000)],
  ["ca", (c) => (c.ca = "pem")],
  ["lookup", (c) => (c.lookup = () => {})],
  ["proxy", (c) => (c.proxy = false)],
  ["origin", (c) => (c.origin = "https://a.example")],
  ["followRedirects", (c) => (c.followRedirects = 2)],
];

describe("MessageWebSocketControl defaults (reference §5)", () => {
  it("has the documented defaults", () => {
    const { control, information } = new MessageWebSocket();
    expect(control.messageType).toBe(SocketMessageType.binary);
    expect(control.receiveMode).toBe(MessageWebSocketReceiveMode.fullMessage);
    expect(control.maxMessageSize).toBe(64 * 1024 * 1024);
    control.receiveMode = MessageWebSocketReceiveMode.partialMessage;
    expect(control.maxMessageSize).toBe(0xffffffff);
    expect(control.outboundBufferSizeInBytes).toBe(65_536);
    expect(control.serverCredential).toBeNull();
    expect(control.proxyCredential).toBeNull();
    expect(control.supportedProtocols).toEqual([]);
    expect(control.ignorableServerCertificateErrors).toEqual([]);
    expect(control.clientCertificate).toBeNull();
    expect(control.desiredUnsolicitedPongInterval).toBe(0);
    expect(control.actualUnsolicitedPongInterval).toBe(0);
    expect(control.noDelay).toBe(true);
    expect(control.connectTimeoutMs).toBe(60_000);
    expect(control.closeTimeoutMs).toBe(30_000);
    expect(information.protocol).toBeNull();
    expect(information.localAddress).toBeNull();
    expect(information.serverCertificate).toBeNull();
    expect(information.bandwidthStatistics.outboundBitsPerSecond).toBe(0n);
  });

  it("validates values with InvalidArgumentError (E_INVALIDARG)", () => {
    const { control } = new MessageWebSocket();
    const invalid = expect.objectContaining({
      code: "ERR_INVALID_ARGUMENT",
      hresult: HResult.E_INVALIDARG,
    });
    expect(() => (control.messageType = 2 as never)).toThrow(invalid);
    expect(() => (control.maxMessageSize = -1)).toThrow(invalid);
    expect(() => (control.maxMessageSize = 2 ** 32)).toThrow(invalid);
    expect(() => (control.receiveMode = 5 as never)).toThrow(invalid);
    expect(() => (control.closeTimeoutMs = Number.NaN)).toThrow(invalid);
    expect(() => (control.serverCredential = { userName: "x" } as never)).toThrow(invalid);
    expect(() => new MessageWebSocket({ messagetype: 1 } as never)).toThrow(invalid);
  });

  it("constructor options: validated at construction, each socket's control its own, lists copied", () => {
    expect(() => new MessageWebSocket({ maxMessageSize: -1 })).toThrow(
      expect.objectContaining({ code: "ERR_INVALID_ARGUMENT" }),
    );
    expect(
      () => new MessageWebSocket({ bogus: 1 } as unknown as { messageType: SocketMessageType }),
    ).toThrow(expect.objectContaining({ code: "ERR_INVALID_ARGUMENT" }));
    const options = { messageType: SocketMessageType.utf8, maxMessageSize: 4096 };
    const a = new MessageWebSocket(options);
    const b = new MessageWebSocket(options);
    a.control.messageType = SocketMessageType.binary;
    a.control.maxMessageSize = 10;
    expect(b.control.messageType).toBe(SocketMessageType.utf8);
    expect(b.control.maxMessageSize).toBe(4096);
    expect(new MessageWebSocket(options).control.maxMessageSize).toBe(4096);
    const protocols = ["a"];
    const c = new MessageWebSocket({ supportedProtocols: protocols });
    protocols.push("b");
    expect(c.control.supportedProtocols).toEqual(["a"]);
  });

  it("clamps actualUnsolicitedPongInterval to what the driver honours", () => {
    const { control } = new MessageWebSocket({ desiredUnsolicitedPongInterval: 10 });
    expect(control.actualUnsolicitedPongInterval).toBe(100);
    control.desiredUnsolicitedPongInterval = 2500;
    expect(control.actualUnsolicitedPongInterval).toBe(2500);
  });
});

describe("control changes after connectAsync (reference §17.2)", () => {
  it.each(lockedSetters)(
    "%s: allowed before connect, error while connecting, after connect and after close",
    async (_name, set) => {
      const s = await server(echo, { allowedOrigins: ["*"] });
      const socket = new MessageWebSocket();
      set(socket.control); // before: fine
      const connecting = socket.connectAsync(s.url);
      expect(() => set(socket.control)).toThrow(illegal);
      await connecting;
      expect(() => set(socket.control)).toThrow(illegal);
      socket.close();
      expect(() => set(socket.control)).toThrow(illegal);
    },
  );

  it.each(lockedSetters)("%s: allowed again after a failed connect", async (_name, set) => {
    const socket = new MessageWebSocket();
    await expect(socket.connectAsync(`ws://127.0.0.1:${await refusingPort()}/`)).rejects.toThrow();
    expect(() => set(socket.control)).not.toThrow();
  });

  it("messageType may change at any time and applies to the next send", async () => {
    const s = await server(echo);
    const socket = new MessageWebSocket();
    const received = new Collector(socket);
    await socket.connectAsync(s.url);
    const bytes = new TextEncoder().encode("x");
    await socket.sendAsync(bytes);
    socket.control.messageType = SocketMessageType.utf8;
    await socket.sendAsync(bytes);
    await received.waitFor(2);
    expect(received.messages.map((m) => m.type)).toEqual([0, 1]);
    socket.close();
    expect(() => (socket.control.messageType = SocketMessageType.binary)).not.toThrow();
  });

  it("outboundBufferSizeInBytes after connect is accepted and has no effect", async () => {
    const s = await server(echo);
    const socket = new MessageWebSocket({ outboundBufferSizeInBytes: 4096 });
    const received = new Collector(socket);
    await socket.connectAsync(s.url);
    socket.control.outboundBufferSizeInBytes = 1;
    expect(socket.control.outboundBufferSizeInBytes).toBe(1);
    await socket.sendAsync(new Uint8Array(10_000));
    await received.waitFor(1);
    expect(received.messages[0]?.data.length).toBe(10_000);
    socket.close();
  });

  it("supportedProtocols: additions after a successful connect are ignored", async () => {
    const s = await server(echo, { supportedProtocols: ["a", "b"] });
    const socket = new MessageWebSocket({ supportedProtocols: ["a"] });
    await socket.connectAsync(s.url);
    expect(socket.information.protocol).toBe("a");
    socket.control.supportedProtocols.push("b");
    expect(socket.control.supportedProtocols).toEqual(["a", "b"]);
    expect(socket.information.protocol).toBe("a");
    socket.close();
  });

  it("supportedProtocols: after a failed connect, edit the list and connect again", async () => {
    const s = await server(echo, {
      supportedProtocols: ["chat.v2"],
      upgradeHook: (request) =>
        request.protocols.includes("chat.v2") ? undefined : { accept: false, status: 400 },
    });
    const socket = new MessageWebSocket();
    socket.control.supportedProtocols.push("chat.v1");
    const failure = await socket.connectAsync(s.url).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: "ERR_HANDSHAKE_BAD_STATUS", statusCode: 400 });
    expect(WebSocketError.getStatus(failure)).toBe(WebErrorStatus.badRequest);
    socket.control.supportedProtocols.splice(0, 1, "chat.v2");
    await socket.connectAsync(s.url);
    expect(socket.information.protocol).toBe("chat.v2");
    socket.close();
  });

  it("ignorableServerCertificateErrors: a list read at connect; edits afterwards are ignored", async () => {
    const s = await server(echo);
    const socket = new MessageWebSocket();
    await socket.connectAsync(s.url);
    socket.control.ignorableServerCertificateErrors.push(ChainValidationResult.untrusted);
    expect(socket.control.ignorableServerCertificateErrors).toEqual([
      ChainValidationResult.untrusted,
    ]);
    expect(socket.information.serverCertificateErrors).toEqual([]);
    socket.close();
  });

  it("setRequestHeader: sent before connect, an error after; handshake headers refused", async () => {
    const seen: (string | string[] | undefined)[] = [];
    const s = await server(echo, {
      upgradeHook: (request) => {
        seen.push(request.headers["x-token"]);
        return undefined;
      },
    });
    const socket = new MessageWebSocket();
    expect(() => socket.setRequestHeader("Sec-WebSocket-Extensions", "permessage-deflate")).toThrow(
      expect.objectContaining({ code: "ERR_INVALID_ARGUMENT" }),
    );
    expect(() => socket.setRequestHeader("Host", "x")).toThrow();
    expect(() => socket.setRequestHeader("X-Bad", "a\r\nb")).toThrow();
    socket.setRequestHeader("X-Token", "one");
    socket.setRequestHeader("x-token", "two");
    await socket.connectAsync(s.url);
    expect(seen).toEqual(["two"]);
    expect(() => socket.setRequestHeader("X-Late", "1")).toThrow(illegal);
    socket.close();
    expect(() => socket.setRequestHeader("X-Late", "1")).toThrow(illegal);
  });

  it("sockets made with the same options connect with them; a control read afterwards has them, locked", async () => {
    const seen: { origin: unknown; token: unknown }[] = [];
    const s = await server(echo, {
      upgradeHook: (request) => {
        seen.push({ origin: request.headers.origin, token: request.headers["x-token"] });
        return undefined;
      },
    });
    // Same origin as the server: the listener refuses a foreign one by default.
    const origin = new URL(s.url.replace(/^ws/, "http")).origin;
    const options = { origin, proxy: false, handshakeTimeoutMs: 5000 } as const;
    const first = new MessageWebSocket(options);
    const second = new MessageWebSocket({ ...options });
    second.setRequestHeader("X-Token", "2");
    await first.connectAsync(s.url);
    await second.connectAsync(s.url);
    expect(seen).toEqual([
      { origin, token: undefined },
      { origin, token: "2" },
    ]);
    expect(first.control.origin).toBe(origin);
    expect(first.control.handshakeTimeoutMs).toBe(5000);
    expect(() => {
      first.control.origin = "https://other.example";
    }).toThrow(illegal);
    first.close();
    second.close();
  });

  it("messagereceived listeners: before connect and while connecting; E_ILLEGAL_METHOD_CALL after connect, also after close", async () => {
    const s = await server(echo);
    const socket = new MessageWebSocket();
    const first = () => {};
    socket.addEventListener("messagereceived", first);
    const connecting = socket.connectAsync(s.url);
    const second = () => {};
    socket.addEventListener("messagereceived", second);
    socket.removeEventListener("messagereceived", second);
    await connecting;
    expect(() => socket.addEventListener("messagereceived", () => {})).toThrow(illegal);
    expect(() => socket.removeEventListener("messagereceived", first)).toThrow(illegal);
    expect(() => (socket.onmessagereceived = () => {})).toThrow(illegal);
    expect(() => socket[Symbol.asyncIterator]()).toThrow(illegal);
    // Other events stay free.
    const onClosed = () => {};
    socket.addEventListener("closed", onClosed);
    socket.removeEventListener("closed", onClosed);
    socket.close();
    expect(() => socket.addEventListener("messagereceived", () => {})).toThrow(illegal);
    expect(() => socket.removeEventListener("messagereceived", first)).toThrow(illegal);
  });
});

describe("connectAsync failures (reference §4.3, §17.2)", () => {
  it("rejects with the right WebErrorStatus and leaves the socket reusable", async () => {
    const socket = new MessageWebSocket();
    const refused = await socket
      .connectAsync(`ws://127.0.0.1:${await refusingPort()}/`)
      .catch((error: unknown) => error);
    expect(WebSocketError.getStatus(refused)).toBe(WebErrorStatus.cannotConnect);
    const s = await server(echo, {
      upgradeHook: (request) =>
        request.url === "/missing" ? { accept: false, status: 404 } : undefined,
    });
    const notFound = await socket.connectAsync(`${s.url}missing`).catch((error: unknown) => error);
    expect(WebSocketError.getStatus(notFound)).toBe(WebErrorStatus.notFound);
    const controller = new AbortController();
    const cancelled = socket.connectAsync(s.url, { signal: controller.signal });
    controller.abort();
    const canceledError = await cancelled.catch((error: unknown) => error);
    expect(WebSocketError.getStatus(canceledError)).toBe(WebErrorStatus.operationCanceled);
    const bad = await socket.connectAsync("http://127.0.0.1/").catch((e: unknown) => e);
    expect(bad).toMatchObject({ code: "ERR_INVALID_URI" });
    const received = new Collector(socket);
    await socket.connectAsync(s.url);
    await socket.sendAsync("finally");
    await received.waitFor(1);
    expect(received.texts()).toEqual(["finally"]);
    await expect(socket.connectAsync(s.url)).rejects.toMatchObject({ code: "ERR_INVALID_STATE" });
    socket.close();
    await expect(socket.connectAsync(s.url)).rejects.toMatchObject({ code: "ERR_OBJECT_CLOSED" });
  });

  it("a second connectAsync while one is pending is refused; close() cancels the pending one", async () => {
    const s = await server(echo);
    const socket = new MessageWebSocket();
    const pending = socket.connectAsync(s.url);
    await expect(socket.connectAsync(s.url)).rejects.toMatchObject({ code: "ERR_INVALID_STATE" });
    socket.close();
    const error = await pending.catch((e: unknown) => e);
    expect(WebSocketError.getStatus(error)).toBe(WebErrorStatus.operationCanceled);
    await expect(socket.connectAsync(s.url)).rejects.toMatchObject({ code: "ERR_OBJECT_CLOSED" });
  });
});
