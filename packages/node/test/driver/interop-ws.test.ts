import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket, { WebSocketServer } from "ws";
import type { UpgradeServer } from "../../src/index.js";
import { connectClient, echo, startServer, text, utf8 } from "./harness.js";

// Interop both ways with ws: a ws client against our server + driver, and our client driver
// against a ws server. Plain TCP here; TLS in interop-tls.test.ts.

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function ourServer(options: Parameters<typeof startServer>[0] = {}) {
  const started = await startServer({ setup: echo, ...options });
  cleanups.push(() => (started.server as UpgradeServer).close({ timeoutMs: 1000 }));
  return started;
}

async function wsServer(options: ConstructorParameters<typeof WebSocketServer>[0] = {}) {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, ...options });
  await once(wss, "listening");
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close(() => resolve());
      }),
  );
  return { wss, port: (wss.address() as AddressInfo).port };
}

function wsClient(url: string, protocols?: string[]): WebSocket {
  const client = new WebSocket(url, protocols, { perMessageDeflate: false });
  cleanups.push(() => client.terminate());
  return client;
}

describe("ws client → our server", () => {
  it("echoes text and binary, empty messages included", async () => {
    const { port } = await ourServer();
    const client = wsClient(`ws://127.0.0.1:${port}`);
    await once(client, "open");
    const got: { data: Buffer; isBinary: boolean }[] = [];
    client.on("message", (data: Buffer, isBinary) => got.push({ data, isBinary }));
    client.send("héllo ✓");
    client.send(Buffer.from([0, 1, 2, 255]));
    client.send("");
    client.send(Buffer.alloc(0));
    while (got.length < 4) await once(client, "message");
    expect(got.map((m) => m.isBinary)).toEqual([false, true, false, true]);
    expect(got[0]?.data.toString()).toBe("héllo ✓");
    expect([...(got[1]?.data ?? [])]).toEqual([0, 1, 2, 255]);
    expect(got[2]?.data.length).toBe(0);
    expect(got[3]?.data.length).toBe(0);
  });

  it("reassembles a fragmented message sent by ws", async () => {
    const { port, nextPeer } = await ourServer();
    const peerP = nextPeer();
    const client = wsClient(`ws://127.0.0.1:${port}`);
    await once(client, "open");
    const peer = await peerP;
    client.send("abc", { fin: false });
    client.send("def", { fin: false });
    client.send("ghi", { fin: true });
    const [reply] = (await once(client, "message")) as [Buffer];
    expect(reply.toString()).toBe("abcdefghi");
    const starts = peer.recorder.pieces.map((p) => [p.info.messageStarted, p.info.fin]);
    expect(starts).toEqual([
      [true, false],
      [false, false],
      [false, true],
    ]);
  });

  it("carries a 16 MiB message both ways intact", async () => {
    const { port } = await ourServer();
    const client = wsClient(`ws://127.0.0.1:${port}`);
    await once(client, "open");
    const big = Buffer.alloc(16 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4096) big[i] = (i / 4096) & 0xff;
    big[big.length - 1] = 0x5a;
    client.send(big);
    const [reply] = (await once(client, "message")) as [Buffer];
    expect(reply.length).toBe(big.length);
    expect(reply.equals(big)).toBe(true);
  });

  it("negotiates a subprotocol and reports close codes both ways", async () => {
    const { port, nextPeer } = await ourServer({ server: { supportedProtocols: ["v2", "v1"] } });
    const peerP = nextPeer();
    const client = wsClient(`ws://127.0.0.1:${port}`, ["v1", "v2"]);
    await once(client, "open");
    expect(client.protocol).toBe("v1");
    const peer = await peerP;
    expect(peer.upgrade.protocol).toBe("v1");
    client.close(4001, "client says bye");
    const [code] = (await once(client, "close")) as [number, Buffer];
    // The echo carries the same code (RFC 6455 §5.5.1).
    expect(code).toBe(4001);
    const ending = await peer.recorder.ended;
    expect(ending).toEqual({
      kind: "close",
      info: { code: 4001, reason: "client says bye", wasClean: true, closedBy: "remote" },
    });
    expect(peer.recorder.closeReceived).toEqual({ code: 4001, reason: "client says bye" });
    await peer.driver.done;
  });

  it("closes from the server side with a code ws reports, and the server ends TCP first", async () => {
    const { port, nextPeer } = await ourServer();
    const peerP = nextPeer();
    const client = wsClient(`ws://127.0.0.1:${port}`);
    await once(client, "open");
    const peer = await peerP;
    let clientSawEnd = false;
    // biome-ignore lint/suspicious/noExplicitAny: reaching ws's socket to watch the FIN
    (client as any)._socket.once("end", () => {
      clientSawEnd = true;
    });
    peer.driver.close(1001, "going away");
    const [code, reason] = (await once(client, "close")) as [number, Buffer];
    expect(code).toBe(1001);
    expect(reason.toString()).toBe("going away");
    expect(await peer.recorder.ended).toEqual({
      kind: "close",
      info: { code: 1001, reason: "going away", wasClean: true, closedBy: "local" },
    });
    await peer.driver.done;
    expect(clientSawEnd).toBe(true);
  });
});

describe("our client → ws server", () => {
  it("sends and receives text, binary and fragments", async () => {
    const { wss, port } = await wsServer();
    wss.on("connection", (socket) => {
      socket.on("message", (data, isBinary) => socket.send(data, { binary: isBinary }));
    });
    const { driver, recorder } = await connectClient(`ws://127.0.0.1:${port}`);
    cleanups.push(() => driver.abort());
    await driver.sendText("hello");
    await driver.sendBinary(new Uint8Array([9, 8, 7]));
    await driver.sendText("frag-", { fin: false });
    await driver.sendText("ment", { fin: true });
    await recorder.received(3);
    expect(recorder.messages.map((m) => [m.binary, m.binary ? [...m.data] : text(m.data)])).toEqual(
      [
        [false, "hello"],
        [true, [9, 8, 7]],
        [false, "frag-ment"],
      ],
    );
  });

  it("receives a 16 MiB message from ws and sends one", async () => {
    const { wss, port } = await wsServer({ maxPayload: 32 * 1024 * 1024 });
    const big = new Uint8Array(16 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 1000) big[i] = i & 0xff;
    const serverGot = new Promise<Buffer>((resolve) => {
      wss.on("connection", (socket) => {
        socket.send(big);
        socket.on("message", (data: Buffer) => resolve(data));
      });
    });
    const { driver, recorder } = await connectClient(`ws://127.0.0.1:${port}`);
    cleanups.push(() => driver.abort());
    await recorder.received(1);
    expect(Buffer.from(recorder.messages[0]?.data ?? []).equals(Buffer.from(big))).toBe(true);
    await driver.sendBinary(big);
    expect((await serverGot).equals(Buffer.from(big))).toBe(true);
  });

  it("negotiates a subprotocol with ws", async () => {
    const { port } = await wsServer({ handleProtocols: (set) => (set.has("b") ? "b" : false) });
    const { driver, transport } = await connectClient(`ws://127.0.0.1:${port}`, {
      protocols: ["a", "b"],
    });
    cleanups.push(() => driver.abort());
    expect(transport.protocol).toBe("b");
  });

  it("closes cleanly when ws closes with a code, 1005 for an empty close frame", async () => {
    const { wss, port } = await wsServer();
    const closes = [4500, undefined];
    wss.on("connection", (socket) => {
      const code = closes.shift();
      if (code === undefined) socket.close();
      else socket.close(code, "srv");
    });
    for (const expected of [
      { code: 4500, reason: "srv" },
      { code: 1005, reason: "" },
    ]) {
      const { driver, recorder } = await connectClient(`ws://127.0.0.1:${port}`);
      const ending = await recorder.ended;
      expect(ending).toEqual({
        kind: "close",
        info: { ...expected, wasClean: true, closedBy: "remote" },
      });
      await driver.done;
      expect(recorder.terminalCount).toBe(1);
    }
  });

  it("closes first with a code ws sees, and waits for ws to end TCP", async () => {
    const { wss, port } = await wsServer();
    const seen = new Promise<[number, string]>((resolve) => {
      wss.on("connection", (socket) =>
        socket.on("close", (code, reason) => resolve([code, reason.toString()])),
      );
    });
    const { driver, recorder } = await connectClient(`ws://127.0.0.1:${port}`);
    driver.close(3000, "done");
    expect(await seen).toEqual([3000, "done"]);
    expect(await recorder.ended).toEqual({
      kind: "close",
      info: { code: 3000, reason: "done", wasClean: true, closedBy: "local" },
    });
    await driver.done;
    expect(driver.state).toBe("closed");
  });

  it("echoes through ws with utf8 edge cases intact", async () => {
    const { wss, port } = await wsServer();
    wss.on("connection", (socket) => socket.on("message", (d, b) => socket.send(d, { binary: b })));
    const { driver, recorder } = await connectClient(`ws://127.0.0.1:${port}`);
    cleanups.push(() => driver.abort());
    const sample = "\u{10FFFF}\u{FFFE}é𝄞\u0000";
    await driver.sendText(utf8(sample));
    await recorder.received(1);
    expect(text(recorder.messages[0]?.data ?? new Uint8Array())).toBe(sample);
  });
});
