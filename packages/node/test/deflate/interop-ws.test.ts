// permessage-deflate over real sockets, interop with ws (perMessageDeflate on) in both roles,
// with and without context takeover; bad negotiations over the wire (HandshakeError on the
// client, a declined offer on the server).
import { once } from "node:events";
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { HandshakeError } from "@netsockets/errors";
import { computeAcceptKey } from "@netsockets/protocol";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket, { WebSocketServer } from "ws";
import { openWebSocketTransport, zlibJobCounts } from "../../src/index.js";
import { deflateClient, deflateEchoServer, jsonOf } from "./helpers.js";

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function wsEchoServer(perMessageDeflate: WebSocket.PerMessageDeflateOptions) {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate });
  const offers: (string | undefined)[] = [];
  wss.on("connection", (socket, request) => {
    offers.push(request.headers["sec-websocket-extensions"]);
    socket.on("message", (data, isBinary) => socket.send(data, { binary: isBinary }));
  });
  await once(wss, "listening");
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close(() => resolve());
      }),
  );
  return { url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`, offers };
}

const SIZES = [0, 10, 1000, 5000, 16 * 1024, 200_000];

const CONTEXT_CASES = [
  ["with context takeover", {}],
  [
    "without context takeover",
    { serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 10 },
  ],
] as const;

describe.each(CONTEXT_CASES)("our client ↔ ws server, %s", (_label, negotiation) => {
  it("negotiates, echoes text and binary intact, and compresses on the wire", async () => {
    const { url, offers } = await wsEchoServer({ threshold: 0, ...negotiation });
    const client = await deflateClient(url, {
      offer: negotiation,
      deflate: { threshold: 0 },
    });
    cleanups.push(() => client.driver.abort());
    expect(offers[0]).toMatch(/^permessage-deflate/);
    expect(client.transport.perMessageDeflate).toMatchObject({
      serverNoContextTakeover: "serverNoContextTakeover" in negotiation,
      clientNoContextTakeover: "clientNoContextTakeover" in negotiation,
    });
    let plainBytes = 0;
    for (const [i, size] of SIZES.entries()) {
      const text = jsonOf(size, i);
      plainBytes += size * 2;
      await client.driver.sendText(text);
      const echoed = await client.next();
      expect(echoed.binary).toBe(false);
      expect(Buffer.from(echoed.data).toString()).toBe(text);
      const bytes = Buffer.from(text);
      await client.driver.sendBinary(bytes);
      const back = await client.next();
      expect(back.binary).toBe(true);
      expect(Buffer.compare(back.data, bytes)).toBe(0);
    }
    // JSON compresses well: both directions carried far fewer bytes than the messages hold.
    expect(client.driver.bytesSent).toBeLessThan(plainBytes / 4);
    expect(client.driver.bytesReceived).toBeLessThan(plainBytes / 4);
    client.driver.close(1000);
    const end = await client.ended;
    expect(end).toMatchObject({ code: 1000, wasClean: true });
    await client.driver.done;
    expect(client.deflate?.closed).toBe(true);
  });
});

describe.each(CONTEXT_CASES)("ws client ↔ our server, %s", (_label, negotiation) => {
  it("negotiates, echoes text and binary intact, and compresses on the wire", async () => {
    const { server, url, extensions } = await deflateEchoServer({
      negotiation,
      deflate: { threshold: 0 },
    });
    cleanups.push(() => server.close({ timeoutMs: 1000 }));
    const client = new WebSocket(url, {
      perMessageDeflate: { threshold: 0, ...negotiation },
    });
    cleanups.push(() => client.terminate());
    await once(client, "open");
    expect(client.extensions).toBe("permessage-deflate");
    expect(extensions[0]?.parameters).toMatchObject(
      "serverNoContextTakeover" in negotiation
        ? { serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 10 }
        : {
            serverNoContextTakeover: false,
            clientNoContextTakeover: false,
            serverMaxWindowBits: 15,
          },
    );
    const inbox: { data: Buffer; isBinary: boolean }[] = [];
    client.on("message", (data: Buffer, isBinary) => inbox.push({ data, isBinary }));
    const next = async () => {
      while (inbox.length === 0) await once(client, "message");
      return inbox.shift() as { data: Buffer; isBinary: boolean };
    };
    for (const [i, size] of SIZES.entries()) {
      const text = jsonOf(size, i);
      client.send(text);
      const echoed = await next();
      expect(echoed.isBinary).toBe(false);
      expect(echoed.data.toString()).toBe(text);
      client.send(Buffer.from(text));
      const back = await next();
      expect(back.isBinary).toBe(true);
      expect(back.data.toString()).toBe(text);
    }
    // Compressed on the wire both ways: ws counts what it received from us in bytes.
    const received = (client as unknown as { _socket: { bytesRead: number } })._socket.bytesRead;
    const total = SIZES.reduce((n, s) => n + 2 * s, 0);
    expect(received).toBeLessThan(total / 4);
    expect(extensions).toHaveLength(1);
    client.close(1000);
    await once(client, "close");
    await server.close({ timeoutMs: 1000 });
    await expect.poll(() => extensions[0]?.closed).toBe(true);
    expect(zlibJobCounts()).toEqual({ running: 0, queued: 0 });
  });
});

describe("negotiation over the wire", () => {
  it("ws's default offer (client_max_window_bits) and a fallback list from our client", async () => {
    const { url, offers } = await wsEchoServer({ threshold: 0 });
    const client = await deflateClient(url, {
      offer: [{ clientMaxWindowBits: 9, serverMaxWindowBits: 9 }, {}],
    });
    cleanups.push(() => client.driver.abort());
    expect(offers[0]).toBe(
      "permessage-deflate; server_max_window_bits=9; client_max_window_bits=9, permessage-deflate; client_max_window_bits",
    );
    // ws accepts the first offer.
    expect(client.transport.perMessageDeflate).toMatchObject({
      serverMaxWindowBits: 9,
      clientMaxWindowBits: 9,
    });
    const text = jsonOf(50_000);
    await client.driver.sendText(text);
    expect(Buffer.from((await client.next()).data).toString()).toBe(text);
  });

  /** A server that answers any upgrade with `extensions` as its Sec-WebSocket-Extensions. */
  async function answeringServer(extensions: string) {
    const server = createServer();
    server.on("upgrade", (req, socket) => {
      const key = req.headers["sec-websocket-key"] as string;
      const accept = computeAcceptKey(key);
      socket.end(
        `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\nSec-WebSocket-Extensions: ${extensions}\r\n\r\n`,
      );
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    return `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  }

  it.each([
    "permessage-deflate; server_max_window_bits=1000",
    "permessage-deflate; server_max_window_bits=0",
    "permessage-deflate; server_max_window_bits=7",
    "permessage-deflate; server_max_window_bits=16",
    "permessage-deflate; server_max_window_bits=abc",
    "permessage-deflate; server_max_window_bits",
    "permessage-deflate; client_max_window_bits",
    "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
    "permessage-deflate; x_unknown",
    "permessage-deflate; __proto__",
    "permessage-deflate, permessage-deflate",
  ])("a client fails the handshake on the answer %s", async (answer) => {
    const url = await answeringServer(answer);
    const error = await openWebSocketTransport(url, { perMessageDeflate: {}, proxy: false }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(HandshakeError);
    expect((error as HandshakeError).code).toBe("ERR_HANDSHAKE_EXTENSION");
  });

  it("a client that offered client_max_window_bits=false fails on an answer limiting it", async () => {
    const url = await answeringServer("permessage-deflate; client_max_window_bits=10");
    const error = await openWebSocketTransport(url, {
      perMessageDeflate: { clientMaxWindowBits: false },
      proxy: false,
    }).catch((caught: unknown) => caught);
    expect((error as HandshakeError).code).toBe("ERR_HANDSHAKE_EXTENSION");
  });

  it("bad options fail before any I/O", async () => {
    await expect(
      openWebSocketTransport("ws://127.0.0.1:1/", {
        perMessageDeflate: { serverMaxWindowBits: 16 },
      }),
    ).rejects.toThrow(/8 to 15/);
  });

  /** Sends a raw upgrade request with `extensions` and returns the 101's extension header. */
  async function answerTo(port: number, extensions: string) {
    const req = request({
      host: "127.0.0.1",
      port,
      headers: {
        Connection: "Upgrade",
        Upgrade: "websocket",
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Extensions": extensions,
      },
    });
    req.end();
    const [response, socket] = (await once(req, "upgrade")) as [
      { headers: Record<string, string | undefined> },
      import("node:net").Socket,
    ];
    socket.destroy();
    return response.headers["sec-websocket-extensions"];
  }

  it("our server declines bad offers and takes the next valid one", async () => {
    const { server, port } = await deflateEchoServer();
    cleanups.push(() => server.close({ timeoutMs: 1000 }));
    expect(await answerTo(port, "permessage-deflate; server_max_window_bits=7")).toBeUndefined();
    expect(await answerTo(port, "permessage-deflate; client_max_window_bits=16")).toBeUndefined();
    expect(await answerTo(port, "permessage-deflate; foo=1")).toBeUndefined();
    expect(await answerTo(port, "permessage-deflate; constructor")).toBeUndefined();
    expect(
      await answerTo(
        port,
        "permessage-deflate; server_max_window_bits=9; server_max_window_bits=9",
      ),
    ).toBeUndefined();
    expect(
      await answerTo(
        port,
        "permessage-deflate; server_max_window_bits=1000, permessage-deflate; server_no_context_takeover",
      ),
    ).toBe("permessage-deflate; server_no_context_takeover");
  });
});
