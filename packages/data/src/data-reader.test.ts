import { getEventListeners } from "node:events";
import {
  HResult,
  InvalidArgumentError,
  InvalidStateError,
  OperationCanceledError,
  TimeoutError,
} from "@netsockets/errors";
import { describe, expect, it } from "vitest";
import { unhex } from "../test/support/hex.js";
import { OneByteSource, PushSource } from "../test/support/push-source.js";
import { DataReader } from "./data-reader.js";
import { InputStreamOptions } from "./input-stream-options.js";
import { fromBytes } from "./memory-streams.js";
import { UnicodeEncoding } from "./unicode-encoding.js";

describe("DataReader.loadAsync", () => {
  it("with none, waits for count bytes from a source that delivers one byte at a time", async () => {
    const source = new OneByteSource(unhex("01 02 03 04 05 06"));
    const reader = new DataReader(source);
    expect(await reader.loadAsync(4)).toBe(4);
    expect(source.reads).toBe(4);
    expect(reader.unconsumedBufferLength).toBe(4);
    expect(reader.readUInt32()).toBe(0x01020304);
  });

  it("with none, resolves with fewer than count bytes when the stream ends, then 0", async () => {
    const reader = new DataReader(new OneByteSource(unhex("0a 0b 0c")));
    expect(await reader.loadAsync(10)).toBe(3);
    expect(await reader.loadAsync(10)).toBe(0);
    expect(reader.unconsumedBufferLength).toBe(3);
    expect(reader.readByte()).toBe(0x0a);
  });

  it("with partial, resolves after the first byte of a one-byte-at-a-time source", async () => {
    const source = new OneByteSource(unhex("01 02 03"));
    const reader = new DataReader(source);
    reader.inputStreamOptions = InputStreamOptions.partial;
    expect(await reader.loadAsync(3)).toBe(1);
    expect(source.reads).toBe(1);
    expect(await reader.loadAsync(3)).toBe(1);
    expect(reader.unconsumedBufferLength).toBe(2);
    expect(reader.readUInt16()).toBe(0x0102);
  });

  it("with partial, resolves as soon as some bytes are pushed, with what is there", async () => {
    const source = new PushSource();
    const reader = new DataReader(source);
    reader.inputStreamOptions = InputStreamOptions.partial;
    const load = reader.loadAsync(100);
    source.push([1, 2, 3]);
    expect(await load).toBe(3);
    expect(reader.unconsumedBufferLength).toBe(3);
  });

  it("with none, keeps waiting across pushes until count bytes are there", async () => {
    const source = new PushSource();
    const reader = new DataReader(source);
    const load = reader.loadAsync(4);
    source.push([1, 2]);
    source.push([3]);
    source.push([4, 5]);
    expect(await load).toBe(4);
    expect(reader.readInt32()).toBe(0x01020304);
    expect(source.queue).toEqual([5]);
  });

  it("appends to bytes not yet read and keeps them through compaction and growth", async () => {
    const data = new Uint8Array(300_000).map((_, i) => i % 251);
    const reader = new DataReader(fromBytes(data));
    expect(await reader.loadAsync(100)).toBe(100);
    reader.readBuffer(60);
    expect(await reader.loadAsync(200_000)).toBe(200_000);
    expect(reader.unconsumedBufferLength).toBe(200_040);
    const rest = reader.readBuffer(200_040);
    expect(rest[0]).toBe(60 % 251);
    expect(rest[200_039]).toBe(200_099 % 251);
    expect(await reader.loadAsync(1_000_000)).toBe(99_900);
  });

  it("does not allocate count bytes up front for a huge partial load", async () => {
    const reader = new DataReader(fromBytes(unhex("01 02")));
    reader.inputStreamOptions = InputStreamOptions.partial;
    expect(await reader.loadAsync(0xffffffff)).toBe(2);
  });

  it("rejects a second load while one is pending with ERR_CONCURRENT_OPERATION", async () => {
    const source = new PushSource();
    const reader = new DataReader(source);
    const first = reader.loadAsync(1);
    const second = reader.loadAsync(1);
    await expect(second).rejects.toMatchObject({
      code: "ERR_CONCURRENT_OPERATION",
      hresult: HResult.ERROR_INVALID_OPERATION,
    });
    await expect(second).rejects.toBeInstanceOf(InvalidStateError);
    source.push([9]);
    expect(await first).toBe(1);
  });

  it("refuses to detach the stream or buffer during a load", async () => {
    const source = new PushSource();
    const reader = new DataReader(source);
    const load = reader.loadAsync(1);
    expect(() => reader.detachStream()).toThrow(
      expect.objectContaining({ code: "ERR_CONCURRENT_OPERATION", hresult: 0x800710dd }),
    );
    expect(() => reader.detachBuffer()).toThrow(
      expect.objectContaining({ code: "ERR_CONCURRENT_OPERATION" }),
    );
    source.push([1]);
    await load;
    expect(reader.detachStream()).toBe(source);
  });

  it("cancels through the signal: OperationCanceledError, no byte lost, no listener left", async () => {
    const source = new PushSource();
    const reader = new DataReader(source);
    const controller = new AbortController();
    const load = reader.loadAsync(4, { signal: controller.signal });
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(1);
    controller.abort();
    await expect(load).rejects.toBeInstanceOf(OperationCanceledError);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
    source.push([1, 2, 3, 4]);
    expect(await reader.loadAsync(4)).toBe(4);
    expect(reader.readUInt32()).toBe(0x01020304);
  });

  it("maps a TimeoutError abort reason to TimeoutError", async () => {
    const reader = new DataReader(new PushSource());
    const controller = new AbortController();
    const load = reader.loadAsync(1, { signal: controller.signal });
    controller.abort(new DOMException("too slow", "TimeoutError"));
    await expect(load).rejects.toBeInstanceOf(TimeoutError);
    await expect(reader.loadAsync(1, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(
      OperationCanceledError,
    );
  });

  it("leaves no listener on a signal after a load that completes", async () => {
    const controller = new AbortController();
    const reader = new DataReader(fromBytes(unhex("01")));
    expect(await reader.loadAsync(1, { signal: controller.signal })).toBe(1);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });

  it("fails clearly without a stream, and checks count", async () => {
    const reader = DataReader.fromBuffer(unhex("01"));
    await expect(reader.loadAsync(1)).rejects.toMatchObject({ code: "ERR_INVALID_STATE" });
    const streamed = new DataReader(fromBytes(unhex("01")));
    await expect(streamed.loadAsync(-1)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(streamed.loadAsync(1.5)).rejects.toMatchObject({ code: "ERR_INVALID_ARGUMENT" });
    expect(() => new DataReader({} as never)).toThrow(InvalidArgumentError);
  });
});

describe("DataReader reads", () => {
  it("throws ERR_OUT_OF_BOUNDS (E_BOUNDS) past the loaded data and consumes nothing", () => {
    const reader = DataReader.fromBuffer(unhex("01 02 03"));
    for (const read of [
      () => reader.readInt32(),
      () => reader.readUInt64(),
      () => reader.readDouble(),
      () => reader.readGuid(),
      () => reader.readBuffer(4),
      () => reader.readBytes(new Uint8Array(4)),
      () => reader.readString(4),
      () => reader.readDateTime(),
    ]) {
      expect(read).toThrow(
        expect.objectContaining({ code: "ERR_OUT_OF_BOUNDS", hresult: HResult.E_BOUNDS }),
      );
      expect(reader.unconsumedBufferLength).toBe(3);
    }
    expect(reader.readUInt16()).toBe(0x0102);
    expect(reader.readByte()).toBe(3);
    expect(() => reader.readByte()).toThrow(InvalidArgumentError);
  });

  it("reads a fromBuffer view in place and respects its offset", () => {
    const backing = unhex("ff ff 00 00 05 18 ff");
    const reader = DataReader.fromBuffer(backing.subarray(2, 6));
    expect(reader.unconsumedBufferLength).toBe(4);
    expect(reader.readInt32()).toBe(1304);
  });

  it("readBuffer returns a copy the caller owns", () => {
    const backing = unhex("01 02");
    const copy = DataReader.fromBuffer(backing).readBuffer(2);
    backing[0] = 9;
    expect(copy[0]).toBe(1);
  });

  it("refuses invalid UTF-8 with ERR_INVALID_ENCODING and consumes nothing", () => {
    for (const bad of ["ff", "c3", "e282", "eda080", "c0af", "f4908080"]) {
      const reader = DataReader.fromBuffer(unhex(bad));
      const n = bad.length / 2;
      expect(() => reader.readString(n)).toThrow(
        expect.objectContaining({ code: "ERR_INVALID_ENCODING", hresult: HResult.E_INVALIDARG }),
      );
      expect(reader.unconsumedBufferLength).toBe(n);
    }
  });

  it("refuses a character cut off by codeUnitCount", () => {
    const reader = DataReader.fromBuffer(unhex("41 c3 a9"));
    expect(() => reader.readString(2)).toThrow(
      expect.objectContaining({ code: "ERR_INVALID_ENCODING" }),
    );
    expect(reader.readString(3)).toBe("Aé");
  });

  it("refuses lone surrogates in UTF-16 and consumes nothing", () => {
    const le = DataReader.fromBuffer(unhex("3d d8 41 00"));
    le.unicodeEncoding = UnicodeEncoding.utf16LE;
    expect(() => le.readString(2)).toThrow(
      expect.objectContaining({ code: "ERR_INVALID_ENCODING" }),
    );
    expect(le.unconsumedBufferLength).toBe(4);
    const be = DataReader.fromBuffer(unhex("de 00"));
    be.unicodeEncoding = UnicodeEncoding.utf16BE;
    expect(() => be.readString(1)).toThrow(
      expect.objectContaining({ code: "ERR_INVALID_ENCODING" }),
    );
  });

  it("checks its property values", () => {
    const reader = DataReader.fromBuffer(new Uint8Array(0));
    expect(() => {
      reader.byteOrder = 2 as never;
    }).toThrow(InvalidArgumentError);
    expect(() => {
      reader.unicodeEncoding = 3 as never;
    }).toThrow(InvalidArgumentError);
    expect(() => {
      reader.inputStreamOptions = 4;
    }).toThrow(InvalidArgumentError);
    reader.inputStreamOptions = InputStreamOptions.partial | InputStreamOptions.readAhead;
    expect(reader.inputStreamOptions).toBe(3);
    expect(() => reader.readString(-1)).toThrow(InvalidArgumentError);
  });
});

describe("DataReader ownership", () => {
  it("close() closes the stream, and later use fails with ERR_OBJECT_CLOSED (RO_E_CLOSED)", async () => {
    const source = new PushSource();
    source.push([1, 2, 3]);
    const reader = new DataReader(source);
    await reader.loadAsync(3);
    reader.close();
    expect(source.closed).toBe(true);
    expect(reader.unconsumedBufferLength).toBe(0);
    const closed = expect.objectContaining({
      code: "ERR_OBJECT_CLOSED",
      hresult: HResult.RO_E_CLOSED,
    });
    expect(() => reader.readByte()).toThrow(closed);
    expect(() => reader.readString(0)).toThrow(closed);
    expect(() => reader.detachBuffer()).toThrow(closed);
    expect(() => reader.detachStream()).toThrow(closed);
    await expect(reader.loadAsync(1)).rejects.toEqual(closed);
    reader.close();
  });

  it("detachStream() keeps the stream open through close() and keeps loaded bytes", async () => {
    const source = new PushSource();
    source.push([7, 8]);
    const reader = new DataReader(source);
    await reader.loadAsync(1);
    expect(reader.detachStream()).toBe(source);
    expect(reader.readByte()).toBe(7);
    await expect(reader.loadAsync(1)).rejects.toMatchObject({ code: "ERR_INVALID_STATE" });
    reader.close();
    expect(source.closed).toBe(false);
    expect(source.queue).toEqual([8]);
  });

  it("detachBuffer() returns the unconsumed bytes and empties the reader", async () => {
    const reader = new DataReader(fromBytes(unhex("01 02 03 04")));
    await reader.loadAsync(3);
    reader.readByte();
    const bytes = reader.detachBuffer();
    expect([...bytes]).toEqual([2, 3]);
    expect(reader.unconsumedBufferLength).toBe(0);
    expect(await reader.loadAsync(2)).toBe(1);
    expect(reader.readByte()).toBe(4);
  });

  it("close() during a load rejects it with ERR_OBJECT_CLOSED", async () => {
    const source = new PushSource();
    const reader = new DataReader(source);
    const load = reader.loadAsync(1);
    reader.close();
    await expect(load).rejects.toMatchObject({ code: "ERR_OBJECT_CLOSED" });
    expect(source.closed).toBe(true);
  });

  it("works with using", async () => {
    const source = new PushSource();
    {
      using reader = new DataReader(source);
      expect(reader.unconsumedBufferLength).toBe(0);
    }
    expect(source.closed).toBe(true);
  });

  it("readBuffer copies even from a Node Buffer (whose slice would be a view)", () => {
    const wire = Buffer.from([1, 2, 3, 4]);
    const reader = DataReader.fromBuffer(wire);
    const bytes = reader.readBuffer(4);
    expect(bytes.constructor).toBe(Uint8Array);
    bytes[0] = 99;
    expect(wire[0]).toBe(1);
  });
});
