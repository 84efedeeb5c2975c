// fast-check round trips: every type the writer writes, the reader reads back unchanged, in both
// byte orders and all three encodings, alone and in random sequences loaded through a stream.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ByteOrder,
  DataReader,
  DataWriter,
  fromBytes,
  InputStreamOptions,
  UnicodeEncoding,
} from "../src/index.js";
import { OneByteSource } from "./support/push-source.js";

const seed = Number(process.env.NETSOCKETS_SEED ?? 20261126);
console.log(`fast-check seed ${seed} (set NETSOCKETS_SEED to change)`);

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** One typed value: how to write it, read it, and the value expected back. */
interface Op {
  readonly type: string;
  readonly write: (w: DataWriter) => void;
  readonly read: (r: DataReader) => unknown;
  readonly expected: unknown;
}

const op = (
  type: string,
  write: (w: DataWriter) => void,
  read: (r: DataReader) => unknown,
  expected: unknown,
): Op => ({ type, write, read, expected });

/** Text of well-formed UTF-16 (surrogate pairs included, lone surrogates never). */
const text = fc.string({ unit: "grapheme", maxLength: 40 });

/** A generator per type, keyed by the type name. */
const ops: Record<string, fc.Arbitrary<Op>> = {
  byte: fc.integer({ min: 0, max: 255 }).map((v) =>
    op(
      "byte",
      (w) => w.writeByte(v),
      (r) => r.readByte(),
      v,
    ),
  ),
  boolean: fc.boolean().map((v) =>
    op(
      "boolean",
      (w) => w.writeBoolean(v),
      (r) => r.readBoolean(),
      v,
    ),
  ),
  bytes: fc.uint8Array({ maxLength: 64 }).map((v) =>
    op(
      "bytes",
      (w) => w.writeBytes(v),
      (r) => {
        const target = new Uint8Array(v.length);
        r.readBytes(target);
        return target;
      },
      v,
    ),
  ),
  buffer: fc
    .uint8Array({ maxLength: 64 })
    .chain((v) =>
      fc
        .nat(v.length)
        .chain((start) => fc.nat(v.length - start).map((count) => ({ v, start, count }))),
    )
    .map(({ v, start, count }) =>
      op(
        "buffer",
        (w) => w.writeBuffer(v, start, count),
        (r) => r.readBuffer(count),
        v.slice(start, start + count),
      ),
    ),
  int16: fc.integer({ min: -32768, max: 32767 }).map((v) =>
    op(
      "int16",
      (w) => w.writeInt16(v),
      (r) => r.readInt16(),
      v,
    ),
  ),
  uint16: fc.integer({ min: 0, max: 65535 }).map((v) =>
    op(
      "uint16",
      (w) => w.writeUInt16(v),
      (r) => r.readUInt16(),
      v,
    ),
  ),
  int32: fc.integer().map((v) =>
    op(
      "int32",
      (w) => w.writeInt32(v),
      (r) => r.readInt32(),
      v,
    ),
  ),
  uint32: fc.integer({ min: 0, max: 0xffffffff }).map((v) =>
    op(
      "uint32",
      (w) => w.writeUInt32(v),
      (r) => r.readUInt32(),
      v,
    ),
  ),
  int64: fc.bigInt({ min: INT64_MIN, max: INT64_MAX }).map((v) =>
    op(
      "int64",
      (w) => w.writeInt64(v),
      (r) => r.readInt64(),
      v,
    ),
  ),
  uint64: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map((v) =>
    op(
      "uint64",
      (w) => w.writeUInt64(v),
      (r) => r.readUInt64(),
      v,
    ),
  ),
  single: fc.float().map((v) =>
    op(
      "single",
      (w) => w.writeSingle(v),
      (r) => r.readSingle(),
      v,
    ),
  ),
  double: fc.double().map((v) =>
    op(
      "double",
      (w) => w.writeDouble(v),
      (r) => r.readDouble(),
      v,
    ),
  ),
  // Every Date whose tick count fits Int64 (years about -27,627 … 30,828).
  dateTime: fc
    .date({
      min: new Date(-8_644_473_600_000_00),
      max: new Date(910_692_730_085_477),
      noInvalidDate: true,
    })
    .map((v) =>
      op(
        "dateTime",
        (w) => w.writeDateTime(v),
        (r) => r.readDateTime(),
        v,
      ),
    ),
  dateTimeTicks: fc.bigInt({ min: INT64_MIN, max: INT64_MAX }).map((v) =>
    op(
      "dateTimeTicks",
      (w) => w.writeDateTimeTicks(v),
      (r) => r.readDateTimeTicks(),
      v,
    ),
  ),
  // Whole milliseconds round-trip exactly while ms × 10⁴ stays a safe integer.
  timeSpan: fc.integer({ min: -900_719_925_474, max: 900_719_925_474 }).map((v) =>
    op(
      "timeSpan",
      (w) => w.writeTimeSpan(v),
      (r) => r.readTimeSpan(),
      v,
    ),
  ),
  timeSpanTicks: fc.bigInt({ min: INT64_MIN, max: INT64_MAX }).map((v) =>
    op(
      "timeSpanTicks",
      (w) => w.writeTimeSpanTicks(v),
      (r) => r.readTimeSpanTicks(),
      v,
    ),
  ),
  guid: fc.uuid().map((v) =>
    op(
      "guid",
      (w) => w.writeGuid(v.toUpperCase()),
      (r) => r.readGuid(),
      v.toLowerCase(),
    ),
  ),
  string: text.map((v) =>
    op(
      "string",
      (w) => {
        // A length prefix in code units of the encoding, as the WinRT samples do (§16.5).
        const bytes = w.measureString(v);
        w.writeUInt32(w.unicodeEncoding === UnicodeEncoding.utf8 ? bytes : v.length);
        expect(w.writeString(v)).toBe(bytes);
      },
      (r) => r.readString(r.readUInt32()),
      v,
    ),
  ),
};

const byteOrder = fc.constantFrom(ByteOrder.littleEndian, ByteOrder.bigEndian);
const encoding = fc.constantFrom(
  UnicodeEncoding.utf8,
  UnicodeEncoding.utf16LE,
  UnicodeEncoding.utf16BE,
);

function roundTrip(list: readonly Op[], order: ByteOrder, enc: UnicodeEncoding): Uint8Array {
  const writer = new DataWriter();
  writer.byteOrder = order;
  writer.unicodeEncoding = enc;
  for (const o of list) o.write(writer);
  return writer.detachBuffer();
}

function readAll(reader: DataReader, list: readonly Op[]): void {
  for (const o of list) expect(o.read(reader), o.type).toEqual(o.expected);
  expect(reader.unconsumedBufferLength).toBe(0);
}

describe("round trips (fast-check)", () => {
  for (const [type, arbitrary] of Object.entries(ops)) {
    it(`${type} in both byte orders and every encoding`, () => {
      fc.assert(
        fc.property(arbitrary, byteOrder, encoding, (o, order, enc) => {
          const reader = DataReader.fromBuffer(roundTrip([o], order, enc));
          reader.byteOrder = order;
          reader.unicodeEncoding = enc;
          readAll(reader, [o]);
        }),
        { seed, numRuns: 200 },
      );
    });
  }

  it("random sequences of every type, loaded from a stream in random load sizes", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(...Object.values(ops)), { maxLength: 30 }),
        byteOrder,
        encoding,
        fc.integer({ min: 1, max: 64 }),
        async (list, order, enc, loadSize) => {
          const bytes = roundTrip(list, order, enc);
          const reader = new DataReader(fromBytes(bytes));
          reader.byteOrder = order;
          reader.unicodeEncoding = enc;
          let total = 0;
          for (;;) {
            const loaded = await reader.loadAsync(loadSize);
            total += loaded;
            if (loaded < loadSize) break;
          }
          expect(total).toBe(bytes.length);
          readAll(reader, list);
        },
      ),
      { seed, numRuns: 150 },
    );
  });

  it("random sequences through a one-byte-at-a-time source in partial mode", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(ops.int32 as fc.Arbitrary<Op>, ops.string as fc.Arbitrary<Op>), {
          maxLength: 6,
        }),
        async (list) => {
          const bytes = roundTrip(list, ByteOrder.bigEndian, UnicodeEncoding.utf8);
          const reader = new DataReader(new OneByteSource(bytes));
          reader.inputStreamOptions = InputStreamOptions.partial;
          for (let i = 0; i < bytes.length; i++) expect(await reader.loadAsync(8)).toBe(1);
          expect(await reader.loadAsync(8)).toBe(0);
          readAll(reader, list);
        },
      ),
      { seed, numRuns: 30 },
    );
  });
});
