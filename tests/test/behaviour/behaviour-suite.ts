// One behaviour suite for every transport × socket kind: connect, echo, a large transfer, a clean
// close from either side, an abrupt loss, and backpressure. What each side must see is the
// termination table shared by both socket kinds (packages/message and packages/stream READMEs).
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Endpoint, KindServer, SocketKind } from "./kinds.js";
import {
  type Environment,
  type Relay,
  startEnvironment,
  startRelay,
  type Transport,
} from "./transports.js";

const MiB = 1024 * 1024;

/** Seeded bytes (xorshift32): both ends can compare without sharing the buffer. */
export function patternBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed | 0 || 1;
  for (let i = 0; i < length; i++) {
    if ((i & 3) === 0) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
    }
    out[i] = x >>> ((i & 3) * 8);
  }
  return out;
}

const LOSS_CODES = ["ERR_CONNECTION_ABORTED", "ERR_CONNECTION_RESET"];

/** Registers the behaviour tests of `kind` over `transport`. */
export function behaviourSuite(transport: Transport, kind: SocketKind): void {
  describe(`${kind.name} over ${transport.name}`, () => {
    let env: Environment;
    const cleanups: (() => Promise<void>)[] = [];
    beforeAll(async () => {
      env = await startEnvironment();
    });
    afterAll(async () => {
      await env.close();
    });
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });

    /** A server of `kind` behind a relay, and a connected client over `transport`. */
    async function setUp(echo: boolean): Promise<{
      server: KindServer;
      relay: Relay;
      client: Endpoint;
      peer: Endpoint;
    }> {
      const server = await kind.listen({
        echo,
        ...(transport.secure ? { tls: env.certs.server } : {}),
      });
      cleanups.push(() => server.close());
      const relay = await startRelay(server.port);
      cleanups.push(() => relay.close());
      // "localhost" so the certificate's name matches; the relay port stands for the server.
      const url = `${transport.secure ? "wss" : "ws"}://localhost:${relay.port}/`;
      const client = await kind.connect(url, {
        ca: env.certs.ca.cert,
        proxy: transport.proxied ? env.proxy.url : false,
      });
      const peer = await server.nextEndpoint();
      return { server, relay, client, peer };
    }

    it("connects (through the proxy when there is one) and echoes", async () => {
      const before = env.proxy.connects.length;
      const { client, relay } = await setUp(true);
      expect(relay.connections).toBe(1);
      expect(env.proxy.connects.length - before).toBe(transport.proxied ? 1 : 0);
      const payload = patternBytes(1000, 1);
      await client.send(payload);
      expect(Buffer.from(await client.receive(1000)).equals(payload)).toBe(true);
      client.close(1000, "bye");
      expect((await client.closed).code).toBe(1000);
    });

    it("a large transfer (32 MiB in 4 MiB messages) comes back intact and in order", async () => {
      const { client } = await setUp(true);
      const payloads = Array.from({ length: 8 }, (_, i) => patternBytes(4 * MiB, i + 2));
      const sending = (async () => {
        for (const payload of payloads) await client.send(payload);
      })();
      for (const payload of payloads) {
        expect(Buffer.from(await client.receive(payload.length)).equals(payload)).toBe(true);
      }
      await sending;
      client.close();
      expect((await client.closed).code).toBe(1005);
    });

    it("a clean close from the client: one closed on each side, the server's data ends", async () => {
      const { client, peer } = await setUp(false);
      await client.send(patternBytes(10, 3));
      expect((await peer.receive(10)).length).toBe(10);
      client.close(1000, "client done");
      const drained = await peer.drain();
      expect(drained.ending).toEqual({ kind: "end" });
      expect(await peer.closed).toEqual({ code: 1000, reason: "client done" });
      expect((await client.closed).code).toBe(1000);
      expect(client.closedEvents).toHaveLength(1);
      expect(peer.closedEvents).toHaveLength(1);
    });

    it("a clean close from the server: the client reads what was sent, then the end", async () => {
      const { client, peer } = await setUp(false);
      const payload = patternBytes(100_000, 4);
      await peer.send(payload);
      peer.close(4001, "server done");
      expect(Buffer.from(await client.receive(payload.length)).equals(payload)).toBe(true);
      const drained = await client.drain();
      expect(drained).toEqual({ bytes: 0, ending: { kind: "end" } });
      expect(await client.closed).toEqual({ code: 4001, reason: "server done" });
      expect((await peer.closed).code).toBe(4001);
    });

    it("an abrupt loss: both sides' data ends with connectionAborted/Reset, no closed", async () => {
      const { client, peer, relay } = await setUp(false);
      await client.send(patternBytes(10, 5));
      expect((await peer.receive(10)).length).toBe(10);
      relay.cut();
      const [clientEnd, peerEnd] = await Promise.all([client.drain(), peer.drain()]);
      for (const end of [clientEnd, peerEnd]) {
        expect(end.ending.kind).toBe("error");
        if (end.ending.kind === "error") expect(LOSS_CODES).toContain(end.ending.error.code);
      }
      await expect(client.send(new Uint8Array(1))).rejects.toMatchObject({
        code: expect.stringMatching(/^ERR_CONNECTION_(ABORTED|RESET)$/),
      });
      expect(client.closedEvents).toEqual([]);
      expect(peer.closedEvents).toEqual([]);
    });

    it("backpressure: a client that does not read stops the server's sends through TCP", async () => {
      const { client, peer } = await setUp(false);
      // 128 MiB: far more than the kernel buffers of every hop (client, relay, proxy) can hold.
      const base = patternBytes(4 * MiB, 40);
      const payloads = Array.from({ length: 32 }, (_, i) => {
        const payload = base.slice();
        new DataView(payload.buffer).setUint32(0, i);
        return payload;
      });
      let resolvedBytes = 0;
      const sends = payloads.map((payload) =>
        peer.send(payload).then(() => {
          resolvedBytes += payload.length;
        }),
      );
      // Nobody reads on the client. "The sender is blocked" has no event: wait until the
      // resolved count stops moving for 20 timer turns (a stall), then check that it stalled
      // well short of the end — with broken backpressure every send would resolve.
      let last = -1;
      let still = 0;
      while (still < 20) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        if (resolvedBytes === last) still++;
        else {
          still = 0;
          last = resolvedBytes;
        }
      }
      expect(resolvedBytes).toBeLessThan(96 * MiB);
      // Now read everything: all of it arrives, in order, and every send resolves.
      for (const payload of payloads) {
        expect(Buffer.from(await client.receive(payload.length)).equals(payload)).toBe(true);
      }
      await Promise.all(sends);
      expect(resolvedBytes).toBe(128 * MiB);
      client.close();
    });
  });
}
