// Interop with `ws` (8.23) in both roles, binary messages both ways.
import { afterEach, describe, expect, it } from "vitest";
import { WebSocketServer, WebSocket as WsClient } from "ws";
import { StreamWebSocket } from "../src/index.js";
import { echo, patternBytes, readAll, startServer, type TestServer } from "./helpers.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const SIZES = [0, 1, 125, 126, 65_535, 65_536, 300_000, 3 * 1024 * 1024 + 7];
const NONEMPTY = SIZES.filter((size) => size > 0).length;

describe("interop with ws", () => {
  it("our client ↔ a ws echo server: messages of every length class, the stream is their concatenation", async () => {
    const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    await new Promise((resolve) => wss.once("listening", resolve));
    const receivedByWs: number[] = [];
    wss.on("connection", (ws) => {
      ws.on("message", (data: Buffer, isBinary) => {
        expect(isBinary).toBe(true);
        receivedByWs.push(data.length);
        ws.send(data, { binary: true });
        if (receivedByWs.length === NONEMPTY) ws.close(1000, "all echoed");
      });
    });
    cleanups.push(async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    });
    const socket = new StreamWebSocket({ proxy: false });
    await socket.connectAsync(`ws://127.0.0.1:${(wss.address() as { port: number }).port}/`);
    const payloads = SIZES.map((size, i) => patternBytes(size, i + 1));
    const reading = readAll(socket);
    for (const payload of payloads) await socket.outputStream.writeAsync(payload);
    const all = await reading;
    // An empty write sends nothing (README): ws sees the other seven messages, whole.
    expect(receivedByWs).toEqual(SIZES.filter((size) => size > 0));
    expect(Buffer.from(all).equals(Buffer.concat(payloads))).toBe(true);
  });

  it("a ws client ↔ our listener: binary messages in, binary messages back", async () => {
    const s: TestServer = await startServer(echo);
    cleanups.push(() => s.listener.close({ timeoutMs: 1000 }));
    const ws = new WsClient(s.url);
    const payloads = SIZES.filter((size) => size > 0).map((size, i) => patternBytes(size, i + 20));
    const expected = Buffer.concat(payloads);
    const back: Buffer[] = [];
    let backBytes = 0;
    const done = new Promise<{ code: number }>((resolve) => {
      ws.on("message", (data: Buffer, isBinary) => {
        expect(isBinary).toBe(true);
        back.push(data);
        backBytes += data.length;
        if (backBytes === expected.length) ws.close(1000);
      });
      ws.on("close", (code) => resolve({ code }));
    });
    await new Promise((resolve) => ws.once("open", resolve));
    for (const payload of payloads) ws.send(payload, { binary: true });
    // Our echo closes with 1000 "echo done" once it reads the end of the stream.
    expect((await done).code).toBe(1000);
    expect(Buffer.concat(back).equals(expected)).toBe(true);
  });

  it("a ws client sending text to our listener gets 1003", async () => {
    const s = await startServer();
    cleanups.push(() => s.listener.close({ timeoutMs: 1000 }));
    const ws = new WsClient(s.url);
    const closed = new Promise<number>((resolve) => ws.on("close", (code) => resolve(code)));
    ws.on("open", () => ws.send("text"));
    expect(await closed).toBe(1003);
  });
});
