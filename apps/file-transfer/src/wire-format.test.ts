import { DataReader, DataWriter, fromBytes } from "netsockets";
import { describe, expect, it } from "vitest";
import {
  BadHeaderError,
  encodeStatus,
  MAX_NAME_BYTES,
  readHeader,
  readStatus,
  TransferStatus,
  writeHeader,
} from "./wire-format.js";

const sha = Uint8Array.from({ length: 32 }, (_, i) => i);
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const headerBytes = (name: string, size: number) => {
  const writer = new DataWriter();
  writeHeader(writer, { name, size, sha256: sha });
  return writer.detachBuffer();
};
const readerOf = (bytes: Uint8Array) => new DataReader(fromBytes(bytes));

describe("header", () => {
  it("has the documented layout: magic, version, UInt16 name length, name, UInt64 size, SHA-256", () => {
    const bytes = headerBytes("Zoë.txt", 0x1_0000_0001);
    expect(hex(bytes)).toBe(
      ["4e534654", "01", "0008", hex(Buffer.from("Zoë.txt")), "0000000100000001", hex(sha)].join(
        "",
      ),
    );
    expect(bytes.length).toBe(47 + 8);
  });

  it("round-trips and loads exactly its own bytes (the body that follows stays in the stream)", async () => {
    const body = Uint8Array.of(9, 8, 7);
    const all = new Uint8Array([...headerBytes("a/b.bin", 3), ...body]);
    const reader = readerOf(all);
    expect(await readHeader(reader)).toEqual({ name: "a/b.bin", size: 3, sha256: sha });
    expect(reader.unconsumedBufferLength).toBe(0);
    await reader.loadAsync(3);
    expect(reader.readBuffer(3)).toEqual(body);
  });

  it("is null for an empty stream", async () => {
    expect(await readHeader(readerOf(new Uint8Array(0)))).toBeNull();
  });

  it.each([
    ["bad magic", (b: Uint8Array) => b.set([0x58], 0)],
    ["bad version", (b: Uint8Array) => b.set([2], 4)],
    ["zero name length", (b: Uint8Array) => b.set([0, 0], 5)],
    ["name length over 1024", (b: Uint8Array) => b.set([0x04, 0x01], 5)],
    ["invalid UTF-8 name", (b: Uint8Array) => b.set([0xff], 7)],
    ["size over 2^53 - 1", (b: Uint8Array) => b.set([0x00, 0x20], 8)],
  ])("refuses a header with %s", async (_what, damage) => {
    const bytes = headerBytes("x", 1);
    damage(bytes);
    await expect(readHeader(readerOf(bytes))).rejects.toBeInstanceOf(BadHeaderError);
  });

  it("refuses a truncated header", async () => {
    const bytes = headerBytes("name", 1);
    for (const cut of [3, 7, 20, bytes.length - 1]) {
      await expect(readHeader(readerOf(bytes.subarray(0, cut)))).rejects.toBeInstanceOf(
        BadHeaderError,
      );
    }
  });

  it("will not write an empty or over-long name", () => {
    expect(() => writeHeader(new DataWriter(), { name: "", size: 0, sha256: sha })).toThrow(
      RangeError,
    );
    const long = "é".repeat(MAX_NAME_BYTES / 2 + 1);
    expect(() => writeHeader(new DataWriter(), { name: long, size: 0, sha256: sha })).toThrow(
      RangeError,
    );
  });
});

describe("status records", () => {
  it("are 9 bytes: UInt64 confirmed + status byte, read back in sequence", async () => {
    const a = encodeStatus({ confirmed: 4 * 1024 * 1024, status: TransferStatus.progress });
    const b = encodeStatus({ confirmed: 5, status: TransferStatus.hashMismatch });
    expect(hex(a)).toBe("000000000040000000");
    expect(hex(b)).toBe("000000000000000502");
    const reader = readerOf(new Uint8Array([...a, ...b, 0, 0]));
    expect(await readStatus(reader)).toEqual({ confirmed: 4 * 1024 * 1024, status: 0 });
    expect(await readStatus(reader)).toEqual({ confirmed: 5, status: 2 });
    expect(await readStatus(reader)).toBeNull(); // a partial record is the end
  });

  it("refuses an unknown status byte", async () => {
    const bytes = encodeStatus({ confirmed: 0, status: TransferStatus.complete });
    bytes[8] = 9;
    await expect(readStatus(readerOf(bytes))).rejects.toBeInstanceOf(BadHeaderError);
  });
});
