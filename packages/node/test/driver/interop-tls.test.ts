import { once } from "node:events";
import { Connection } from "@netsockets/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { makeCertificates, type TestCertificates } from "../../../../tests/support/certs.js";
import { startWsServer, type WsTestServer } from "../../../../tests/support/servers.js";
import {
  type ConnectOptions,
  createDriver,
  type DriverOptions,
  nodeConnectionOptions,
  openWebSocketTransport,
  type UpgradeServer,
} from "../../src/index.js";
import { echo, Recorder, startServer, text } from "./harness.js";

// Interop with ws over TLS (certificates made at test time), and the real client path
// (openWebSocketTransport + driver) against ws and against our own server.

let certs: TestCertificates;
beforeAll(async () => {
  certs = await makeCertificates();
});

/** Our real client: openWebSocketTransport, then the driver. */
async function ourClient(url: string, options: ConnectOptions = {}, driver: DriverOptions = {}) {
  const transport = await openWebSocketTransport(url, { proxy: false, ...options });
  const recorder = new Recorder();
  const connection = new Connection(nodeConnectionOptions("client"));
  const created = createDriver(transport.socket, connection, recorder, {
    ...driver,
    head: transport.head,
  });
  return { driver: created, recorder, transport };
}

const big = (() => {
  const bytes = new Uint8Array(16 * 1024 * 1024);
  for (let i = 0; i < bytes.length; i += 512) bytes[i] = (i >> 9) & 0xff;
  bytes[bytes.length - 1] = 0xa5;
  return bytes;
})();

for (const secure of [false, true]) {
  const scheme = secure ? "wss" : "ws";

  describe(`our client → ws server (${scheme})`, () => {
    let server: WsTestServer;
    beforeAll(async () => {
      server = await startWsServer({
        ...(secure ? { tls: { cert: certs.server.cert, key: certs.server.key } } : {}),
        ws: {
          maxPayload: 32 * 1024 * 1024,
          handleProtocols: (set) => (set.has("v2") ? "v2" : false),
        },
      });
    });
    afterAll(() => server.close());

    it("text, binary, fragments, 16 MiB, subprotocol and a close code", async () => {
      const client = await ourClient(`${scheme}://127.0.0.1:${server.port}/`, {
        supportedProtocols: ["v1", "v2"],
        ...(secure ? { ca: certs.ca.cert } : {}),
      });
      expect(client.transport.protocol).toBe("v2");
      await client.recorder.received(1); // the server's greeting
      expect(text(client.recorder.messages[0]?.data ?? new Uint8Array())).toBe("hello");
      await client.driver.sendText("ping ✓");
      await client.driver.sendBinary(new Uint8Array([1, 2, 3]));
      await client.driver.sendBinary(new Uint8Array([4]), { fin: false });
      await client.driver.sendBinary(new Uint8Array([5]), { fin: true });
      await client.driver.sendBinary(big);
      await client.recorder.received(5);
      const [, t, b, f, large] = client.recorder.messages;
      expect(text(t?.data ?? new Uint8Array())).toBe("ping ✓");
      expect([...(b?.data ?? [])]).toEqual([1, 2, 3]);
      expect([...(f?.data ?? [])]).toEqual([4, 5]);
      expect(large?.data.byteLength).toBe(big.byteLength);
      expect(Buffer.from(large?.data ?? []).equals(Buffer.from(big))).toBe(true);
      const closed = new Promise<[number, string]>((resolve) => {
        for (const ws of server.wss.clients) {
          ws.once("close", (code, reason) => resolve([code, reason.toString()]));
        }
      });
      client.driver.close(4321, "bye");
      expect(await closed).toEqual([4321, "bye"]);
      expect(await client.recorder.ended).toMatchObject({
        kind: "close",
        info: { code: 4321, wasClean: true, closedBy: "local" },
      });
      await client.driver.done;
    });
  });

  describe(`ws client → our server (${scheme})`, () => {
    let upgrades: UpgradeServer;
    let port: number;
    beforeAll(async () => {
      const started = await startServer({
        setup: echo,
        server: {
          supportedProtocols: ["v2", "v1"],
          ...(secure ? { tls: { cert: certs.server.cert, key: certs.server.key } } : {}),
        },
      });
      upgrades = started.server;
      port = started.port;
    });
    afterAll(() => upgrades.close({ timeoutMs: 500 }));

    it("text, binary, fragments, 16 MiB, subprotocol and a close code", async () => {
      const client = new WebSocket(`${scheme}://127.0.0.1:${port}/`, ["v1", "v2"], {
        ...(secure ? { ca: certs.ca.cert } : {}),
        perMessageDeflate: false,
        maxPayload: 32 * 1024 * 1024,
      });
      client.on("error", () => {});
      await once(client, "open");
      expect(client.protocol).toBe("v1");
      const got: Buffer[] = [];
      client.on("message", (data: Buffer) => got.push(data));
      client.send("héllo");
      client.send(Buffer.from([7, 7]));
      client.send("ab", { fin: false });
      client.send("cd", { fin: true });
      client.send(Buffer.from(big));
      while (got.length < 4) await once(client, "message");
      expect(got[0]?.toString()).toBe("héllo");
      expect([...(got[1] ?? [])]).toEqual([7, 7]);
      expect(got[2]?.toString()).toBe("abcd");
      expect(got[3]?.equals(Buffer.from(big))).toBe(true);
      client.close(1000, "done");
      const [code] = (await once(client, "close")) as [number];
      expect(code).toBe(1000);
    });
  });

  describe(`our client → our server (${scheme})`, () => {
    it("exchanges messages and closes cleanly on both sides", async () => {
      const started = await startServer({
        setup: echo,
        server: secure ? { tls: { cert: certs.server.cert, key: certs.server.key } } : {},
      });
      try {
        const peerP = started.nextPeer();
        const client = await ourClient(
          `${scheme}://127.0.0.1:${started.port}/`,
          secure ? { ca: certs.ca.cert } : {},
        );
        const peer = await peerP;
        expect(peer.upgrade.request.secure).toBe(secure);
        await client.driver.sendText("round trip");
        await client.recorder.received(1);
        expect(text(client.recorder.messages[0]?.data ?? new Uint8Array())).toBe("round trip");
        client.driver.close(1000, "end");
        expect((await peer.recorder.ended).kind).toBe("close");
        expect(await client.recorder.ended).toMatchObject({ kind: "close", info: { code: 1000 } });
        await Promise.all([client.driver.done, peer.driver.done]);
      } finally {
        await started.server.close({ timeoutMs: 500 });
      }
    });
  });
}
