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
