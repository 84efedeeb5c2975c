/**
 * Autobahn TestSuite groups 1–7, 9 and 10 at the protocol level, in both roles: an echo
 * application answers from its event handler, and the test asserts the exact frames we send
 * back, in order (echo, pong, close code). Each case runs with the fuzzer's own chopping, then
 * again fed one byte at a time and in random chunks: the answer must not change.
 */
import { isUtf8 } from "node:buffer";
import { describe, expect, it } from "vitest";
import { Connection } from "../src/connection.js";
import type { ConnectionEvent } from "../src/events.js";
import { Opcode } from "../src/opcode.js";
import {
  concatBytes,
  decodeFrames,
  drive,
  echoHandler,
  frame,
  splitEvery,
  splitRandom,
  toHex,
  type WireFrame,
} from "../src/testing/index.js";
import {
  type AutobahnCase,
  autobahnCases,
  type Chop,
  type ExpectedFrame,
  failFastChops,
  type SentFrame,
} from "./autobahn-cases.js";

const seed = Number(process.env.NETSOCKETS_SEED ?? 20261126);
console.log(`autobahn.test.ts: random chunking seed ${seed} (NETSOCKETS_SEED)`);

type Role = "client" | "server";

/** A mask key per frame index, so frames do not all share one key. */
const keyFor = (i: number) => new Uint8Array([(i * 7 + 1) & 0xff, (i * 13 + 2) & 0xff, 0x5a, 0xa5]);

/** The peer's bytes for one frame: masked when the peer is a client (we are the server). */
function encode(f: SentFrame, i: number, we: Role): Uint8Array {
  return frame(f.opcode, f.payload, {
    fin: f.fin ?? true,
    rsv: f.rsv ?? 0,
    ...(we === "server" ? { mask: keyFor(i) } : {}),
  });
}

function chopGroup(frames: Uint8Array[], chop: Chop): Uint8Array[] {
  if (chop === "one") return [concatBytes(frames)];
  if (chop === "frame") return frames.map((f) => f.slice());
  return splitEvery(concatBytes(frames), chop === "octet" ? 1 : chop);
}

/** The fuzzer's writes, grouped by its pauses; its closing frame is a write of its own. */
function writes(c: AutobahnCase, we: Role): Uint8Array[][] {
  const encoded = c.frames.map((f, i) => encode(f, i, we));
  const cuts = [0, ...(c.pauses ?? []), encoded.length];
  const groups: Uint8Array[][] = [];
  for (let g = 0; g + 1 < cuts.length; g++) {
    groups.push(chopGroup(encoded.slice(cuts[g], cuts[g + 1]), c.chop));
  }
  if (c.fuzzerCloses !== false) {
    groups.push([
      frame(
        Opcode.close,
        new Uint8Array([0x03, 0xe8]),
        we === "server" ? { mask: keyFor(99) } : {},
      ),
    ]);
  }
  return groups;
}

/** FNV-1a, to compare long payloads without printing them. */
function digest(bytes: Uint8Array): string {
  if (bytes.length <= 48) return toHex(bytes);
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193);
  return `${bytes.length}:${(h >>> 0).toString(16)}`;
}

const summarize = (frames: readonly (WireFrame | ExpectedFrame)[]) =>
  frames.map((f) => `${f.opcode} ${digest(f.payload)}`);

function checkWire(frames: WireFrame[], we: Role) {
  for (const f of frames) {
    expect(f.masked).toBe(we === "client");
    expect(f.fin).toBe(true);
    expect(f.rsv).toBe(0);
  }
}

function run(chunks: Uint8Array[], we: Role, validateUtf8?: (bytes: Uint8Array) => boolean) {
  const connection = new Connection({ role: we, ...(validateUtf8 ? { validateUtf8 } : {}) });
  return drive(connection, chunks, { handler: echoHandler() });
}

function lastClose(events: ConnectionEvent[]) {
  const last = events.at(-1);
  expect(last?.type).toBe("close");
  return last as Extract<ConnectionEvent, { type: "close" }>;
}

const expectedCloseCode = (c: AutobahnCase): number => {
  const ours = c.expect.at(-1) as ExpectedFrame;
  return ours.payload.length === 0
    ? 1005
    : ((ours.payload[0] as number) << 8) | (ours.payload[1] as number);
};

describe.each(["server", "client"] as const)("Autobahn cases, we are the %s", (we) => {
  it.each(autobahnCases.map((c) => [c.id, c] as const))("%s", (_id, c) => {
    const groups = writes(c, we);
    // Joined before the first run: a Connection owns (and unmasks in place) what it receives.
    const all = concatBytes(groups.flat());
    const connection = new Connection({ role: we });
    const handler = echoHandler();
    const events: ConnectionEvent[] = [];
    const output: Uint8Array[] = [];
    groups.forEach((group, g) => {
      const result = drive(connection, group, { handler });
      events.push(...result.events);
      output.push(result.output);
      if (c.failAfterGroups === g + 1) {
        // Fail fast: our close is out before the rest of the message arrives.
        expect(summarize(decodeFrames(concatBytes(output))).at(-1)).toBe(
          summarize(c.expect).at(-1),
        );
      }
    });
    const frames = decodeFrames(concatBytes(output));
    expect(summarize(frames)).toEqual(summarize(c.expect));
    checkWire(frames, we);

    const close = lastClose(events);
    const failed = close.error !== undefined;
    expect(close.code).toBe(expectedCloseCode(c));
    expect(close.wasClean).toBe(!failed);
    expect(close.closedBy).toBe(failed ? "local" : "remote");
    if (failed) expect(close.error?.closeCode).toBe(close.code);

    // The same bytes in other chunkings give the same answer (1 byte at a time up to 70 kB:
    // beyond that it only costs time, the random chunks still cut everywhere).
    if (all.length <= 70_000) {
      expect(summarize(decodeFrames(run(splitEvery(all, 1), we).output))).toEqual(
        summarize(c.expect),
      );
    }
    expect(summarize(decodeFrames(run(splitRandom(all, seed, 257), we).output))).toEqual(
      summarize(c.expect),
    );
  });

  it.each(failFastChops.map((c) => [c.id, c] as const))(
    "%s fails as soon as the invalid bytes arrive (one frame, three chops)",
    (_id, { parts }) => {
      const payload = concatBytes(parts);
      const bytes = frame(Opcode.text, payload, we === "server" ? { mask: keyFor(0) } : {});
      const header = bytes.length - payload.length;
      const cut1 = header + parts[0].length;
      const cut2 = cut1 + parts[1].length;
      const connection = new Connection({ role: we });
      const first = drive(connection, [bytes.slice(0, cut1)], { handler: echoHandler() });
      expect(first.output.length).toBe(0);
      const second = drive(connection, [bytes.slice(cut1, cut2)], { handler: echoHandler() });
      expect(summarize(decodeFrames(second.output))).toEqual([`${Opcode.close} 03ef`]);
      expect(lastClose(second.events).error?.code).toBe("WS_ERR_INVALID_UTF8");
      const third = drive(connection, [bytes.slice(cut2)], { handler: echoHandler() });
      expect(third.events).toEqual([]);
      expect(third.output.length).toBe(0);
    },
  );
});

describe("Autobahn group 6 with an injected native UTF-8 validator (buffer.isUtf8)", () => {
  const group6 = autobahnCases.filter((c) => c.id.startsWith("6."));
  it.each(group6.map((c) => [c.id, c] as const))("%s", (_id, c) => {
    for (const we of ["server", "client"] as const) {
      const all = concatBytes(writes(c, we).flat());
      for (const chunks of [[all.slice()], splitEvery(all, 1), splitRandom(all, seed, 13)]) {
        expect(summarize(decodeFrames(run(chunks, we, isUtf8).output))).toEqual(
          summarize(c.expect),
        );
      }
    }
  });
});
