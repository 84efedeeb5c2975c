/**
 * Correctness of the network workloads, no timing: the framing of the raw TCP ceilings, and each
 * workload body with tiny counts for netsockets and one raw TCP ceiling, checking that every
 * message came back as sent and that the work each batch reports is the count asked for. (The
 * suite-wide smoke test, src/smoke.test.ts, runs every implementation in check mode too.)
 */
import { describe, expect, it } from "vitest";
import type { Body, SetupContext } from "../harness/types.js";
import { FrameReader } from "./framing.js";
import { connectClient, type ImplId } from "./impls.js";
import { startPeer } from "./peer-process.js";
import {
  bulk,
  fanOut,
  handshakes,
  idleMemory,
  largeEcho,
  latencyEcho,
  manyConnections,
  pipelinedEcho,
  textPayload,
} from "./workloads.js";

const context: SetupContext = { mode: "quick", check: true };

describe("FrameReader", () => {
  it("delivers the same messages however the stream is cut", () => {
    const messages = [
      Buffer.from([]),
      Buffer.from("héllo"),
      Buffer.alloc(300, 7),
      Buffer.from([1, 2, 3]),
    ];
    const wire = Buffer.concat(
      messages.map((m, i) => {
        const header = Buffer.alloc(4);
        header.writeUInt32BE((m.length | (i === 1 ? 0x80000000 : 0)) >>> 0);
        return Buffer.concat([header, m]);
      }),
    );
    for (let cut = 1; cut <= wire.length; cut++) {
      const got: [string, boolean][] = [];
      const reader = new FrameReader((data, text) => got.push([data.toString("hex"), text]));
      for (let at = 0; at < wire.length; at += cut) reader.push(wire.subarray(at, at + cut));
      expect(got).toEqual(messages.map((m, i) => [m.toString("hex"), i === 1]));
    }
  });
});

describe("textPayload", () => {
  it("is 128 bytes of UTF-8 with multi-byte characters", () => {
    const bytes = Buffer.from(textPayload(12345));
    expect(bytes.length).toBe(128);
    expect(bytes.some((b) => b >= 0x80)).toBe(true);
  });
});

async function batches(body: Body, n: number): Promise<number[]> {
  const work: number[] = [];
  try {
    for (let i = 0; i < n; i++) {
      work.push(await body.run());
      body.verify?.();
    }
  } finally {
    await body.dispose?.();
  }
  return work;
}

const impls: ImplId[] = ["netsockets", "tcp-cork"];

describe.each(impls)("workloads over %s", (impl) => {
  it("1. latency echo: every round trip echoed, percentiles reported", async () => {
    const body = await latencyEcho(impl, context, 10);
    const work = await batches(body, 3);
    expect(work).toEqual([10, 10, 10]);
    const extra = body.extra?.() ?? {};
    expect(extra.p50us).toBeGreaterThan(0); // the third batch is timed (two warm-up batches)
    expect(extra.p99us).toBeGreaterThanOrEqual(extra.p50us ?? 0);
  });

  it("2. pipelined echo: more messages than the window, all echoed in order", async () => {
    expect(await batches(await pipelinedEcho(impl, context, 300, 256), 2)).toEqual([300, 300]);
  });

  it("3. many connections: text round trips on every connection", async () => {
    expect(await batches(await manyConnections(impl, context, 4, 3), 2)).toEqual([12, 12]);
  });

  it("4. large echo: 1 MiB messages byte for byte", async () => {
    const size = 1024 * 1024;
    expect(await batches(await largeEcho(impl, context, size, 2), 1)).toEqual([2 * size]);
  });

  it("5. bulk: the server acknowledges exactly each batch's bytes", async () => {
    const bytes = 3 * 64 * 1024 + 5;
    expect(await batches(await bulk(impl, context, bytes, 64 * 1024), 3)).toEqual([
      bytes,
      bytes,
      bytes,
    ]);
  });

  it("6. handshakes: sequential and concurrent", async () => {
    expect(await batches(await handshakes(impl, context, 4, 1), 2)).toEqual([4, 4]);
    expect(await batches(await handshakes(impl, context, 9, 4), 1)).toEqual([9]);
  });

  it("7. idle memory: the server holds every connection and reports a figure", async () => {
    const body = await idleMemory(impl, context, 25);
    expect(await batches(body, 1)).toEqual([25]);
    expect(Number.isFinite(body.figure?.())).toBe(true);
    const extra = body.extra?.() ?? {};
    // The peer answered with V8's young and old generation sizes and the memory outside V8's
    // heap too (not undefined → NaN).
    for (const key of [
      "heapPerConnKiB",
      "newSpacePerConnKiB",
      "oldSpacePerConnKiB",
      "externalPerConnKiB",
      "arrayBuffersPerConnKiB",
    ]) {
      expect(Number.isFinite(extra[key]), key).toBe(true);
    }
  });

  it("8. fan-out: every client gets every message", async () => {
    expect(await batches(await fanOut(impl, context, 3, 5, 1024), 2)).toEqual([15, 15]);
  });
});

it("5. bulk through StreamWebSocket", async () => {
  const bytes = 2 * 1024 * 1024 + 7;
  expect(await batches(await bulk("stream", context, bytes, 64 * 1024), 2)).toEqual([bytes, bytes]);
});

describe("the server end's memory answer", () => {
  it("once idle, has given back the young generation a burst of connections grew", async () => {
    const peer = await startPeer({ impl: "netsockets", role: "echo" });
    try {
      // 300 connections opened 50 at a time: enough allocation for V8 to grow its young generation.
      const conns = [];
      for (let i = 0; i < 6; i++) {
        conns.push(
          ...(await Promise.all(
            Array.from({ length: 50 }, () => connectClient("netsockets", peer.port, () => {})),
          )),
        );
      }
      const busy = await peer.memory();
      const idle = await peer.memory(true);
      expect(busy.settleMs).toBe(0);
      expect(idle.connections).toBe(300);
      // It waited for V8's 5-second window of low allocation, and no longer than its own limit.
      expect(idle.settleMs).toBeGreaterThan(1000);
      expect(idle.settleMs).toBeLessThan(31_000);
      expect(idle.newSpace).toBeLessThan(busy.newSpace);
      await Promise.all(conns.map((c) => c.close()));
    } finally {
      await peer.stop();
    }
  }, 40_000);
});

describe("the server end's probe commands", () => {
  it("reports its CPU time, which grows with work, and echoes while churning per connection", async () => {
    const peer = await startPeer({ impl: "netsockets", role: "echo", churnObjects: 50 });
    try {
      const before = await peer.cpu();
      const echoed: number[] = [];
      let allBack: (() => void) | undefined;
      const back = new Promise<void>((resolve) => {
        allBack = resolve;
      });
      const conns = await Promise.all(
        Array.from({ length: 5 }, () =>
          connectClient("netsockets", peer.port, (length) => {
            if (echoed.push(length) === 5) allBack?.();
          }),
        ),
      );
      for (const conn of conns) await conn.sendAwait(new Uint8Array(100));
      await back;
      const after = await peer.cpu();
      expect(echoed).toEqual([100, 100, 100, 100, 100]);
      expect(after.user + after.system).toBeGreaterThan(before.user + before.system);
      await Promise.all(conns.map((c) => c.close()));
    } finally {
      await peer.stop();
    }
  });
});
