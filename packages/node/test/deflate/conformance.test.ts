// Protocol-level conformance of PerMessageDeflate on a real Connection, in both roles, against
// the reference peer (reference-peer.ts): the Autobahn 12.x payload sweep shape and the 13.x
// offer/accept pairs (scaled down: a few messages per cell), the RSV rules, the threshold, the
// per-message opt-out, window 8, and releasing zlib.
import { Connection, formatExtensionHeader, parseExtensionHeader } from "@netsockets/protocol";
import {
  type DriveResult,
  decodeFrames,
  driveAsync,
  echoHandler,
  frame,
  splitRandom,
} from "@netsockets/protocol/testing";
import { afterEach, describe, expect, it } from "vitest";
import {
  acceptServerAnswer,
  type DeflateParameters,
  negotiateServer,
  nodeConnectionOptions,
  PerMessageDeflate,
  type PerMessageDeflateOptions,
  parametersOfAnswer,
  zlibJobCounts,
} from "../../src/index.js";
import {
  isTextKind,
  messageFrames,
  messagesOf,
  ReferenceCompressor,
  ReferenceDecompressor,
  sampleData,
} from "./reference-peer.js";

const seed = Number(process.env.NETSOCKETS_SEED ?? 20261126);
console.log(`deflate conformance seed ${seed} (NETSOCKETS_SEED)`);

const DEFAULTS: DeflateParameters = {
  serverNoContextTakeover: false,
  clientNoContextTakeover: false,
  serverMaxWindowBits: 15,
  clientMaxWindowBits: 15,
};

const opened: PerMessageDeflate[] = [];
afterEach(() => {
  for (const deflate of opened.splice(0)) deflate.close();
  expect(zlibJobCounts()).toEqual({ running: 0, queued: 0 });
});

type Role = "client" | "server";

interface EchoRun {
  readonly role: Role;
  readonly parameters: DeflateParameters;
  readonly messages: readonly { data: Uint8Array; binary: boolean }[];
  readonly fragmentSize: number;
  readonly options?: PerMessageDeflateOptions;
  readonly chunkSeed?: number;
}

/**
 * The reference peer sends `messages` compressed (split into frames every `fragmentSize`
 * bytes); our Connection, with an echo application, answers each; the peer inflates the
 * echoes under the negotiated window and context rules and compares.
 */
async function echo(run: EchoRun): Promise<{ result: DriveResult; compressed: boolean[] }> {
  const { role, parameters } = run;
  const deflate = new PerMessageDeflate(role, parameters, { threshold: 0, ...run.options });
  opened.push(deflate);
  const connection = new Connection(nodeConnectionOptions(role, { extensions: [deflate] }));
  const peerIsClient = role === "server";
  const compressor = new ReferenceCompressor({
    noContextTakeover: peerIsClient
      ? parameters.clientNoContextTakeover
      : parameters.serverNoContextTakeover,
    windowBits: peerIsClient ? parameters.clientMaxWindowBits : parameters.serverMaxWindowBits,
  });
  const decompressor = new ReferenceDecompressor({
    noContextTakeover: peerIsClient
      ? parameters.serverNoContextTakeover
      : parameters.clientNoContextTakeover,
    windowBits: peerIsClient ? parameters.serverMaxWindowBits : parameters.clientMaxWindowBits,
  });
  const wire: Uint8Array[] = [];
  for (const message of run.messages) {
    const payload = await compressor.compress(message.data);
    wire.push(
      ...messageFrames(payload, {
        binary: message.binary,
        compressed: true,
        fragmentSize: run.fragmentSize,
        mask: peerIsClient,
      }),
    );
  }
  compressor.close();
  const bytes = Buffer.concat(wire);
  const chunks = run.chunkSeed === undefined ? [bytes] : splitRandom(bytes, run.chunkSeed, 4096);
  const result = await driveAsync(connection, chunks, { handler: echoHandler() });
  const sent = messagesOf(decodeFrames(result.output));
  expect(sent.length).toBe(run.messages.length);
  const compressed: boolean[] = [];
  for (const [i, message] of sent.entries()) {
    const original = run.messages[i] as { data: Uint8Array; binary: boolean };
    expect(message.binary).toBe(original.binary);
    expect(message.laterRsv.every((rsv) => rsv === 0)).toBe(true);
    compressed.push(message.compressed);
    const data = message.compressed
      ? await decompressor.decompress(message.payload)
      : message.payload;
    expect(Buffer.compare(data, original.data)).toBe(0);
  }
  decompressor.close();
  return { result, compressed };
}

function dataEvents(result: DriveResult) {
  return result.events.filter((event) => event.type === "data");
}

function closeOf(result: DriveResult) {
  const close = result.events.find((event) => event.type === "close");
  if (close?.type !== "close") throw new Error("no close event");
  return close;
}

// Autobahn 12.x cells: message size × auto-fragmentation size (0 = one frame).
const SWEEP: readonly (readonly [number, number])[] = [
  [16, 0],
  [64, 0],
  [256, 0],
  [1024, 0],
  [4096, 0],
  [8192, 0],
  [16384, 0],
  [32768, 0],
  [65536, 0],
  [131072, 0],
  [8192, 256],
  [16384, 256],
  [32768, 1024],
  [65536, 4096],
  [131072, 4096],
  [131072, 32768],
];
const KINDS = ["JSON", "image", "prose", "HTML", "random"];

describe.each<Role>(["server", "client"])("Autobahn 12.x shape, we are the %s", (role) => {
  it.each(KINDS.map((kind, index) => [kind, index] as const))(
    "%s payloads, 16 B–128 KiB, fragmented at 0/256/1024/4096/32768",
    async (_kind, kind) => {
      for (const [cell, [size, fragmentSize]] of SWEEP.entries()) {
        const messages = [0, 1, 2].map((n) => ({
          data: sampleData(kind, size, seed + cell * 10 + n),
          binary: !isTextKind(kind),
        }));
        await echo({ role, parameters: DEFAULTS, messages, fragmentSize, chunkSeed: seed + cell });
      }
    },
  );
});

/** Autobahn 13.x: (no_context_takeover, max_window_bits) the offering side requests; 0 = none. */
const PAIRS: readonly (readonly [boolean, number])[] = [
  [false, 0],
  [true, 0],
  [false, 9],
  [false, 15],
  [true, 9],
  [true, 15],
];

function offerFor([noContext, bits]: readonly [boolean, number]): string {
  let offer = "permessage-deflate";
  if (noContext) offer += "; server_no_context_takeover";
  if (bits !== 0) offer += `; server_max_window_bits=${bits}`;
  return `${offer}; client_max_window_bits`;
}

function answerFor([noContext, bits]: readonly [boolean, number]): string {
  let answer = "permessage-deflate";
  if (noContext) answer += "; client_no_context_takeover";
  if (bits !== 0) answer += `; client_max_window_bits=${bits}`;
  return answer;
}

const JSON_SIZES = [16, 1024, 16384, 131072];

async function jsonEcho(role: Role, parameters: DeflateParameters) {
  for (const [i, size] of JSON_SIZES.entries()) {
    const messages = [0, 1, 2].map((n) => ({ data: sampleData(0, size, seed + n), binary: false }));
    await echo({ role, parameters, messages, fragmentSize: i % 2 === 0 ? 0 : 1024 });
  }
}

describe("Autobahn 13.x shape, we are the server", () => {
  it.each(PAIRS.map((pair, i) => [`13.${i + 1}`, pair] as const))(
    "%s %j: negotiates and echoes under the offered window and context rules",
    async (_case, pair) => {
      const negotiated = negotiateServer(parseExtensionHeader(offerFor(pair)) ?? []);
      expect(negotiated).not.toBeNull();
      const answer = formatExtensionHeader([negotiated?.response as never]);
      if (pair[0]) expect(answer).toContain("server_no_context_takeover");
      if (pair[1] !== 0) expect(answer).toContain(`server_max_window_bits=${pair[1]}`);
      const parameters = parametersOfAnswer([negotiated?.response as never]);
      expect(parameters).toEqual(negotiated?.parameters);
      await jsonEcho("server", parameters as DeflateParameters);
    },
  );

  it("13.7: the fallback list [(true, 9), (true, 0), (false, 0)] takes the first", async () => {
    const header = [PAIRS[4], PAIRS[1], PAIRS[0]].map((p) => offerFor(p as never)).join(", ");
    const negotiated = negotiateServer(parseExtensionHeader(header) ?? []);
    expect(negotiated?.parameters).toMatchObject({
      serverNoContextTakeover: true,
      serverMaxWindowBits: 9,
    });
    await jsonEcho("server", negotiated?.parameters as DeflateParameters);
  });
});

describe("Autobahn 13.x shape, we are the client", () => {
  it.each(PAIRS.map((pair, i) => [`13.${i + 1}`, pair] as const))(
    "%s %j: accepts the answer and compresses under its window and context rules",
    async (_case, pair) => {
      const parameters = acceptServerAnswer(parseExtensionHeader(answerFor(pair)) ?? []);
      expect(parameters).toMatchObject({
        clientNoContextTakeover: pair[0],
        clientMaxWindowBits: pair[1] === 0 ? 15 : pair[1],
      });
      await jsonEcho("client", parameters as DeflateParameters);
    },
  );

  it("13.7: a fallback offer list; the server's answer suits the second offer", async () => {
    const offers = [
      { serverNoContextTakeover: true, clientMaxWindowBits: 9 },
      { clientNoContextTakeover: true },
      {},
    ];
    const parameters = acceptServerAnswer(
      parseExtensionHeader("permessage-deflate; client_no_context_takeover") ?? [],
      offers,
    );
    expect(parameters?.clientNoContextTakeover).toBe(true);
    await jsonEcho("client", parameters as DeflateParameters);
  });
});

describe("RSV bits with permessage-deflate negotiated", () => {
  const mask = { mask: true } as const;
  async function serverReceives(...frames: Uint8Array[]): Promise<DriveResult> {
    const deflate = new PerMessageDeflate("server", DEFAULTS);
    opened.push(deflate);
    const connection = new Connection(nodeConnectionOptions("server", { extensions: [deflate] }));
    return driveAsync(connection, [Buffer.concat(frames)]);
  }
  const hello = () => new ReferenceCompressor().compress(new TextEncoder().encode("Hello"));

  it("a compressed message with RSV1 on its first frame only is inflated", async () => {
    const payload = await hello();
    const result = await serverReceives(
      frame(1, payload.subarray(0, 3), { rsv: 4, fin: false, ...mask }),
      frame(0, payload.subarray(3), mask),
    );
    const data = dataEvents(result).map((e) => (e.type === "data" ? Buffer.from(e.data) : ""));
    expect(Buffer.concat(data as Buffer[]).toString()).toBe("Hello");
  });

  it.each([
    [
      "RSV1 on a continuation frame",
      async () => [
        frame(1, await hello(), { rsv: 4, fin: false, ...mask }),
        frame(0, new Uint8Array(0), { rsv: 4, ...mask }),
      ],
    ],
    ["RSV1 on a ping", async () => [frame(9, new Uint8Array(0), { rsv: 4, ...mask })]],
    ["RSV1 on a close", async () => [frame(8, new Uint8Array([3, 232]), { rsv: 4, ...mask })]],
    ["RSV2 (not claimed)", async () => [frame(1, await hello(), { rsv: 2, ...mask })]],
    ["RSV1 + RSV3", async () => [frame(1, await hello(), { rsv: 5, ...mask })]],
  ])("%s fails with 1002", async (_label, make) => {
    const result = await serverReceives(...(await make()));
    const close = closeOf(result);
    expect(close.code).toBe(1002);
    expect(dataEvents(result).some((e) => e.type === "data" && e.messageFinished)).toBe(false);
  });

  it("RSV1 without negotiation fails with 1002", async () => {
    const connection = new Connection(nodeConnectionOptions("server"));
    const result = await driveAsync(connection, [frame(1, await hello(), { rsv: 4, ...mask })]);
    expect(closeOf(result).code).toBe(1002);
  });

  it("compressed data that is not a valid deflate stream fails with 1002", async () => {
    const result = await serverReceives(
      frame(2, new Uint8Array([0xff, 0xff, 0xff, 0x00]), { rsv: 4, ...mask }),
    );
    expect(closeOf(result).code).toBe(1002);
    expect(closeOf(result).error?.code).toBe("WS_ERR_EXTENSION_FAILED");
  });

  it("compressed text that inflates to invalid UTF-8 fails with 1007", async () => {
    const payload = await new ReferenceCompressor().compress(new Uint8Array([0x48, 0xc0, 0xaf]));
    const result = await serverReceives(frame(1, payload, { rsv: 4, ...mask }));
    expect(closeOf(result).code).toBe(1007);
  });

  it("an inflated message over maxMessageSize fails with 1009 (small scale; bomb.test.ts has the large one)", async () => {
    const deflate = new PerMessageDeflate("server", DEFAULTS, { maxMessageSize: 100_000 });
    opened.push(deflate);
    const connection = new Connection(
      nodeConnectionOptions("server", {
        extensions: [deflate],
        limits: { maxMessageSize: 100_000 },
      }),
    );
    const payload = await new ReferenceCompressor().compress(new Uint8Array(10_000_000));
    expect(payload.length).toBeLessThan(20_000);
    const result = await driveAsync(connection, [frame(2, payload, { rsv: 4, ...mask })]);
    expect(closeOf(result).code).toBe(1009);
    expect(deflate.totalInflatedBytes).toBeLessThanOrEqual(100_000 + 64 * 1024);
  });
});

describe("what we compress", () => {
  async function sendAll(
    send: (connection: Connection, deflate: PerMessageDeflate) => void,
    options: PerMessageDeflateOptions = {},
    parameters: DeflateParameters = DEFAULTS,
  ) {
    const deflate = new PerMessageDeflate("server", parameters, options);
    opened.push(deflate);
    const connection = new Connection(nodeConnectionOptions("server", { extensions: [deflate] }));
    send(connection, deflate);
    const output: Uint8Array[] = [];
    for (;;) {
      output.push(...connection.dataToSend());
      const pending = connection.pending;
      if (pending === undefined) break;
      await pending;
    }
    return messagesOf(decodeFrames(Buffer.concat(output)));
  }
  const bytes = (n: number) => new TextEncoder().encode("x".repeat(n));

  it("whole messages under the threshold (default 1024) go uncompressed", async () => {
    const sent = await sendAll((c) => {
      c.sendText(bytes(1023));
      c.sendText(bytes(1024));
      c.sendBinary(new Uint8Array(0));
    });
    expect(sent.map((m) => m.compressed)).toEqual([false, true, false]);
    expect(sent[1]?.payload.length).toBeLessThan(100);
  });

  it("an empty compressed message is one 0x00 octet, also right after another message", async () => {
    const sent = await sendAll(
      (c) => {
        c.sendText(new Uint8Array(0));
        c.sendText(bytes(2000));
        c.sendText(new Uint8Array(0));
      },
      { threshold: 0 },
    );
    expect(sent.map((m) => [m.compressed, [...m.payload].slice(0, 2)])).toEqual([
      [true, [0]],
      [true, expect.any(Array)],
      [true, [0]],
    ]);
  });

  it("a custom threshold", async () => {
    const sent = await sendAll((c) => c.sendText(bytes(100)), { threshold: 50 });
    expect(sent[0]?.compressed).toBe(true);
  });

  it("doNotCompress: a marked message goes as is, the next one compressed again", async () => {
    const sent = await sendAll((c, d) => {
      c.sendText(d.doNotCompress(bytes(4096)));
      c.sendText(bytes(4096));
    });
    expect(sent.map((m) => m.compressed)).toEqual([false, true]);
    expect(sent[0]?.payload.length).toBe(4096);
  });

  it("a fragmented send is compressed as one message, RSV1 on the first frame only", async () => {
    const decompressor = new ReferenceDecompressor();
    const sent = await sendAll((c) => {
      c.sendText(bytes(10), { fin: false });
      c.sendText(bytes(3000), { fin: false });
      c.sendText(bytes(5));
    });
    expect(sent).toHaveLength(1);
    expect(sent[0]?.compressed).toBe(true);
    expect(sent[0]?.laterRsv).toEqual([0, 0]);
    expect((await decompressor.decompress(sent[0]?.payload as Uint8Array)).length).toBe(3015);
    decompressor.close();
  });

  it("with our window forced to 8, every message goes uncompressed (zlib cannot honour 8)", async () => {
    const sent = await sendAll(
      (c) => c.sendText(bytes(50_000)),
      {},
      { ...DEFAULTS, serverMaxWindowBits: 8 },
    );
    expect(sent[0]?.compressed).toBe(false);
  });

  it("inflating a peer's window-8 stream works (zlib made it with 9; we inflate with ≥ 9)", async () => {
    const messages = [0, 1].map((n) => ({
      data: sampleData(4, 3000, n).map((b) => b & 0x7) as Uint8Array,
      binary: true,
    }));
    await echo({
      role: "client",
      parameters: { ...DEFAULTS, serverMaxWindowBits: 8, clientMaxWindowBits: 9 },
      messages,
      fragmentSize: 0,
      chunkSeed: seed,
    });
  });
});

describe("resources", () => {
  it("close() frees zlib; later decode/encode reject; queued jobs of a closed connection are dropped", async () => {
    const deflate = new PerMessageDeflate("server", DEFAULTS, { threshold: 0 });
    const payload = await new ReferenceCompressor().compress(new Uint8Array(1000));
    const first = deflate.decode(payload, { rsv: 4, fin: true, binary: true });
    deflate.close();
    await expect(first).rejects.toThrow(/closed/);
    await expect(deflate.decode(payload, { rsv: 4, fin: true, binary: true })).rejects.toThrow(
      /closed/,
    );
    await expect(
      Promise.resolve(deflate.encode(new Uint8Array(10), { fin: true, binary: true, first: true })),
    ).rejects.toThrow(/closed/);
    expect(deflate.closed).toBe(true);
    expect(zlibJobCounts()).toEqual({ running: 0, queued: 0 });
  });

  it("the limiter bounds concurrent zlib jobs and frees every slot", async () => {
    const deflates = Array.from(
      { length: 30 },
      () => new PerMessageDeflate("server", DEFAULTS, { threshold: 0 }),
    );
    opened.push(...deflates);
    const data = sampleData(0, 50_000, seed);
    let peak = 0;
    const jobs = deflates.map(async (d) => {
      const out = d.encode(data, { fin: true, binary: false, first: true });
      peak = Math.max(peak, zlibJobCounts().running);
      return out;
    });
    expect(zlibJobCounts().queued).toBeGreaterThan(0);
    const results = await Promise.all(jobs);
    expect(peak).toBeLessThanOrEqual(10);
    expect(results.every((r) => r.rsv === 4)).toBe(true);
    // Half of them close while queued: their jobs are dropped, the slots still come back.
    const more = deflates.map((d) => d.encode(data, { fin: true, binary: false, first: true }));
    for (const d of deflates.slice(15)) d.close();
    await Promise.allSettled(more);
    expect(zlibJobCounts()).toEqual({ running: 0, queued: 0 });
  });
});
