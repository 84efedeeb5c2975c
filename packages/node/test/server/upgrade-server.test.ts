import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { Connection, computeAcceptKey } from "@netsockets/protocol";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { makeCertificates } from "../../../../tests/support/certs.js";
import type {
  AcceptedUpgrade,
  UpgradeDecision,
  UpgradeRequest,
  UpgradeServerOptions,
} from "../../src/index.js";
import { nodeConnectionOptions, UpgradeServer } from "../../src/index.js";
import { until } from "../driver/harness.js";
import { rawConnect, rawRequest, readUntilClose, upgradeRequest } from "./raw-http.js";

const servers: UpgradeServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close({ timeoutMs: 1000 })));
});

/** A standalone server on 127.0.0.1:0 whose accepted sockets are collected (and destroyed). */
async function start(options: UpgradeServerOptions = {}) {
  const accepted: AcceptedUpgrade[] = [];
  const server = new UpgradeServer({
    onConnection: (upgrade) => {
      accepted.push(upgrade);
      upgrade.socket.destroy();
    },
    ...options,
  });
  servers.push(server);
  const { port } = await server.listen({ host: "127.0.0.1", port: 0 });
  return { server, port, accepted };
}

describe("UpgradeServer: accepting", () => {
  it("reports the actual port for port 0 and accepts a ws client with a subprotocol", async () => {
    const { server, port, accepted } = await start({ supportedProtocols: ["b", "a"] });
    expect(port).toBeGreaterThan(0);
    expect(server.address()?.port).toBe(port);
    const client = new WebSocket(`ws://127.0.0.1:${port}/chat?room=1`, ["a", "b"]);
    const [response] = (await once(client, "upgrade")) as [{ headers: Record<string, string> }];
    // The client's most preferred protocol that the server supports.
    expect(response.headers["sec-websocket-protocol"]).toBe("a");
    expect(response.headers["sec-websocket-extensions"]).toBeUndefined(); // deflate declined
    await once(client, "close");
    expect(accepted).toHaveLength(1);
    const [upgrade] = accepted as [AcceptedUpgrade];
    expect(upgrade.protocol).toBe("a");
    expect(upgrade.request.url).toBe("/chat?room=1");
    expect(upgrade.request.protocols).toEqual(["a", "b"]);
    expect(upgrade.request.extensions.map((e) => e.name)).toEqual(["permessage-deflate"]);
    expect(upgrade.request.secure).toBe(false);
    expect(upgrade.request.remoteAddress).toBe("127.0.0.1");
    expect(upgrade.localPort).toBe(port);
  });

  it("leaves an open connection no handshake listener: only the driver's listens for close", async () => {
    const opened: { before: number; after: number; closeAfterEnd: number }[] = [];
    const server = new UpgradeServer({
      onConnection: (upgrade) => {
        const before = upgrade.socket.listenerCount("close");
        const driver = upgrade.start(new Connection(nodeConnectionOptions("server")), {
          onData: () => {},
          onClose: () => {},
          onError: () => {},
        });
        opened.push({ before, after: upgrade.socket.listenerCount("close"), closeAfterEnd: -1 });
        void driver.done.then(() => {
          (opened[0] as { closeAfterEnd: number }).closeAfterEnd = server.connectionCount;
        });
      },
    });
    servers.push(server);
    const { port } = await server.listen({ host: "127.0.0.1", port: 0 });
    const client = new WebSocket(`ws://127.0.0.1:${port}/`);
    await once(client, "open");
    expect(server.connectionCount).toBe(1);
    client.close();
    await once(client, "close");
    await until(() => opened[0]?.closeAfterEnd === 0);
    // Before start: the accepted-but-unstarted tracking; after: the driver's own listener only.
    expect(opened[0]).toMatchObject({ before: 1, after: 1, closeAfterEnd: 0 });
  });

  it("selects no subprotocol when none is supported, and writes a correct Sec-WebSocket-Accept", async () => {
    const { port } = await start();
    const response = await rawRequest(port, upgradeRequest({ "sec-websocket-protocol": "x" }));
    expect(response.status).toBe(101);
    expect(response.headers["sec-websocket-accept"]).toBe(
      computeAcceptKey("dGhlIHNhbXBsZSBub25jZQ=="),
    );
    expect(response.headers["sec-websocket-accept"]).toBe("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    expect(response.headers["sec-websocket-protocol"]).toBeUndefined();
  });

  it("writes the 101 byte for byte as its responseHeaders say, with and without a protocol", async () => {
    const { port, accepted } = await start({ supportedProtocols: ["p"] });
    const accept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";
    const base = `HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-accept: ${accept}\r\n`;
    const plain = await rawRequest(port, upgradeRequest());
    expect(plain.raw).toBe(`${base}\r\n`);
    const chosen = await rawRequest(port, upgradeRequest({ "sec-websocket-protocol": "q, p" }));
    expect(chosen.raw).toBe(`${base}sec-websocket-protocol: p\r\n\r\n`);
    const [first, second] = accepted as [AcceptedUpgrade, AcceptedUpgrade];
    expect(first.responseHeaders).toEqual({
      upgrade: "websocket",
      connection: "Upgrade",
      "sec-websocket-accept": accept,
    });
    expect(Object.entries(second.responseHeaders)).toEqual([
      ["upgrade", "websocket"],
      ["connection", "Upgrade"],
      ["sec-websocket-accept", accept],
      ["sec-websocket-protocol", "p"],
    ]);
    expect(second.extensions).toEqual([]);
  });

  it("reports the socket's own local address and port, on a specific and on a wildcard bind", async () => {
    for (const host of ["127.0.0.1", undefined]) {
      const seen: { reported: [string, number]; actual: [string, number] }[] = [];
      const server = new UpgradeServer({
        onConnection: (upgrade) => {
          seen.push({
            reported: [upgrade.localAddress, upgrade.localPort],
            actual: [upgrade.socket.localAddress ?? "?", upgrade.socket.localPort ?? -1],
          });
          upgrade.socket.destroy();
        },
      });
      servers.push(server);
      const { port } = await server.listen(host === undefined ? { port: 0 } : { host, port: 0 });
      expect((await rawRequest(port, upgradeRequest())).status).toBe(101);
      expect(seen).toHaveLength(1);
      expect(seen[0]?.reported).toEqual(seen[0]?.actual);
      expect(seen[0]?.reported[1]).toBe(port);
    }
  });

  it("gives the request the client's address and port, kept after the socket is gone", async () => {
    const { port, accepted } = await start();
    const client = await rawConnect(port);
    const own = [client.localAddress, client.localPort];
    const closed = readUntilClose(client);
    client.write(upgradeRequest());
    expect((await closed).status).toBe(101);
    const [upgrade] = accepted as [AcceptedUpgrade];
    expect(upgrade.socket.destroyed).toBe(true);
    expect([upgrade.request.remoteAddress, upgrade.request.remotePort]).toEqual(own);
    // Read without leaving Node's peer record on the socket (it would stay for the connection's
    // whole life).
    expect((upgrade.socket as unknown as { _peername?: unknown })._peername).toBeUndefined();
  });

  it("keeps the client's address in a request a hook refused, after the socket is gone", async () => {
    const kept: UpgradeRequest[] = [];
    const seenInHook: [string, number][] = [];
    const { port } = await start({
      onUpgrade: (request) => {
        kept.push(request);
        // A hook that answers at once reads it from the open socket.
        if (request.url === "/read") seenInHook.push([request.remoteAddress, request.remotePort]);
        if (request.url === "/throw") throw new Error("hook failed");
        return { accept: false, status: 403 };
      },
      onError: () => {},
    });
    const own: [string | undefined, number | undefined][] = [];
    for (const path of ["/", "/read", "/throw"]) {
      const client = await rawConnect(port);
      own.push([client.localAddress, client.localPort]);
      const closed = readUntilClose(client);
      client.write(upgradeRequest({}, { path }));
      expect((await closed).status).toBe(path === "/throw" ? 500 : 403);
    }
    expect(seenInHook).toEqual([own[1]]);
    expect(kept.map((r) => [r.remoteAddress, r.remotePort])).toEqual(own);
  });

  it("keeps the client's address for an async hook that answers once the socket is gone", async () => {
    let request: UpgradeRequest | undefined;
    let answer: (decision: UpgradeDecision) => void = () => {};
    const { port, accepted } = await start({
      onUpgrade: (r) => {
        request = r;
        return new Promise<UpgradeDecision>((resolve) => {
          answer = resolve;
        });
      },
    });
    const client = await rawConnect(port);
    client.on("error", () => {});
    const own = [client.localAddress, client.localPort];
    client.write(upgradeRequest());
    await until(() => request !== undefined);
    // The connection is gone (Node forgets a destroyed socket's peer) before the hook answers.
    const serverSide = (request as UpgradeRequest).request.socket;
    serverSide.destroy();
    await once(serverSide, "close");
    expect(serverSide.remoteAddress).toBeUndefined();
    answer({ accept: true });
    await new Promise((resolve) => setImmediate(resolve));
    expect(accepted).toHaveLength(0);
    expect([request?.remoteAddress, request?.remotePort]).toEqual(own);
    client.destroy();
  });

  it("reads the peer and local address of a wss:// connection through TLS", async () => {
    const certs = await makeCertificates();
    const { port, accepted } = await start({
      tls: { cert: certs.server.cert, key: certs.server.key },
    });
    const client = tlsConnect({ host: "127.0.0.1", port, ca: certs.ca.cert });
    client.on("error", () => {});
    await once(client, "secureConnect");
    const own = [client.localAddress, client.localPort];
    const answer = new Promise<string>((resolve) =>
      client.once("data", (data: Buffer) => resolve(data.toString("latin1"))),
    );
    client.write(upgradeRequest());
    expect((await answer).startsWith("HTTP/1.1 101")).toBe(true);
    client.destroy();
    const [upgrade] = accepted as [AcceptedUpgrade];
    expect(upgrade.request.secure).toBe(true);
    expect([upgrade.request.remoteAddress, upgrade.request.remotePort]).toEqual(own);
    expect([upgrade.localAddress, upgrade.localPort]).toEqual(["127.0.0.1", port]);
  });

  it("passes head bytes that arrived with the request on", async () => {
    const { port, accepted } = await start();
    await rawRequest(port, Buffer.from(`${upgradeRequest()}\x81\x85`, "latin1"));
    expect(Buffer.from(accepted[0]?.head ?? []).toString("latin1")).toBe("\x81\x85");
  });

  it("lets an async hook choose the protocol and add headers, or refuse with a status", async () => {
    const { port, accepted } = await start({
      supportedProtocols: ["a"],
      onUpgrade: async (request) => {
        await new Promise((r) => setImmediate(r));
        if (request.url === "/private") {
          return {
            accept: false,
            status: 401,
            reason: "log in first",
            headers: { "www-authenticate": 'Basic realm="x"' },
          };
        }
        return { accept: true, protocol: "b", headers: { "x-session": "42" } };
      },
    });
    const ok = await rawRequest(port, upgradeRequest({ "sec-websocket-protocol": "a, b" }));
    expect(ok.status).toBe(101);
    expect(ok.headers["sec-websocket-protocol"]).toBe("b");
    expect(ok.headers["x-session"]).toBe("42");
    expect(accepted[0]?.protocol).toBe("b");
    const refused = await rawRequest(port, upgradeRequest({}, { path: "/private" }));
    expect(refused.status).toBe(401);
    expect(refused.headers["www-authenticate"]).toBe('Basic realm="x"');
    expect(refused.body).toBe("log in first");
    expect(accepted).toHaveLength(1);
  });

  it("answers 500 and reports when the hook throws or picks a protocol never offered", async () => {
    const errors: unknown[] = [];
    const { port, accepted } = await start({
      onError: (error) => errors.push(error),
      onUpgrade: (request) => {
        if (request.url === "/throw") throw new Error("hook failed");
        return { accept: true, protocol: "never-offered" };
      },
    });
    expect((await rawRequest(port, upgradeRequest({}, { path: "/throw" }))).status).toBe(500);
    expect((await rawRequest(port, upgradeRequest())).status).toBe(500);
    expect(errors[1]).toMatchObject({ name: "InvalidArgumentError", code: "ERR_INVALID_ARGUMENT" });
    expect(errors.map((e) => (e as Error).message)).toEqual([
      "hook failed",
      "the hook selected subprotocol never-offered, which the client did not offer",
    ]);
    expect(accepted).toHaveLength(0);
  });

  it("answers the extensions a negotiator accepts, and reports them", async () => {
    const seen: string[] = [];
    const { port, accepted } = await start({
      negotiateExtensions: (offers) => {
        seen.push(...offers.map((o) => o.name));
        const chosen = offers.find((o) => o.name === "x-test");
        return chosen === undefined
          ? []
          : [{ name: "x-test", params: new Map<string, string | true>([["level", "3"]]) }];
      },
    });
    const response = await rawRequest(
      port,
      upgradeRequest({ "sec-websocket-extensions": "permessage-deflate, x-test; level=9" }),
    );
    expect(response.status).toBe(101);
    expect(response.headers["sec-websocket-extensions"]).toBe("x-test; level=3");
    expect(seen).toEqual(["permessage-deflate", "x-test"]);
    expect(accepted[0]?.extensions.map((e) => [e.name, [...e.params]])).toEqual([
      ["x-test", [["level", "3"]]],
    ]);
    // Without offers the negotiator is not consulted and nothing is answered.
    const plain = await rawRequest(port, upgradeRequest());
    expect(plain.headers["sec-websocket-extensions"]).toBeUndefined();
    expect(seen).toHaveLength(2);
  });

  it("works on an existing http server through handleUpgrade", async () => {
    const accepted: AcceptedUpgrade[] = [];
    const upgrades = new UpgradeServer({
      onConnection: (u) => {
        accepted.push(u);
        u.socket.destroy();
      },
    });
    servers.push(upgrades);
    const http = createServer((_req, res) => res.end("plain http"));
    http.on("upgrade", (req, socket, head) => upgrades.handleUpgrade(req, socket, head));
    http.listen(0, "127.0.0.1");
    await once(http, "listening");
    const { port } = http.address() as AddressInfo;
    try {
      const response = await rawRequest(port, upgradeRequest());
      expect(response.status).toBe(101);
      expect(accepted).toHaveLength(1);
      const bad = await rawRequest(port, upgradeRequest({ "sec-websocket-version": "8" }));
      expect(bad.status).toBe(426);
    } finally {
      http.closeAllConnections();
      http.close();
    }
  });
});

describe("UpgradeServer: refusing (then closing the socket)", () => {
  const cases: [string, string, number, Record<string, string>?][] = [
    ["a missing key", upgradeRequest({ "sec-websocket-key": null }), 400],
    ["a short key", upgradeRequest({ "sec-websocket-key": "AAAA" }), 400],
    [
      "version 8",
      upgradeRequest({ "sec-websocket-version": "8" }),
      426,
      { "sec-websocket-version": "13" },
    ],
    ["a POST", upgradeRequest({}, { method: "POST" }), 405],
    ["Connection without upgrade", upgradeRequest({ connection: "keep-alive" }), 400],
    ["a bad protocol list", upgradeRequest({ "sec-websocket-protocol": "a b" }), 400],
    ["a bad extension list", upgradeRequest({ "sec-websocket-extensions": "a;;" }), 400],
    ["a plain GET", "GET / HTTP/1.1\r\nhost: x\r\n\r\n", 400],
    ["a cross-site Origin", upgradeRequest({ origin: "http://evil.test" }), 403],
    ["a null Origin", upgradeRequest({ origin: "null" }), 403],
    ["a lookalike Origin", upgradeRequest({ origin: "http://evil-127.0.0.1" }), 403],
  ];
  for (const [name, request, status, headers] of cases) {
    it(`answers ${status} to ${name}`, async () => {
      const { port, accepted } = await start();
      const response = await rawRequest(port, request);
      expect(response.status).toBe(status);
      expect(response.headers.connection?.toLowerCase()).toBe("close");
      for (const [k, v] of Object.entries(headers ?? {})) expect(response.headers[k]).toBe(v);
      expect(response.body.length).toBeGreaterThan(0);
      expect(accepted).toHaveLength(0);
    });
  }

  it("accepts a same-origin browser request and one without Origin", async () => {
    const { port } = await start();
    const same = await rawRequest(
      port,
      upgradeRequest({ origin: `http://127.0.0.1:${port}`, host: `127.0.0.1:${port}` }),
    );
    expect(same.status).toBe(101);
    const none = await rawRequest(port, upgradeRequest());
    expect(none.status).toBe(101);
  });

  it("answers 503 when nobody takes connections", async () => {
    const server = new UpgradeServer();
    servers.push(server);
    const { port } = await server.listen({ host: "127.0.0.1", port: 0 });
    expect((await rawRequest(port, upgradeRequest())).status).toBe(503);
  });

  it("rejects a listen on a port in use with Node's error, and may listen again", async () => {
    const { port } = await start();
    const second = new UpgradeServer({ onConnection: (u) => u.socket.destroy() });
    servers.push(second);
    await expect(second.listen({ host: "127.0.0.1", port })).rejects.toMatchObject({
      code: "EADDRINUSE",
    });
    expect(second.address()).toBeNull();
    const again = await second.listen({ host: "127.0.0.1", port: 0 });
    expect(again.port).not.toBe(port);
  });

  it("refuses a second listen and a listen after close", async () => {
    const { server } = await start();
    await expect(server.listen({ host: "127.0.0.1", port: 0 })).rejects.toMatchObject({
      name: "InvalidStateError",
    });
    const fresh = new UpgradeServer();
    await fresh.close();
    await expect(fresh.listen({ host: "127.0.0.1", port: 0 })).rejects.toMatchObject({
      name: "InvalidStateError",
    });
  });

  it("stops accepting on close and resolves once the listening socket is closed", async () => {
    const { server, port } = await start();
    await server.close();
    expect(server.address()).toBeNull();
    await expect(rawRequest(port, upgradeRequest())).rejects.toThrow(/ECONNREFUSED/);
  });
});
