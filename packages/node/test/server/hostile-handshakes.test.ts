import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { afterEach, describe, expect, it } from "vitest";
import { makeCertificates } from "../../../../tests/support/certs.js";
import { UpgradeServer, type UpgradeServerOptions } from "../../src/index.js";
import { rawConnect, rawRequest, readUntilClose, upgradeRequest } from "./raw-http.js";

// peers.md §3: S3 (prototype names), S4/S5 (ReDoS), S6 (2,000 headers), S7 (huge header,
// trickled bytes). Each time the server answers or cuts off, and keeps serving others.

const servers: UpgradeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close({ timeoutMs: 1000 })));
});

async function start(options: UpgradeServerOptions = {}) {
  let accepted = 0;
  const server = new UpgradeServer({
    onConnection: (upgrade) => {
      accepted++;
      upgrade.socket.destroy();
    },
    ...options,
  });
  servers.push(server);
  const { port } = await server.listen({ host: "127.0.0.1", port: 0 });
  return { server, port, accepted: () => accepted };
}

/** The server still upgrades a well-behaved client. */
async function stillServes(port: number): Promise<void> {
  expect((await rawRequest(port, upgradeRequest())).status).toBe(101);
}

describe("hostile handshakes", () => {
  it("answers 431 to a 64 KiB header, and keeps serving", async () => {
    const { port, accepted } = await start();
    const response = await rawRequest(port, upgradeRequest({ "x-big": "a".repeat(64 * 1024) }));
    expect(response.status).toBe(431);
    expect(accepted()).toBe(0);
    await stillServes(port);
  });

  it("answers 431 to 2,000 headers with Upgrade last (not a crash on a missing header), and keeps serving", async () => {
    const { port, accepted } = await start();
    let extra = "";
    for (let i = 0; i < 2000; i++) extra += `x${i}: y\r\n`;
    const head = `GET / HTTP/1.1\r\nhost: 127.0.0.1\r\n${extra}connection: Upgrade\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\nsec-websocket-version: 13\r\nupgrade: websocket\r\n\r\n`;
    const response = await rawRequest(port, head);
    expect(response.status).toBe(431);
    expect(accepted()).toBe(0);
    // Under the byte limit but over the count limit: still 431.
    let few = "";
    for (let i = 0; i < 150; i++) few += `h${i}: v\r\n`;
    expect((await rawRequest(port, upgradeRequest({}, { extra: few }))).status).toBe(431);
    await stillServes(port);
  });

  it("enforces the header count on handleUpgrade from an external server too", async () => {
    let accepted = 0;
    const upgrades = new UpgradeServer({
      maxHeadersCount: 20,
      onConnection: (u) => {
        accepted++;
        u.socket.destroy();
      },
    });
    servers.push(upgrades);
    const http = createServer();
    http.on("upgrade", (req, socket, head) => upgrades.handleUpgrade(req, socket, head));
    http.listen(0, "127.0.0.1");
    await once(http, "listening");
    const { port } = http.address() as AddressInfo;
    try {
      let extra = "";
      for (let i = 0; i < 30; i++) extra += `h${i}: v\r\n`;
      expect((await rawRequest(port, upgradeRequest({}, { extra }))).status).toBe(431);
      expect(accepted).toBe(0);
      expect((await rawRequest(port, upgradeRequest())).status).toBe(101);
    } finally {
      http.closeAllConnections();
      http.close();
    }
  });

  // Our own head reader (peers.md: header injection, request smuggling through duplicate or
  // folded headers, bodies on GET): every malformed head gets 400 and nothing is accepted.
  const valid = upgradeRequest();
  const malformed: [string, string][] = [
    ["a bare LF line end", valid.replace("\r\nupgrade", "\nupgrade")],
    ["a bare CR in a value", upgradeRequest({ "x-a": "a\rb" })],
    ["a NUL in a value", upgradeRequest({ "x-a": "a\0b" })],
    ["an obs-fold continuation line", upgradeRequest({}, { extra: "x-a: a\r\n b\r\n" })],
    ["whitespace before a colon", upgradeRequest({}, { extra: "x-a : b\r\n" })],
    ["a header name that is not a token", upgradeRequest({}, { extra: "x(a): b\r\n" })],
    ["a request line with two spaces", valid.replace("GET / ", "GET  / ")],
    ["a request target with a control", upgradeRequest({}, { path: "/\x01" })],
    ["an HTTP/2.0 request line", valid.replace("HTTP/1.1", "HTTP/2.0")],
    ["not HTTP at all", "SSH-2.0-OpenSSH_9.6\r\n\r\n"],
    ["two Host headers", upgradeRequest({}, { extra: "host: evil.test\r\n" })],
    [
      "two Sec-WebSocket-Key headers",
      upgradeRequest({}, { extra: "sec-websocket-key: AAAAAAAAAAAAAAAAAAAAAA==\r\n" }),
    ],
    ["a Content-Length body", upgradeRequest({ "content-length": "5" })],
    [
      "two Content-Length headers",
      upgradeRequest({ "content-length": "0" }, { extra: "content-length: 0\r\n" }),
    ],
    ["a Transfer-Encoding body", upgradeRequest({ "transfer-encoding": "chunked" })],
    ["HTTP/1.0", valid.replace("HTTP/1.1", "HTTP/1.0")],
  ];
  for (const [name, head] of malformed) {
    it(`answers 400 to ${name}, and keeps serving`, async () => {
      const { port, accepted } = await start();
      const response = await rawRequest(port, head);
      expect(response.status).toBe(400);
      expect(response.headers.connection).toBe("close");
      expect(accepted()).toBe(0);
      await stillServes(port);
    });
  }

  it("accepts Content-Length: 0, a head in one-byte pieces, and frames sent with the head", async () => {
    const { port, accepted } = await start();
    expect((await rawRequest(port, upgradeRequest({ "content-length": "0" }))).status).toBe(101);
    const socket = await rawConnect(port);
    const answer = readUntilClose(socket);
    const bytes = Buffer.from(upgradeRequest(), "latin1");
    for (let i = 0; i < bytes.length; i++) {
      await new Promise<void>((resolve) => socket.write(bytes.subarray(i, i + 1), () => resolve()));
    }
    expect((await answer).status).toBe(101);
    expect(accepted()).toBe(2);
  });

  it("hands the bytes after the head to the connection as head", async () => {
    const heads: string[] = [];
    const server = new UpgradeServer({
      onConnection: (upgrade) => {
        heads.push(Buffer.from(upgrade.head).toString("hex"));
        upgrade.socket.destroy();
      },
    });
    servers.push(server);
    const { port } = await server.listen({ host: "127.0.0.1", port: 0 });
    const frame = Buffer.from([0x81, 0x80, 1, 2, 3, 4]);
    const response = await rawRequest(
      port,
      Buffer.concat([Buffer.from(upgradeRequest(), "latin1"), frame]),
    );
    expect(response.status).toBe(101);
    expect(heads).toEqual([frame.toString("hex")]);
  });

  it("gives the hook Node's request object, made on demand, with Node's header joining", async () => {
    let seen:
      | { url: string | undefined; xa: unknown; raw: string[]; method: string | undefined }
      | undefined;
    const { port } = await start({
      onUpgrade: (request) => {
        seen = {
          url: request.request.url,
          xa: request.headers["x-a"],
          raw: request.request.rawHeaders,
          method: request.request.method,
        };
        return undefined;
      },
    });
    const response = await rawRequest(
      port,
      upgradeRequest({}, { path: "/p?q=1", extra: "X-A: 1\r\nx-a:  2 \r\n" }),
    );
    expect(response.status).toBe(101);
    expect(seen?.url).toBe("/p?q=1");
    expect(seen?.method).toBe("GET");
    expect(seen?.xa).toBe("1, 2");
    expect(seen?.raw.slice(-4)).toEqual(["X-A", "1", "x-a", "2"]);
  });

  it("parses ReDoS-shaped protocol and extension values in linear time", async () => {
    const { port } = await start({ maxHeaderSize: 512 * 1024 });
    const values: Record<string, string>[] = [
      { "sec-websocket-protocol": `b${" ".repeat(64 * 1024)}x` },
      { "sec-websocket-protocol": `a,${" ,".repeat(32 * 1024)}` },
      { "sec-websocket-extensions": `a; b="${"\\c".repeat(32 * 1024)}` },
      { "sec-websocket-extensions": `a${" ".repeat(64 * 1024)}` },
      { "sec-websocket-extensions": `a;${" b=1;".repeat(12 * 1024)}` },
    ];
    for (const headers of values) {
      const started = performance.now();
      const response = await rawRequest(port, upgradeRequest(headers));
      // A quadratic parser takes minutes here; linear takes milliseconds.
      expect(performance.now() - started).toBeLessThan(5000);
      expect([101, 400]).toContain(response.status);
    }
    await stillServes(port);
  });

  it("survives Object.prototype names as extension names and parameters", async () => {
    const { port, accepted } = await start();
    for (const value of [
      "__proto__",
      "permessage-deflate; __proto__=1",
      "constructor, toString; hasOwnProperty=2",
      "permessage-deflate; constructor; __proto__",
    ]) {
      const response = await rawRequest(
        port,
        upgradeRequest({ "sec-websocket-extensions": value }),
      );
      expect([101, 400]).toContain(response.status);
      // No extension is ever accepted by mistake.
      expect(response.headers["sec-websocket-extensions"]).toBeUndefined();
    }
    expect(accepted()).toBeGreaterThan(0);
    await stillServes(port);
  });

  it("cuts off a slowloris client that trickles its head after the handshake timeout", async () => {
    const { port } = await start({ handshakeTimeoutMs: 300 });
    const socket = await rawConnect(port);
    const closed = readUntilClose(socket);
    const head = upgradeRequest();
    let sent = 0;
    // One byte every 20 ms: the whole head would take seconds.
    const trickle = setInterval(() => {
      if (sent < head.length && !socket.destroyed) socket.write(head[sent++] as string);
    }, 20);
    try {
      const response = await closed;
      expect(response.status).toBe(0); // cut off, no answer
      expect(sent).toBeLessThan(head.length);
    } finally {
      clearInterval(trickle);
    }
    await stillServes(port);
  });

  it("cuts off a client that connects and says nothing", async () => {
    const { port } = await start({ handshakeTimeoutMs: 200 });
    const socket = await rawConnect(port);
    const response = await readUntilClose(socket);
    expect(response.raw).toBe("");
    await stillServes(port);
  });

  it("bounds an async hook that never answers by the handshake timeout", async () => {
    const { port, accepted } = await start({
      handshakeTimeoutMs: 200,
      onUpgrade: () => new Promise(() => {}),
    });
    const response = await rawRequest(port, upgradeRequest());
    expect(response.raw).toBe("");
    expect(accepted()).toBe(0);
  });

  it("cuts off wss:// clients that stall in the TLS handshake or after it", async () => {
    const certs = await makeCertificates();
    const { port } = await start({
      handshakeTimeoutMs: 200,
      tls: { cert: certs.server.cert, key: certs.server.key },
    });
    // Plain TCP, no ClientHello: Node's TLS handshakeTimeout (same value) cuts it off.
    const silent = await rawConnect(port);
    expect((await readUntilClose(silent)).raw).toBe("");
    // TLS completes, then the HTTP head trickles: our deadline from the secure connection.
    const secure = tlsConnect({ host: "127.0.0.1", port, ca: certs.ca.cert });
    await once(secure, "secureConnect");
    const closed = once(secure, "close");
    secure.on("error", () => {});
    secure.write("GET / HTTP/1.1\r\n");
    await closed;
    // A well-behaved wss client still gets its 101.
    const ok = tlsConnect({ host: "127.0.0.1", port, ca: certs.ca.cert });
    await once(ok, "secureConnect");
    const answer = new Promise<string>((resolve) =>
      ok.once("data", (d: Buffer) => resolve(d.toString())),
    );
    ok.write(upgradeRequest());
    expect((await answer).startsWith("HTTP/1.1 101")).toBe(true);
    ok.destroy();
  });
});
