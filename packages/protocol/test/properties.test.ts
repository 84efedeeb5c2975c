/**
 * Property tests (fast-check, fixed seed): frames round-trip through the serializer and the
 * parser; the Connection never throws on any input and reports the same events under any
 * chunking, one byte at a time included; messages sent by one core arrive intact at the other.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ByteQueue } from "../src/byte-queue.js";
import { Connection } from "../src/connection.js";
import type { Extension } from "../src/extension.js";
import { FrameParser, ParseStep } from "../src/frame-parser.js";
import { serializeFrame } from "../src/frame-serializer.js";
import { resolveLimits } from "../src/limits.js";
import {
  concatBytes,
  driveAsync,
  echoHandler,
  fixedMaskFill,
  frame,
  splitEvery,
  toHex,
} from "../src/testing/index.js";
import { normalize, runChunks, seed } from "./chunking.js";

console.log(`properties.test.ts: fast-check seed ${seed} (NETSOCKETS_SEED)`);
const params = { seed, numRuns: 200 };

/** Cuts `bytes` at the given positions (taken modulo its length), copying each piece. */
function cut(bytes: Uint8Array, positions: number[]): Uint8Array[] {
  const points = [...new Set(positions.map((p) => (bytes.length === 0 ? 0 : p % bytes.length)))]
    .filter((p) => p > 0)
    .sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let at = 0;
  for (const p of [...points, bytes.length]) {
    chunks.push(bytes.slice(at, p));
    at = p;
  }
  return chunks;
}

const payload = fc.oneof(
  { weight: 8, arbitrary: fc.uint8Array({ maxLength: 300 }) },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 65_536, max: 70_000 })
      .map((n) => new Uint8Array(n).fill(n & 0xff)),
  },
);
const controlPayload = fc.uint8Array({ maxLength: 125 });
const maskKey = fc.uint8Array({ minLength: 4, maxLength: 4 });
const rsv1Identity: Extension = { name: "x-identity", rsvBits: 4, decode: (chunk) => chunk };

describe("properties", () => {
  it("any frame round-trips through serializeFrame and the parser", () => {
    const dataFrame = fc.record({
      opcode: fc.constantFrom(1, 2),
      payload,
      fin: fc.boolean(),
      rsv: fc.integer({ min: 0, max: 7 }),
    });
    const controlFrame = fc.record({
      opcode: fc.constantFrom(8, 9, 10),
      payload: controlPayload,
      fin: fc.constant(true),
      rsv: fc.constant(0),
    });
    fc.assert(
      fc.property(fc.oneof(dataFrame, controlFrame), fc.option(maskKey), (f, key) => {
        const [header, body] =
          key === null
            ? serializeFrame(f.opcode, f.payload, { fin: f.fin, rsv: f.rsv })
            : serializeFrame(f.opcode, f.payload, { fin: f.fin, rsv: f.rsv, maskKey: key });
        const queue = new ByteQueue();
        const parser = new FrameParser(queue, {
          expectMasked: key !== null,
          limits: resolveLimits(),
          allowedRsv: 7,
        });
        queue.push(concatBytes([header, body]));
        const pieces: Uint8Array[] = [];
        for (let step = parser.next(); step !== ParseStep.needData; step = parser.next()) {
          expect(step).not.toBe(ParseStep.error);
          expect(parser.opcode).toBe(f.opcode);
          expect(parser.fin).toBe(f.fin);
          expect(parser.messageRsv).toBe(f.rsv);
          pieces.push(parser.payload.slice());
        }
        expect(toHex(concatBytes(pieces))).toBe(toHex(f.payload));
        expect(queue.length).toBe(0);
      }),
      params,
    );
  });

  /** A stream of mostly valid frames with some broken ones, as the peer of `role` would send. */
  const wireFrame = (masked: boolean) =>
    fc.oneof(
      {
        weight: 6,
        arbitrary: fc
          .record({
            opcode: fc.constantFrom(0, 1, 2),
            payload,
            fin: fc.boolean(),
            rsv: fc.constantFrom(0, 0, 0, 4, 2),
          })
          .map((f) => frame(f.opcode, f.payload, { fin: f.fin, rsv: f.rsv, mask: masked })),
      },
      {
        weight: 3,
        arbitrary: fc
          .record({ opcode: fc.constantFrom(8, 9, 10), payload: controlPayload })
          .map((f) => frame(f.opcode, f.payload, { mask: masked })),
      },
      { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 20 }) },
    );

  it.each(["server", "client"] as const)(
    "as %s: never throws and reports the same under any chunking",
    (role) => {
      fc.assert(
        fc.property(
          fc.array(wireFrame(role === "server"), { maxLength: 12 }),
          fc.array(fc.nat(), { maxLength: 30 }),
          fc.boolean(),
          fc.boolean(),
          fc.boolean(),
          (frames, positions, eof, withExtension, wholeBinaryMessages) => {
            const bytes = concatBytes(frames);
            // With a synchronous identity extension claiming RSV1, RSV1 messages are legal.
            const options = {
              role,
              limits: { maxMessageSize: 200_000 },
              ...(withExtension ? { extensions: [rsv1Identity] } : {}),
              wholeBinaryMessages,
            };
            const whole = runChunks(options, [bytes.slice()], echoHandler(), eof);
            const chunked = runChunks(options, cut(bytes, positions), echoHandler(), eof);
            expect(chunked.events).toEqual(whole.events);
            expect(chunked.output).toEqual(whole.output);
            // Whole binary messages change how messages are cut into pieces, nothing else.
            const other = { ...options, wholeBinaryMessages: !wholeBinaryMessages };
            const otherChunked = runChunks(other, cut(bytes, positions), echoHandler(), eof);
            expect(otherChunked.events).toEqual(whole.events);
            expect(otherChunked.output).toEqual(whole.output);
            if (bytes.length <= 4096) {
              const bytewise = runChunks(options, splitEvery(bytes, 1), echoHandler(), eof);
              expect(bytewise.events).toEqual(whole.events);
              expect(bytewise.output).toEqual(whole.output);
            }
            // After EOF or a failure, the last event is the close, and there is exactly one.
            const closes = whole.raw.filter((e) => e.type === "close");
            expect(closes.length).toBeLessThanOrEqual(1);
            if (eof) expect(whole.raw.at(-1)?.type).toBe("close");
          },
        ),
        params,
      );
    },
  );

  it("an asynchronous extension gives the same events and output as a synchronous one", async () => {
    const asyncIdentity: Extension = {
      name: "x-async",
      rsvBits: 4,
      decode: (chunk) => Promise.resolve(chunk.slice()),
    };
    await fc.assert(
      fc.asyncProperty(
        fc.array(wireFrame(true), { maxLength: 10 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        async (frames, positions) => {
          const bytes = concatBytes(frames);
          const limits = { maxMessageSize: 200_000 };
          const sync = runChunks(
            { role: "server", limits, extensions: [rsv1Identity] },
            [bytes.slice()],
            echoHandler(),
          );
          const connection = new Connection({
            role: "server",
            limits,
            extensions: [asyncIdentity],
          });
          const result = await driveAsync(connection, cut(bytes, positions), {
            handler: echoHandler(),
          });
          expect(normalize(result.events)).toEqual(sync.events);
          expect(toHex(result.output)).toEqual(sync.output);
        },
      ),
      { seed, numRuns: 100 },
    );
  });

  it("messages sent by a client core arrive intact at a server core, in any chunking", () => {
    const op = fc.oneof(
      fc.record({
        kind: fc.constant("text" as const),
        text: fc.string({ unit: "grapheme", maxLength: 40 }),
        pieces: fc.integer({ min: 1, max: 4 }),
      }),
      fc.record({
        kind: fc.constant("binary" as const),
        data: fc.uint8Array({ maxLength: 200 }),
        pieces: fc.integer({ min: 1, max: 4 }),
      }),
      fc.record({ kind: fc.constant("ping" as const), data: controlPayload }),
    );
    fc.assert(
      fc.property(
        fc.array(op, { maxLength: 10 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (ops, positions) => {
          const client = new Connection({ role: "client", randomFill: fixedMaskFill() });
          const expected: unknown[] = [];
          for (const o of ops) {
            if (o.kind === "ping") {
              client.sendPing(o.data);
              expected.push({ type: "ping", data: toHex(o.data) });
              continue;
            }
            const bytes = o.kind === "text" ? new TextEncoder().encode(o.text) : o.data;
            // Cut the message into `pieces` fragments (some may be empty).
            const size = Math.ceil(bytes.length / o.pieces) || 1;
            for (let i = 0; i < o.pieces; i++) {
              const part = bytes.slice(i * size, (i + 1) * size);
              const fin = i === o.pieces - 1;
              if (o.kind === "text") client.sendText(part, { fin });
              else client.sendBinary(part, { fin });
            }
            expected.push({
              type: "message",
              binary: o.kind === "binary",
              data: toHex(bytes),
              finished: true,
            });
          }
          const wire = concatBytes(client.dataToSend());
          const run = runChunks({ role: "server" }, cut(wire, positions));
          expect(run.events).toEqual(expected);
        },
      ),
      params,
    );
  });

  it("normalizes pieces the same way the assembler does", () => {
    // Guard for the helper itself: a message in three pieces is one message.
    const connection = new Connection({ role: "client" });
    connection.receiveData(frame(1, new TextEncoder().encode("abc"), { fin: false }));
    const first = connection.nextEvents();
    connection.receiveData(frame(0, new TextEncoder().encode("d")));
    expect(normalize([...first, ...connection.nextEvents()])).toEqual([
      { type: "message", binary: false, data: "61626364", finished: true },
    ]);
  });
});
