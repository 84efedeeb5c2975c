import { getEventListeners } from "node:events";
import { HResult, InvalidArgumentError, OperationCanceledError } from "@netsockets/errors";
import { describe, expect, it } from "vitest";
import { hex } from "../test/support/hex.js";
import { DataWriter } from "./data-writer.js";
import { MemoryOutputStream } from "./memory-streams.js";
import type { AsyncOptions, IOutputStream } from "./stream-contracts.js";
import { UnicodeEncoding } from "./unicode-encoding.js";

/** An output stream whose writes stay pending until `release()`, recording every call. */
class HeldOutput implements IOutputStream {
  readonly writes: Uint8Array[] = [];
  flushes = 0;
  closed = false;
  signals: (AbortSignal | undefined)[] = [];
  #release: (() => void)[] = [];

  writeAsync(bytes: Uint8Array, opts: AsyncOptions = {}): Promise<number> {
    this.writes.push(bytes);
    this.signals.push(opts.signal);
    return new Promise((resolve) => this.#release.push(() => resolve(bytes.length)));
  }

  flushAsync(): Promise<boolean> {
    this.flushes++;
    return Promise.resolve(true);
  }

  release(): void {
    for (const release of this.#release.splice(0)) release();
  }

  close(): void {
    this.closed = true;
  }
}

describe("DataWriter.storeAsync", () => {
  it("calls writeAsync exactly once with every unstored byte", async () => {
    const output = new MemoryOutputStream();
    const writer = new DataWriter(output);
    writer.writeInt32(1);
    writer.writeString("hi");
    writer.writeBytes(new Uint8Array(1000).fill(7));
    expect(writer.unstoredBufferLength).toBe(1006);
    expect(await writer.storeAsync()).toBe(1006);
    expect(output.chunks).toHaveLength(1);
    expect(hex(output.chunks[0]?.subarray(0, 6) ?? new Uint8Array())).toBe("000000016869");
    expect(writer.unstoredBufferLength).toBe(0);
    writer.writeByte(5);
    expect(await writer.storeAsync()).toBe(1);
    expect(output.chunks.map((c) => c.length)).toEqual([1006, 1]);
  });

  it("stores an empty buffer as one (empty) write, e.g. an empty message", async () => {
    const output = new MemoryOutputStream();
    const writer = new DataWriter(output);
    expect(await writer.storeAsync()).toBe(0);
    expect(output.chunks).toHaveLength(1);
  });

  it("hands the bytes over: writes after storeAsync do not change the stored bytes", async () => {
    const output = new HeldOutput();
    const writer = new DataWriter(output);
    writer.writeUInt16(0x0102);
    const store = writer.storeAsync();
    await Promise.resolve();
    writer.writeUInt16(0x0304);
    output.release();
    expect(await store).toBe(2);
    expect(hex(output.writes[0] ?? new Uint8Array())).toBe("0102");
    expect(writer.unstoredBufferLength).toBe(2);
  });

  it("rejects with the stream's error, drops the handed-over bytes, and stays usable", async () => {
    const failure = new Error("socket gone");
    let fail = true;
    const output: IOutputStream = {
      writeAsync: async (bytes) => {
        if (fail) throw failure;
        return bytes.length;
      },
      flushAsync: async () => true,
      close() {},
    };
    const writer = new DataWriter(output);
    writer.writeUInt32(7);
    await expect(writer.storeAsync()).rejects.toBe(failure);
    expect(writer.unstoredBufferLength).toBe(0);
    fail = false;
    writer.writeByte(1);
    expect(await writer.storeAsync()).toBe(1);
  });

  it("fails clearly without a stream", async () => {
    const writer = new DataWriter();
    writer.writeByte(1);
    await expect(writer.storeAsync()).rejects.toMatchObject({ code: "ERR_INVALID_STATE" });
    await expect(writer.flushAsync()).rejects.toMatchObject({ code: "ERR_INVALID_STATE" });
    expect(writer.unstoredBufferLength).toBe(1);
  });

  it("rejects concurrent store/flush and detach during a store with ERR_CONCURRENT_OPERATION", async () => {
    const output = new HeldOutput();
    const writer = new DataWriter(output);
    writer.writeByte(1);
    const store = writer.storeAsync();
    const concurrent = expect.objectContaining({
      code: "ERR_CONCURRENT_OPERATION",
      hresult: HResult.ERROR_INVALID_OPERATION,
    });
    await expect(writer.storeAsync()).rejects.toEqual(concurrent);
    await expect(writer.flushAsync()).rejects.toEqual(concurrent);
    expect(() => writer.detachStream()).toThrow(concurrent);
    expect(() => writer.detachBuffer()).toThrow(concurrent);
    output.release();
    await store;
    expect(output.writes).toHaveLength(1);
    expect(await writer.flushAsync()).toBe(true);
    expect(output.flushes).toBe(1);
  });

  it("cancels through the signal, passes it on, and leaves no listener", async () => {
    const output = new HeldOutput();
    const writer = new DataWriter(output);
    const controller = new AbortController();
    const store = writer.storeAsync({ signal: controller.signal });
    await Promise.resolve();
    expect(output.signals[0]?.aborted).toBe(false);
    controller.abort();
    await expect(store).rejects.toBeInstanceOf(OperationCanceledError);
    expect(output.signals[0]?.aborted).toBe(true);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
    // The writer is usable again at once.
    const again = writer.storeAsync();
    output.release();
    expect(await again).toBe(0);
  });
});

describe("DataWriter arguments", () => {
  it("rejects out-of-range numbers with InvalidArgumentError (E_INVALIDARG), writing nothing", () => {
    const writer = new DataWriter();
    const cases: Array<() => void> = [
      () => writer.writeByte(256),
      () => writer.writeByte(-1),
      () => writer.writeByte(1.5),
      () => writer.writeInt16(32768),
      () => writer.writeUInt16(-1),
      () => writer.writeInt32(2 ** 31),
      () => writer.writeInt32(Number.NaN),
      () => writer.writeUInt32(2 ** 32),
      () => writer.writeInt64(2n ** 63n),
      () => writer.writeInt64(1 as never),
      () => writer.writeUInt64(-1n),
      () => writer.writeSingle("1" as never),
      () => writer.writeDouble(1n as never),
      () => writer.writeBoolean(1 as never),
      () => writer.writeDateTime(new Date(Number.NaN)),
      () => writer.writeDateTime(new Date(8.64e15)),
      () => writer.writeDateTimeTicks(2n ** 63n),
      () => writer.writeTimeSpan(Number.POSITIVE_INFINITY),
      () => writer.writeTimeSpan(1e18),
      () => writer.writeTimeSpanTicks(-(2n ** 63n) - 1n),
      () => writer.writeGuid("not-a-guid"),
      () => writer.writeGuid("{fd488b77-be04-447b-8242-e592747dc3a8}"),
      () => writer.writeBuffer(new Uint8Array(4), 2, 3),
      () => writer.writeBuffer(new Uint8Array(4), 5),
      () => writer.writeBytes([1, 2] as never),
    ];
    for (const write of cases) {
      expect(write).toThrow(
        expect.objectContaining({ code: "ERR_INVALID_ARGUMENT", hresult: HResult.E_INVALIDARG }),
      );
      expect(writer.unstoredBufferLength).toBe(0);
    }
    expect(() => {
      writer.byteOrder = 5 as never;
    }).toThrow(InvalidArgumentError);
    expect(() => {
      writer.unicodeEncoding = -1 as never;
    }).toThrow(InvalidArgumentError);
  });

  it("refuses strings with lone surrogates in every encoding (ERR_INVALID_ENCODING)", () => {
    for (const encoding of [
      UnicodeEncoding.utf8,
      UnicodeEncoding.utf16LE,
      UnicodeEncoding.utf16BE,
    ]) {
      const writer = new DataWriter();
      writer.unicodeEncoding = encoding;
      for (const bad of ["\ud800", "a\udc00b", `${"x".repeat(40)}\ud83d`]) {
        const invalid = expect.objectContaining({
          code: "ERR_INVALID_ENCODING",
          hresult: HResult.E_INVALIDARG,
        });
        expect(() => writer.writeString(bad)).toThrow(invalid);
        expect(() => writer.measureString(bad)).toThrow(invalid);
        expect(writer.unstoredBufferLength).toBe(0);
      }
    }
  });

  it("measureString reports bytes in the current encoding and writes nothing", () => {
    const writer = new DataWriter();
    expect(writer.measureString("aé€😀")).toBe(1 + 2 + 3 + 4);
    writer.unicodeEncoding = UnicodeEncoding.utf16LE;
    expect(writer.measureString("aé€😀")).toBe(10);
    expect(writer.unstoredBufferLength).toBe(0);
  });

  it("grows past its initial capacity without losing bytes", () => {
    const writer = new DataWriter();
    for (let i = 0; i < 10_000; i++) writer.writeUInt16(i);
    const bytes = writer.detachBuffer();
    expect(bytes.length).toBe(20_000);
    expect((bytes[19_998] ?? 0) * 256 + (bytes[19_999] ?? 0)).toBe(9_999);
  });
});

describe("DataWriter ownership", () => {
  it("close() closes the stream; later use fails with ERR_OBJECT_CLOSED (RO_E_CLOSED)", async () => {
    const output = new MemoryOutputStream();
    const writer = new DataWriter(output);
    writer.writeByte(1);
    writer.close();
    expect(output.closed).toBe(true);
    const closed = expect.objectContaining({
      code: "ERR_OBJECT_CLOSED",
      hresult: HResult.RO_E_CLOSED,
    });
    expect(() => writer.writeByte(1)).toThrow(closed);
    expect(() => writer.writeString("a")).toThrow(closed);
    expect(() => writer.writeGuid("fd488b77-be04-447b-8242-e592747dc3a8")).toThrow(closed);
    expect(() => writer.measureString("a")).toThrow(closed);
    expect(() => writer.detachBuffer()).toThrow(closed);
    expect(() => writer.detachStream()).toThrow(closed);
    await expect(writer.storeAsync()).rejects.toEqual(closed);
    await expect(writer.flushAsync()).rejects.toEqual(closed);
    expect(output.chunks).toHaveLength(0);
    writer.close();
  });

  it("detachStream() gives the stream back so close() leaves it open", async () => {
    const output = new MemoryOutputStream();
    const writer = new DataWriter(output);
    writer.writeString("abc");
    await writer.storeAsync();
    expect(writer.detachStream()).toBe(output);
    await expect(writer.storeAsync()).rejects.toMatchObject({ code: "ERR_INVALID_STATE" });
    writer.close();
    expect(output.closed).toBe(false);
    expect(new TextDecoder().decode(output.toBytes())).toBe("abc");
  });

  it("detachBuffer() returns the unstored bytes and the writer goes on empty", () => {
    const writer = new DataWriter();
    writer.writeUInt16(0xabcd);
    expect(hex(writer.detachBuffer())).toBe("abcd");
    expect(writer.unstoredBufferLength).toBe(0);
    writer.writeByte(1);
    expect(hex(writer.detachBuffer())).toBe("01");
  });

  it("close() during a store rejects it with ERR_OBJECT_CLOSED", async () => {
    const output = new HeldOutput();
    const writer = new DataWriter(output);
    const store = writer.storeAsync();
    writer.close();
    await expect(store).rejects.toMatchObject({ code: "ERR_OBJECT_CLOSED" });
    expect(output.closed).toBe(true);
  });

  it("accepts only an object with writeAsync as its stream", () => {
    expect(() => new DataWriter({} as never)).toThrow(InvalidArgumentError);
    expect(() => new DataWriter(null as never)).toThrow(InvalidArgumentError);
  });

  it("works with using", () => {
    const output = new MemoryOutputStream();
    {
      using writer = new DataWriter(output);
      writer.writeByte(1);
    }
    expect(output.closed).toBe(true);
  });
});
