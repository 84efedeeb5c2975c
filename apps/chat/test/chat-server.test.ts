import { MessageWebSocket, SocketMessageType, WebErrorStatus, WebSocketError } from "netsockets";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ServerMessage } from "../src/chat-protocol.js";
import { type ChatServer, MAX_ERRORS, startChatServer } from "../src/chat-server.js";

let server: ChatServer;
beforeAll(async () => {
  server = await startChatServer();
});
afterAll(() => server.close());

const wsUrl = (path = "/ws") => `ws://127.0.0.1:${server.port}${path}`;

/** A Node client of the chat: JSON messages in a queue, the close code as a promise. */
async function connect() {
  const socket = new MessageWebSocket();
  const queue: ServerMessage[] = [];
  const waiters: ((m: ServerMessage) => void)[] = [];
  socket.addEventListener("messagereceived", (args) => {
    try {
      const reader = args.getDataReader();
      const message = JSON.parse(reader.readString(reader.unconsumedBufferLength));
      const waiter = waiters.shift();
      if (waiter !== undefined) waiter(message);
      else queue.push(message);
    } catch {
      // connection ended
    }
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.addEventListener("closed", (args) => resolve({ code: args.code, reason: args.reason })),
  );
  await socket.connectAsync(wsUrl());
  return {
    socket,
    closed,
    send: (value: unknown) =>
      socket.sendAsync(typeof value === "string" ? value : JSON.stringify(value)),
    next: () =>
      new Promise<ServerMessage>((resolve) => {
        const first = queue.shift();
        if (first !== undefined) resolve(first);
        else waiters.push(resolve);
      }),
  };
}

describe("HTTP", () => {
  it("serves the page and its script with a CSP; 404 elsewhere", async () => {
    const page = await fetch(server.url);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(page.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(await page.text()).toContain('<script src="/chat.js"></script>');
    const script = await fetch(new URL("/chat.js", server.url));
    expect(script.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(await script.text()).toContain("new WebSocket(url)");
    expect((await fetch(new URL("/../package.json", server.url))).status).toBe(404);
    expect((await fetch(new URL("/secret", server.url))).status).toBe(404);
    expect((await fetch(server.url, { method: "POST" })).status).toBe(405);
  });

  it("refuses a WebSocket upgrade outside /ws with 404", async () => {
    const socket = new MessageWebSocket();
    const error = await socket.connectAsync(wsUrl("/other")).catch((e: unknown) => e);
    expect(WebSocketError.getStatus(error)).toBe(WebErrorStatus.notFound);
  });
});

describe("WebSocket", () => {
  it("join, say, leave notices over real sockets", async () => {
    const a = await connect();
    const b = await connect();
    await a.send({ type: "join", room: "srv", nick: "ann" });
    expect(await a.next()).toMatchObject({ type: "welcome", members: ["ann"] });
    await b.send({ type: "join", room: "srv", nick: "ben" });
    expect(await b.next()).toMatchObject({ type: "welcome", members: ["ann", "ben"] });
    expect(await a.next()).toMatchObject({ type: "notice", event: "join", nick: "ben" });
    await b.send({ type: "say", text: "hi ann" });
    expect(await a.next()).toMatchObject({ type: "message", nick: "ben", text: "hi ann" });
    expect(await b.next()).toMatchObject({ type: "message", nick: "ben", text: "hi ann" });
    b.socket.close(1000, "bye");
    expect((await b.closed).code).toBe(1000);
    expect(await a.next()).toMatchObject({ type: "notice", event: "leave", nick: "ben" });
    expect(server.rooms.members("srv")).toEqual(["ann"]);
    a.socket.close();
    await a.closed;
    expect(server.rooms.roomNames).not.toContain("srv");
  });

  it("bad JSON gets an error message and the connection stays open", async () => {
    const c = await connect();
    await c.send("{not json");
    expect(await c.next()).toEqual({
      type: "error",
      code: "bad-json",
      message: "the message is not valid JSON",
    });
    await c.send({ type: "join", room: "srv2", nick: "x" });
    expect(await c.next()).toMatchObject({ type: "welcome" });
    c.socket.close();
    await c.closed;
  });

  it("a binary message closes the connection with 1003", async () => {
    const c = await connect();
    await c.socket.sendAsync(new Uint8Array([1, 2, 3]), { messageType: SocketMessageType.binary });
    expect(await c.closed).toEqual({ code: 1003, reason: "text messages only" });
  });

  it("a message over 4 KiB closes the connection with 1009", async () => {
    const c = await connect();
    await c.send({ type: "say", text: "x".repeat(5000) });
    expect((await c.closed).code).toBe(1009);
  });

  it(`${MAX_ERRORS} bad messages close the connection with 1008`, async () => {
    const c = await connect();
    for (let i = 0; i < MAX_ERRORS; i++) await c.send("nope");
    for (let i = 0; i < MAX_ERRORS; i++) expect(await c.next()).toMatchObject({ type: "error" });
    expect(await c.closed).toEqual({ code: 1008, reason: "too many bad messages" });
  });

  it("closing the server closes chats with 1001", async () => {
    const own = await startChatServer();
    const socket = new MessageWebSocket();
    const closed = new Promise<number>((resolve) =>
      socket.addEventListener("closed", (args) => resolve(args.code)),
    );
    await socket.connectAsync(`ws://127.0.0.1:${own.port}/ws`);
    await own.close();
    expect(await closed).toBe(1001);
  });
});
