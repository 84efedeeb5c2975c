// Byte vectors for every read and write method in both byte orders (reference/uwp-api.md §16.4).
// Vectors marked "reference" are copied from §16.4 (Uno's Windows-matching runtime tests); the
// rest follow from the stated encoding (two's complement / IEEE-754 in the byte order).
import { describe, expect, it } from "vitest";
import { ByteOrder, DataReader, DataWriter, UnicodeEncoding } from "../src/index.js";
import { hex, unhex } from "./support/hex.js";

interface Vector {
  readonly name: string;
  readonly write: (w: DataWriter) => void;
  readonly read: (r: DataReader) => unknown;
  readonly value: unknown;
  readonly le: string;
  readonly be: string;
}

const reverse = (h: string): string => h.match(/../g)?.reverse().join("") ?? "";

/** A numeric vector: BE is the LE bytes reversed. */
function num(
  name: string,
  write: (w: DataWriter) => void,
  read: (r: DataReader) => unknown,
  value: unknown,
  le: string,
): Vector {
  return { name, write, read, value, le, be: reverse(le) };
}

const vectors: Vector[] = [
  num(
    "writeByte/readByte",
    (w) => w.writeByte(0xab),
    (r) => r.readByte(),
    0xab,
    "ab",
  ),
  num(
    "writeBoolean(true)",
    (w) => w.writeBoolean(true),
    (r) => r.readBoolean(),
    true,
    "01",
  ),
  num(
    "writeBoolean(false)",
    (w) => w.writeBoolean(false),
    (r) => r.readBoolean(),
    false,
    "00",
  ),
  {
    name: "writeBytes/readBytes (byte order does not apply)",
    write: (w) => w.writeBytes(unhex("01 02 03")),
    read: (r) => {
      const target = new Uint8Array(3);
      r.readBytes(target);
      return hex(target);
    },
    value: "010203",
    le: "010203",
    be: "010203",
  },
  {
    name: "writeBuffer(range)/readBuffer",
    write: (w) => w.writeBuffer(unhex("00 0a 0b 0c 00"), 1, 3),
    read: (r) => hex(r.readBuffer(3)),
    value: "0a0b0c",
    le: "0a0b0c",
    be: "0a0b0c",
  },
  num(
    "Int16 -2",
    (w) => w.writeInt16(-2),
    (r) => r.readInt16(),
    -2,
    "feff",
  ),
  num(
    "Int16 min",
    (w) => w.writeInt16(-32768),
    (r) => r.readInt16(),
    -32768,
    "0080",
  ),
  num(
    "UInt16 0x1234",
    (w) => w.writeUInt16(0x1234),
    (r) => r.readUInt16(),
    0x1234,
    "3412",
  ),
  // reference: WriteInt32(1304) gives 18 05 00 00 in LE and 00 00 05 18 in BE.
  num(
    "Int32 1304 (reference)",
    (w) => w.writeInt32(1304),
    (r) => r.readInt32(),
    1304,
    "18050000",
  ),
  num(
    "Int32 -1",
    (w) => w.writeInt32(-1),
    (r) => r.readInt32(),
    -1,
    "ffffffff",
  ),
  num(
    "UInt32 0xdeadbeef",
    (w) => w.writeUInt32(0xdeadbeef),
    (r) => r.readUInt32(),
    0xdeadbeef,
    "efbeadde",
  ),
  num(
    "Int64 -2",
    (w) => w.writeInt64(-2n),
    (r) => r.readInt64(),
    -2n,
    "feffffffffffffff",
  ),
  num(
    "UInt64 0x0102030405060708",
    (w) => w.writeUInt64(0x0102030405060708n),
    (r) => r.readUInt64(),
    0x0102030405060708n,
    "0807060504030201",
  ),
  num(
    "UInt64 max",
    (w) => w.writeUInt64(2n ** 64n - 1n),
    (r) => r.readUInt64(),
    2n ** 64n - 1n,
    "ffffffffffffffff",
  ),
  num(
    "Single 1.5",
    (w) => w.writeSingle(1.5),
    (r) => r.readSingle(),
    1.5,
    "0000c03f",
  ),
  // reference: in LE, NaN is 00 00 C0 FF (single) and 00…F8 FF (double).
  num(
    "Single NaN (reference)",
    (w) => w.writeSingle(Number.NaN),
    (r) => r.readSingle(),
    Number.NaN,
    "0000c0ff",
  ),
  num(
    "Double 1.5",
    (w) => w.writeDouble(1.5),
    (r) => r.readDouble(),
    1.5,
    "000000000000f83f",
  ),
  num(
    "Double NaN (reference)",
    (w) => w.writeDouble(Number.NaN),
    (r) => r.readDouble(),
    Number.NaN,
    "000000000000f8ff",
  ),
  // reference: the epoch gives 8 zero bytes.
  num(
    "DateTime 1601-01-01 (reference)",
    (w) => w.writeDateTime(new Date("1601-01-01T00:00:00Z")),
    (r) => r.readDateTime(),
    new Date("1601-01-01T00:00:00Z"),
    "0000000000000000",
  ),
  // reference: 2020-03-14T15:26:35Z = 0x01D5FA14F2608780, LE 80 87 60 F2 14 FA D5 01.
  num(
    "DateTime 2020-03-14T15:26:35Z (reference)",
    (w) => w.writeDateTime(new Date("2020-03-14T15:26:35Z")),
    (r) => r.readDateTime(),
    new Date("2020-03-14T15:26:35Z"),
    "808760f214fad501",
  ),
  // reference: .NET DateTimeOffset.MinValue (year 1) = 0xF8FE31E8DD890000.
  num(
    "DateTime year 1 (reference)",
    (w) => w.writeDateTime(new Date("0001-01-01T00:00:00Z")),
    (r) => r.readDateTimeTicks(),
    BigInt.asIntN(64, 0xf8fe31e8dd890000n),
    "000089dde831fef8",
  ),
  num(
    "DateTime ticks (lossless)",
    (w) => w.writeDateTimeTicks(0x01d5fa14f2608781n),
    (r) => r.readDateTimeTicks(),
    0x01d5fa14f2608781n,
    "818760f214fad501",
  ),
  // reference: 19 days = 16416000000000 ticks, LE 00 40 D9 25 EE 0E 00 00.
  num(
    "TimeSpan 19 days (reference)",
    (w) => w.writeTimeSpan(19 * 24 * 3600 * 1000),
    (r) => r.readTimeSpan(),
    19 * 24 * 3600 * 1000,
    "0040d925ee0e0000",
  ),
  num(
    "TimeSpan ticks -1 (lossless)",
    (w) => w.writeTimeSpanTicks(-1n),
    (r) => r.readTimeSpanTicks(),
    -1n,
    "ffffffffffffffff",
  ),
  num(
    "TimeSpan 0.0001 ms = 1 tick",
    (w) => w.writeTimeSpan(0.0001),
    (r) => r.readTimeSpan(),
    0.0001,
    "0100000000000000",
  ),
  // reference: LE fd488b77-be04-447b-8242-e592747dc3a8 → 77 8B 48 FD 04 BE 7B 44 82 42 E5 92 74 7D C3 A8.
  {
    name: "Guid fd488b77… (reference LE)",
    write: (w) => w.writeGuid("fd488b77-be04-447b-8242-e592747dc3a8"),
    read: (r) => r.readGuid(),
    value: "fd488b77-be04-447b-8242-e592747dc3a8",
    le: "778b48fd04be7b448242e592747dc3a8",
    be: "fd488b77be04447ba8c37d7492e54282",
  },
  // reference: BE 661f4a60-4ada-463e-938a-ce91bfcf4ea3 → 66 1F 4A 60 4A DA 46 3E A3 4E CF BF 91 CE 8A 93.
  {
    name: "Guid 661f4a60… (reference BE)",
    write: (w) => w.writeGuid("661F4A60-4ADA-463E-938A-CE91BFCF4EA3"),
    read: (r) => r.readGuid(),
    value: "661f4a60-4ada-463e-938a-ce91bfcf4ea3",
    le: "604a1f66da4a3e46938ace91bfcf4ea3",
    be: "661f4a604ada463ea34ecfbf91ce8a93",
  },
];

const orders = [
  ["littleEndian", ByteOrder.littleEndian],
  ["bigEndian", ByteOrder.bigEndian],
] as const;

describe("wire vectors, both byte orders", () => {
  for (const [orderName, order] of orders) {
    describe(orderName, () => {
      for (const v of vectors) {
        it(v.name, () => {
          const expected = order === ByteOrder.littleEndian ? v.le : v.be;
          const writer = new DataWriter();
          writer.byteOrder = order;
          v.write(writer);
          expect(writer.unstoredBufferLength).toBe(expected.length / 2);
          const bytes = writer.detachBuffer();
          expect(hex(bytes)).toBe(expected);

          const reader = DataReader.fromBuffer(unhex(expected));
          reader.byteOrder = order;
          expect(reader.unconsumedBufferLength).toBe(expected.length / 2);
          expect(v.read(reader)).toEqual(v.value);
          expect(reader.unconsumedBufferLength).toBe(0);
        });
      }
    });
  }

  it("reads any nonzero byte as true", () => {
    const reader = DataReader.fromBuffer(unhex("7f 00 ff"));
    expect([reader.readBoolean(), reader.readBoolean(), reader.readBoolean()]).toEqual([
      true,
      false,
      true,
    ]);
  });

  it("defaults to big-endian and UTF-8", () => {
    const writer = new DataWriter();
    expect(writer.byteOrder).toBe(ByteOrder.bigEndian);
    expect(writer.unicodeEncoding).toBe(UnicodeEncoding.utf8);
    writer.writeInt32(1304);
    expect(hex(writer.detachBuffer())).toBe("00000518");
    const reader = DataReader.fromBuffer(unhex("00000518"));
    expect(reader.byteOrder).toBe(ByteOrder.bigEndian);
    expect(reader.unicodeEncoding).toBe(UnicodeEncoding.utf8);
    expect(reader.readInt32()).toBe(1304);
  });

  it("rounds a DateTime down to the millisecond when read as a Date", () => {
    // One tick before the Unix epoch is still in the millisecond before it.
    const writer = new DataWriter();
    writer.writeDateTimeTicks(116_444_736_000_000_000n - 1n);
    writer.writeDateTimeTicks(116_444_736_000_000_000n + 9_999n);
    const reader = DataReader.fromBuffer(writer.detachBuffer());
    expect(reader.readDateTime().getTime()).toBe(-1);
    expect(reader.readDateTime().getTime()).toBe(0);
  });
});

const strings: ReadonlyArray<{
  readonly text: string;
  readonly utf8: string;
  readonly utf16LE: string;
  readonly utf16BE: string;
}> = [
  // reference: Utf16BE gives 00 48 00 65 for "He" regardless of ByteOrder.
  { text: "He", utf8: "4865", utf16LE: "48006500", utf16BE: "00480065" },
  { text: "é€", utf8: "c3a9e282ac", utf16LE: "e900ac20", utf16BE: "00e920ac" },
  // A surrogate pair: U+1F600.
  { text: "😀", utf8: "f09f9880", utf16LE: "3dd800de", utf16BE: "d83dde00" },
  { text: "", utf8: "", utf16LE: "", utf16BE: "" },
  // A U+FEFF is an ordinary character: never written as a BOM, never stripped when read.
  { text: "\ufeffA", utf8: "efbbbf41", utf16LE: "fffe4100", utf16BE: "feff0041" },
];

const encodings = [
  ["utf8", UnicodeEncoding.utf8],
  ["utf16LE", UnicodeEncoding.utf16LE],
  ["utf16BE", UnicodeEncoding.utf16BE],
] as const;

describe("string vectors (no BOM, byte order does not apply)", () => {
  for (const [encodingName, encoding] of encodings) {
    for (const [orderName, order] of orders) {
      for (const s of strings) {
        it(`${encodingName} ${orderName} ${JSON.stringify(s.text)}`, () => {
          const expected = s[encodingName];
          const writer = new DataWriter();
          writer.unicodeEncoding = encoding;
          writer.byteOrder = order;
          expect(writer.measureString(s.text)).toBe(expected.length / 2);
          expect(writer.writeString(s.text)).toBe(expected.length / 2);
          expect(hex(writer.detachBuffer())).toBe(expected);

          const reader = DataReader.fromBuffer(unhex(expected));
          reader.unicodeEncoding = encoding;
          reader.byteOrder = order;
          // readString counts code units: bytes in UTF-8, byte pairs in UTF-16 (§16.5).
          const units = encoding === UnicodeEncoding.utf8 ? expected.length / 2 : s.text.length;
          expect(reader.readString(units)).toBe(s.text);
          expect(reader.unconsumedBufferLength).toBe(0);
        });
      }
    }
  }

  it("encodes long strings (the native path) the same as short ones", () => {
    const text = "aé€😀".repeat(40);
    const writer = new DataWriter();
    expect(writer.writeString(text)).toBe(Buffer.byteLength(text));
    const bytes = writer.detachBuffer();
    expect(hex(bytes)).toBe(Buffer.from(text).toString("hex"));
    expect(DataReader.fromBuffer(bytes).readString(bytes.length)).toBe(text);
  });
});
