/**
 * Interop with `ws` 8.23 in both roles: our MessageWebSocket client ↔ a ws echo server, a ws
 * client ↔ our MessageWebSocketListener echo — text, binary, fragmented, 16 MiB, close codes,
 * subprotocols, pings.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket, { WebSocketServer } from "ws";
import {
  connectClient,
  type OurServer,
  SocketMessageType,
  sendFragmented,
  sixteenMiB,
  startOurServer,
} from "./interop-helpers.js";

describe("our client ↔ ws echo server", () => {
  let wss: WebSocketServer;
  let base = "";
  const serverCloses: { code: number; reason: string }[] = [];
  let closeWaiters: (() => void)[] = [];
  beforeAll(async () => {
    wss = new WebSocketServer({
      host: "127.0.0.1",
      port: 0,
      maxPayload: 64 * 1024 * 1024,
      handleProtocols: (offered) => (offered.has("echo.v2") ? "echo.v2" : false),
    });
    await new Promise((resolve) => wss.once("listening", resolve));
    base = `ws://127.0.0.1:${(wss.address() as { port: number }).port}`;
    wss.on("connection", (ws, request) => {
      ws.on("error", () => {});
      ws.on("close", (code, reason) => {
        serverCloses.push({ code, reason: reason.toString() });
        for (const w of closeWaiters) w();
        closeWaiters = [];
      });
      if (request.url === "/server-closes") {
        ws.once("message", () => ws.close(4001, "bye"));
        return;
      }
      if (request.url === "/server-pings") {
        ws.once("pong", (data) => ws.send(`pong received: ${data.toString()}`));
        ws.ping("ws-ping");
      }
      ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary }));
    });
  });
  afterAll(() => new Promise<void>((resolve) => wss.close(() => resolve())));

  it("echoes text, binary, fragmented and 16 MiB messages; negotiates the subprotocol; close 4000 both ways", async () => {
    const client = await connectClient(`${base}/`, { supportedProtocols: ["x.v9", "echo.v2"] });
    expect(client.socket.information.protocol).toBe("echo.v2");
    await client.socket.sendAsync("héllo ✓");
    expect(await client.next()).toMatchObject({ type: SocketMessageType.utf8, text: "héllo ✓" });
    const binary = new Uint8Array([0, 1, 0xfe, 0xff]);
    await client.socket.sendAsync(binary, { messageType: SocketMessageType.binary });
    expect(await client.next()).toMatchObject({ type: SocketMessageType.binary, bytes: binary });
    const check = Buffer.from("fragmented ✓");
    await sendFragmented(client.socket, SocketMessageType.utf8, [
      check.subarray(0, 4),
      check.subarray(4, 12),
      check.subarray(12),
    ]);
    expect(await client.next()).toMatchObject({
      type: SocketMessageType.utf8,
      text: "fragmented ✓",
    });
    const big = sixteenMiB();
    await client.socket.sendAsync(big, { messageType: SocketMessageType.binary });
    const bigEcho = await client.next();
    expect(Buffer.from(bigEcho.bytes).equals(big)).toBe(true);
    const serverClosed = new Promise<void>((resolve) => closeWaiters.push(resolve));
    client.socket.close(4000, "done");
    expect(await client.closed).toEqual({ code: 4000, reason: "done" });
    await serverClosed;
    expect(serverCloses.at(-1)).toEqual({ code: 4000, reason: "done" });
  });

  it("reports the server's close code and reason (4001 'bye')", async () => {
    const client = await connectClient(`${base}/server-closes`);
    expect(client.socket.information.protocol).toBeNull();
    await client.socket.sendAsync("close please");
    expect(await client.closed).toEqual({ code: 4001, reason: "bye" });
  });

  it("answers the server's ping with a pong carrying its payload", async () => {
    const client = await connectClient(`${base}/server-pings`);
    expect((await client.next()).text).toBe("pong received: ws-ping");
    client.socket.close();
    expect((await client.closed).code).toBe(1005);
  });
});

describe("ws client ↔ our echo server", () => {
  let ours: OurServer;
  beforeAll(async () => {
    ours = await startOurServer();
  });
  afterAll(() => ours.close());

  it("text, binary, fragmented, 16 MiB, subprotocol, ping, close 4002 both ways", async () => {
    const ws = new WebSocket(ours.url, ["chat.v1"], { maxPayload: 64 * 1024 * 1024 });
    const inbox: { data: Buffer; isBinary: boolean }[] = [];
    let wake: () => void = () => {};
    ws.on("message", (data, isBinary) => {
      inbox.push({ data: data as Buffer, isBinary });
      wake();
    });
    const next = async () => {
      while (inbox.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      return inbox.shift() as { data: Buffer; isBinary: boolean };
    };
    await new Promise((resolve, reject) => {
      ws.once("open", resolve);
      ws.once("error", reject);
    });
    expect(ws.protocol).toBe("chat.v1");
    ws.send("héllo ✓");
    expect(await next()).toEqual({ data: Buffer.from("héllo ✓"), isBinary: false });
    ws.send(new Uint8Array([0, 1, 0xfe, 0xff]));
    expect(await next()).toEqual({ data: Buffer.from([0, 1, 0xfe, 0xff]), isBinary: true });
    // Fragmented text with "✓" split across frames.
    const check = Buffer.from("fragmented ✓");
    ws.send(check.subarray(0, 4), { binary: false, fin: false });
    ws.send(check.subarray(4, 12), { binary: false, fin: false });
    ws.send(check.subarray(12), { binary: false, fin: true });
    expect(await next()).toEqual({ data: check, isBinary: false });
    const big = Buffer.from(sixteenMiB());
    ws.send(big);
    const bigEcho = await next();
    expect(bigEcho.isBinary).toBe(true);
    expect(bigEcho.data.equals(big)).toBe(true);
    const pong = new Promise<Buffer>((resolve) => ws.once("pong", resolve));
    ws.ping("ws-ping");
    expect((await pong).toString()).toBe("ws-ping");
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      ws.once("close", (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    ws.close(4002, "ws bye");
    // Our close reply echoes the code (not the reason).
    expect(await closed).toEqual({ code: 4002, reason: "" });
    expect(await ours.closes[0]).toEqual({ code: 4002, reason: "ws bye" });
  });
});
