import { once } from "node:events";
import * as net from "node:net";
import { ConnectionClosedError, HandshakeError, WebErrorStatus } from "@netsockets/errors";
import { computeAcceptKey } from "@netsockets/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { clearProxyEnvironment } from "../../../../tests/support/servers.js";
import { openWebSocketTransport } from "../../src/connect/open-websocket-transport.js";

clearProxyEnvironment();

// A raw TCP server that reads the upgrade request and answers with whatever a test writes, so the
// client's response validation meets what no well-behaved server sends.

type Answer = (key: string, socket: net.Socket) => void;

let server: net.Server | undefined;

afterEach(async () => {
  const s = server;
  server = undefined;
  if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
});

async function rawServer(answer: Answer): Promise<number> {
  server = net.createServer((socket) => {
    socket.on("error", () => {});
    let request = "";
    socket.on("data", (chunk: Buffer) => {
      if (request.includes("\r\n\r\n")) return;
      request += chunk.toString("latin1");
      if (!request.includes("\r\n\r\n")) return;
      const key = /^sec-websocket-key: *(\S+)/im.exec(request)?.[1] ?? "";
      answer(key, socket);
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return (server.address() as net.AddressInfo).port;
}

const ok = (key: string, extra = "") =>
  `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${computeAcceptKey(key)}\r\n${extra}\r\n`;

async function failure(port: number, options = {}): Promise<unknown> {
  return openWebSocketTransport(`ws://127.0.0.1:${port}/`, options).then(
    (t) => {
      t.socket.destroy();
      throw new Error("expected the connect to fail");
    },
    (error: unknown) => error,
  );
}

describe("hostile or broken 101 answers", () => {
  it("keeps the bytes that follow the 101 in the same packet as head", async () => {
    const port = await rawServer((key, socket) => {
      socket.write(
        Buffer.concat([Buffer.from(ok(key), "latin1"), Buffer.from([0x81, 0x02, 0x68, 0x69])]),
      );
    });
    const transport = await openWebSocketTransport(`ws://127.0.0.1:${port}/`);
    expect(Buffer.from(transport.head).toString("hex")).toBe("81026869");
    transport.socket.destroy();
  });

  it("fails a wrong Sec-WebSocket-Accept with errorHttpInvalidServerResponse", async () => {
    const port = await rawServer((_key, socket) => socket.write(ok("AAAAAAAAAAAAAAAAAAAAAA==")));
    const error = await failure(port);
    expect(error).toBeInstanceOf(HandshakeError);
    expect(error).toMatchObject({
      code: "ERR_HANDSHAKE_BAD_RESPONSE",
      status: WebErrorStatus.errorHttpInvalidServerResponse,
    });
  });

  it("fails a subprotocol that was not offered", async () => {
    const port = await rawServer((key, socket) =>
      socket.write(ok(key, "Sec-WebSocket-Protocol: evil\r\n")),
    );
    expect(await failure(port, { supportedProtocols: ["chat"] })).toMatchObject({
      code: "ERR_HANDSHAKE_SUBPROTOCOL",
    });
  });

  it("fails an extension that was not offered", async () => {
    const port = await rawServer((key, socket) =>
      socket.write(ok(key, "Sec-WebSocket-Extensions: permessage-deflate\r\n")),
    );
    expect(await failure(port)).toMatchObject({ code: "ERR_HANDSHAKE_EXTENSION" });
  });

  it("survives 2,000 headers with Upgrade last (peers.md S6, client side)", async () => {
    const port = await rawServer((key, socket) => {
      const many = Array.from({ length: 2000 }, (_, i) => `X-H${i}: v\r\n`).join("");
      socket.write(
        `HTTP/1.1 101 Switching Protocols\r\n${many}Connection: Upgrade\r\nSec-WebSocket-Accept: ${computeAcceptKey(key)}\r\nUpgrade: websocket\r\n\r\n`,
      );
    });
    const error = await failure(port);
    expect(error).toBeInstanceOf(HandshakeError);
    expect(error).toMatchObject({ status: WebErrorStatus.errorHttpInvalidServerResponse });
  });

  it("refuses a 64 KiB header within bounded time", async () => {
    const port = await rawServer((key, socket) => {
      socket.write(ok(key, `X-Big: ${"a".repeat(64 * 1024)}\r\n`));
    });
    const error = await failure(port);
    expect(error).toMatchObject({ code: "ERR_HANDSHAKE_BAD_RESPONSE" });
  });

  it("fails a response that is not HTTP", async () => {
    const port = await rawServer((_key, socket) => socket.end("SSH-2.0-OpenSSH_9.6\r\n\r\n"));
    expect(await failure(port)).toMatchObject({ code: "ERR_HANDSHAKE_BAD_RESPONSE" });
  });

  it.each([
    ["an obs-fold line", "X-Folded: a\r\n b\r\n"],
    ["whitespace before a colon", "Upgrade : websocket\r\n"],
    ["a NUL in a value", "X-A: a\0b\r\n"],
    ["a bare CR in a value", "X-A: a\rb\r\n"],
  ])("fails a 101 with %s with errorHttpInvalidServerResponse", async (_name, extra) => {
    const port = await rawServer((key, socket) => socket.write(ok(key, extra)));
    const error = await failure(port);
    expect(error).toBeInstanceOf(HandshakeError);
    expect(error).toMatchObject({
      code: "ERR_HANDSHAKE_BAD_RESPONSE",
      status: WebErrorStatus.errorHttpInvalidServerResponse,
    });
  });

  it("fails a 101 whose lines end in a bare LF without waiting for a blank line", async () => {
    const port = await rawServer((_key, socket) =>
      socket.write(`HTTP/1.1 101 Switching Protocols\nUpgrade: websocket\n`),
    );
    expect(await failure(port)).toMatchObject({ code: "ERR_HANDSHAKE_BAD_RESPONSE" });
  });

  it("fails a banner that is not HTTP before it ends (no wait for the timeout)", async () => {
    const port = await rawServer((_key, socket) => socket.write("SSH-2.0-OpenSSH_9.6\r\n"));
    expect(await failure(port)).toMatchObject({ code: "ERR_HANDSHAKE_BAD_RESPONSE" });
  });

  it("skips interim 1xx answers before the 101, and keeps the bytes after it", async () => {
    const port = await rawServer((key, socket) => {
      socket.write("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n");
      socket.write(Buffer.concat([Buffer.from(ok(key), "latin1"), Buffer.from([0x81, 0x00])]));
    });
    const transport = await openWebSocketTransport(`ws://127.0.0.1:${port}/`);
    expect(Buffer.from(transport.head).toString("hex")).toBe("8100");
    transport.socket.destroy();
  });

  it("reads a 101 that arrives one byte at a time", async () => {
    const port = await rawServer((key, socket) => {
      const bytes = Buffer.from(ok(key), "latin1");
      let i = 0;
      const step = (): void => {
        if (i < bytes.length) socket.write(bytes.subarray(i, ++i), step);
      };
      step();
    });
    const transport = await openWebSocketTransport(`ws://127.0.0.1:${port}/`);
    expect(transport.responseHeaders.upgrade).toBe("websocket");
    transport.socket.destroy();
  });

  it("fails a server that closes without answering with connectionReset", async () => {
    const port = await rawServer((_key, socket) => socket.end());
    const error = await failure(port);
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect(error).toMatchObject({ status: WebErrorStatus.connectionReset });
  });
});
