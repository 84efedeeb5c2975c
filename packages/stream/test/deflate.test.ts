// permessage-deflate on the stream socket and its listener (opt-in `perMessageDeflate`), with
// `ws` (perMessageDeflate on) as the peer in both roles; off by default.
import { afterEach, describe, expect, it } from "vitest";
import { WebSocketServer, WebSocket as WsClient } from "ws";
import { StreamWebSocket } from "../src/index.js";
import { echo, readAll, startServer } from "./helpers.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** Compressible bytes (JSON text). */
function jsonBytes(size: number, seed: number): Uint8Array {
  let text = "";
  for (let i = 0; text.length < size; i++)
    text += JSON.stringify({ id: seed * 1000 + i, v: i % 7 });
  return Buffer.from(text.slice(0, size));
}

describe("StreamWebSocket with permessage-deflate", () => {
  it("our client ↔ a ws echo server: offered only when asked, compressed, bytes intact", async () => {
    const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: true });
    await new Promise((resolve) => wss.once("listening", resolve));
    const offers: (string | undefined)[] = [];
    let read = 0;
    let total = 0;
    wss.on("connection", (ws, request) => {
      offers.push(request.headers["sec-websocket-extensions"]);
      ws.on("message", (data: Buffer) => {
        read = request.socket.bytesRead;
        total += data.length;
        ws.send(data, { binary: true });
        if (total === 3 * 20_000) ws.close(1000, "done");
      });
    });
    cleanups.push(async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    });
    const url = `ws://127.0.0.1:${(wss.address() as { port: number }).port}/`;
    const plain = new StreamWebSocket({ proxy: false });
    await plain.connectAsync(url);
    plain.close();
    const socket = new StreamWebSocket({ proxy: false, perMessageDeflate: true });
    await socket.connectAsync(url);
    expect(offers).toEqual([undefined, "permessage-deflate; client_max_window_bits"]);
    const payloads = [1, 2, 3].map((seed) => jsonBytes(20_000, seed));
    const reading = readAll(socket);
    for (const payload of payloads) await socket.outputStream.writeAsync(payload);
    const all = await reading;
    expect(Buffer.from(all).equals(Buffer.concat(payloads))).toBe(true);
    expect(read).toBeLessThan(20_000);
  });

  it("a ws client ↔ our listener: accepted only when the listener control says so", async () => {
    for (const perMessageDeflate of [false, true]) {
      const s = await startServer(echo, { perMessageDeflate });
      cleanups.push(() => s.listener.close({ timeoutMs: 1000 }));
      const ws = new WsClient(s.url, { perMessageDeflate: true });
      await new Promise((resolve) => ws.once("open", resolve));
      expect(ws.extensions).toBe(perMessageDeflate ? "permessage-deflate" : "");
      const payload = jsonBytes(50_000, 9);
      const back: Buffer[] = [];
      let backBytes = 0;
      const done = new Promise<void>((resolve) => {
        ws.on("message", (data: Buffer) => {
          back.push(data);
          backBytes += data.length;
          if (backBytes === payload.length) resolve();
        });
      });
      ws.send(payload, { binary: true });
      await done;
      expect(Buffer.concat(back).equals(Buffer.from(payload))).toBe(true);
      const bytesRead = (ws as unknown as { _socket: { bytesRead: number } })._socket.bytesRead;
      if (perMessageDeflate) expect(bytesRead).toBeLessThan(25_000);
      else expect(bytesRead).toBeGreaterThan(50_000);
      ws.terminate();
    }
  });
});
