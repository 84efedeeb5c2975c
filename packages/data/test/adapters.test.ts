// The stream adapters, both directions, Node and WHATWG and files: data arrives intact, errors and
// close propagate, and a slow side never makes an adapter hold more than its high-water mark
// (asserted as the maximum number of bytes produced and not yet consumed).
import { getEventListeners, once } from "node:events";
import { mkdtemp, open, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable, Writable } from "node:stream";
import { OperationCanceledError } from "@netsockets/errors";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DataReader,
  DataWriter,
  fromBytes,
  fromFileForRead,
  fromFileForWrite,
  fromReadable,
  fromReadableStream,
  fromWritable,
  fromWritableStream,
  type IInputStream,
  InputStreamOptions,
  type IOutputStream,
  MemoryOutputStream,
  toReadable,
  toReadableStream,
  toWritable,
  toWritableStream,
} from "../src/index.js";

/** One event-loop turn: how a "slow" side yields (no timers, nothing time-dependent). */
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Deterministic test bytes. */
function pattern(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + 7) & 0xff;
  return bytes;
}

/** Tracks bytes produced minus bytes consumed and remembers the maximum. */
class InFlight {
  produced = 0;
  consumed = 0;
  max = 0;
  produce(n: number): void {
    this.produced += n;
    this.max = Math.max(this.max, this.produced - this.consumed);
  }
  consume(n: number): void {
    this.consumed += n;
  }
}

const TOTAL = 1024 * 1024;
const CHUNK = 1024;
const HWM = 16 * 1024;

/** A Node Readable producing TOTAL bytes in CHUNK-byte chunks, counting what it produced. */
function countingReadable(data: Uint8Array, flight: InFlight): Readable {
  let offset = 0;
  return new Readable({
    highWaterMark: HWM,
    read() {
      if (offset >= data.length) {
        this.push(null);
        return;
      }
      const chunk = data.subarray(offset, offset + CHUNK);
      offset += chunk.length;
      flight.produce(chunk.length);
      this.push(chunk);
    },
  });
}

/** An IInputStream over `data` that counts what it hands out. */
function countingInput(data: Uint8Array, flight: InFlight): IInputStream & { closed: boolean } {
  const inner = fromBytes(data);
  return {
    closed: false,
    async readAsync(buffer, count, options, opts) {
      const bytes = await inner.readAsync(buffer, count, options, opts);
      flight.produce(bytes.length);
      return bytes;
    },
    close() {
      this.closed = true;
    },
  };
}

/** An IOutputStream that takes one event-loop turn per write and counts what it received. */
function slowOutput(flight: InFlight): IOutputStream & { sink: MemoryOutputStream } {
  const sink = new MemoryOutputStream();
  return {
    sink,
    async writeAsync(bytes) {
      await turn();
      flight.consume(bytes.length);
      return sink.writeAsync(bytes);
    },
    flushAsync: () => sink.flushAsync(),
    close: () => sink.close(),
  };
}

/** Reads an IInputStream to its end through a DataReader, one turn per load. */
async function drainSlowly(input: IInputStream, flight: InFlight): Promise<Uint8Array> {
  const reader = new DataReader(input);
  reader.inputStreamOptions = InputStreamOptions.partial;
  const parts: Uint8Array[] = [];
  for (;;) {
    const loaded = await reader.loadAsync(4096);
    if (loaded === 0) break;
    parts.push(reader.readBuffer(loaded));
    flight.consume(loaded);
    await turn();
  }
  return Buffer.concat(parts);
}

describe("fromReadable", () => {
  it("reads everything, and the Readable stays within its high-water mark of a slow reader", async () => {
    const data = pattern(TOTAL);
    const flight = new InFlight();
    const received = await drainSlowly(fromReadable(countingReadable(data, flight)), flight);
    expect(Buffer.compare(received, data)).toBe(0);
    expect(flight.max).toBeLessThanOrEqual(HWM + 2 * CHUNK);
    expect(flight.max).toBeGreaterThan(0);
  });

  it("reads string chunks as UTF-8 and honours none (count or end)", async () => {
    const reader = new DataReader(fromReadable(Readable.from(["hé", "llo"])));
    expect(await reader.loadAsync(100)).toBe(6);
    expect(reader.readString(6)).toBe("héllo");
  });

  it("keeps the bytes of an aborted read for the next one", async () => {
    const readable = new Readable({ read() {} });
    const input = fromReadable(readable);
    const controller = new AbortController();
    const buffer = new Uint8Array(4);
    const read = input.readAsync(buffer, 4, InputStreamOptions.none, { signal: controller.signal });
    readable.push(Buffer.from([1, 2]));
    await turn();
    controller.abort();
    await expect(read).rejects.toBeInstanceOf(OperationCanceledError);
    readable.push(Buffer.from([3, 4]));
    const bytes = await input.readAsync(new Uint8Array(4), 4, InputStreamOptions.none);
    expect([...bytes]).toEqual([1, 2, 3, 4]);
  });

  it("rejects with the Readable's error, and close() destroys it", async () => {
    const failing = new Readable({
      read() {
        this.destroy(new Error("disk on fire"));
      },
    });
    const reader = new DataReader(fromReadable(failing));
    await expect(reader.loadAsync(1)).rejects.toThrow("disk on fire");
    await expect(reader.loadAsync(1)).rejects.toThrow("disk on fire");

    const readable = new Readable({ read() {} });
    const input = fromReadable(readable);
    const pending = input.readAsync(new Uint8Array(1), 1, InputStreamOptions.none);
    input.close();
    await expect(pending).rejects.toMatchObject({ code: "ERR_OBJECT_CLOSED" });
    expect(readable.destroyed).toBe(true);
    await expect(input.readAsync(new Uint8Array(1), 1, 0)).rejects.toMatchObject({
      code: "ERR_OBJECT_CLOSED",
    });
  });

  it("checks count against the buffer (E_INVALIDARG) and refuses concurrent reads", async () => {
    const input = fromReadable(new Readable({ read() {} }));
    await expect(input.readAsync(new Uint8Array(2), 3, 0)).rejects.toMatchObject({
      code: "ERR_INVALID_ARGUMENT",
      hresult: 0x80070057,
    });
    const first = input.readAsync(new Uint8Array(1), 1, 0);
    await expect(input.readAsync(new Uint8Array(1), 1, 0)).rejects.toMatchObject({
      code: "ERR_CONCURRENT_OPERATION",
    });
    input.close();
    await expect(first).rejects.toMatchObject({ code: "ERR_OBJECT_CLOSED" });
  });
});

describe("signals", () => {
  it("leave no listener behind on a caller's signal once adapter operations settle", async () => {
    const controller = new AbortController();
    const { signal } = controller;
    const readable = new Readable({ read() {} });
    readable.push(Buffer.from([1, 2, 3]));
    const input = fromReadable(readable);
    await input.readAsync(new Uint8Array(3), 3, InputStreamOptions.none, { signal });
    const output = fromWritable(new Writable({ write: (_c, _e, cb) => setImmediate(cb) }));
    await output.writeAsync(new Uint8Array(3), { signal });
    await output.flushAsync({ signal });
    expect(getEventListeners(signal, "abort")).toHaveLength(0);
  });
});

describe("fromWritable", () => {
  it("one awaited write in flight at a time into a slow Writable; flush and close", async () => {
    const flight = new InFlight();
    const received: Buffer[] = [];
    const writable = new Writable({
      highWaterMark: HWM,
      write(chunk: Buffer, _encoding, callback) {
        setImmediate(() => {
          received.push(chunk);
          flight.consume(chunk.length);
          callback();
        });
      },
    });
    const writer = new DataWriter(fromWritable(writable));
    const data = pattern(256 * 1024);
    for (let offset = 0; offset < data.length; offset += 4096) {
      writer.writeBytes(data.subarray(offset, offset + 4096));
      flight.produce(4096);
      expect(await writer.storeAsync()).toBe(4096);
    }
    expect(flight.max).toBeLessThanOrEqual(4096);
    expect(await writer.flushAsync()).toBe(true);
    const finished = once(writable, "finish");
    writer.close();
    await finished;
    expect(Buffer.compare(Buffer.concat(received), data)).toBe(0);
  });

  it("rejects a write with the Writable's error and flush answers false", async () => {
    const writable = new Writable({
      write(_chunk, _encoding, callback) {
        callback(new Error("sink broke"));
      },
    });
    // No 'error' listener of our own: the adapter must keep the failure from crashing the process.
    const output = fromWritable(writable);
    await expect(output.writeAsync(new Uint8Array(1))).rejects.toThrow("sink broke");
    expect(await output.flushAsync()).toBe(false);
    await turn();
    expect(writable.destroyed).toBe(true);
    await expect(output.writeAsync(new Uint8Array(1))).rejects.toThrow();
  });
});

describe("toReadable", () => {
  it("delivers everything and holds at most highWaterMark + chunkSize ahead of a slow consumer", async () => {
    const data = pattern(TOTAL);
    const flight = new InFlight();
    const input = countingInput(data, flight);
    const readable = toReadable(input, { highWaterMark: HWM, chunkSize: CHUNK });
    const parts: Buffer[] = [];
    for await (const chunk of readable) {
      parts.push(chunk as Buffer);
      flight.consume((chunk as Buffer).length);
      await turn();
    }
    expect(Buffer.compare(Buffer.concat(parts), data)).toBe(0);
    expect(flight.max).toBeLessThanOrEqual(HWM + CHUNK);
    expect(input.closed).toBe(true);
  });

  it("copies small reads out of its scratch buffer, so tiny chunks pin no large buffers", async () => {
    let left = 100;
    // Answers each read with one byte, as a view into the buffer it was given.
    const trickle: IInputStream = {
      async readAsync(buffer) {
        if (left-- === 0) return buffer.subarray(0, 0);
        buffer[0] = left;
        return buffer.subarray(0, 1);
      },
      close() {},
    };
    const chunks: Uint8Array[] = [];
    for await (const chunk of toReadable(trickle, { chunkSize: 4096 })) chunks.push(chunk);
    expect(chunks).toHaveLength(100);
    expect(chunks[0]?.[0]).toBe(99);
    for (const chunk of chunks) expect(chunk.buffer.byteLength).toBeLessThan(4096);
    left = 3;
    const web: Uint8Array[] = [];
    for await (const chunk of toReadableStream(trickle, { chunkSize: 4096 })) web.push(chunk);
    expect(web.map((c) => [c[0], c.buffer.byteLength < 4096])).toEqual([
      [2, true],
      [1, true],
      [0, true],
    ]);
  });

  it("destroy() closes the input", () => {
    const input = countingInput(pattern(10), new InFlight());
    toReadable(input).destroy();
    expect(input.closed).toBe(true);
  });

  it("destroys the Readable with the input's error", async () => {
    const failing: IInputStream = {
      readAsync: () => Promise.reject(new Error("input broke")),
      close() {},
    };
    const readable = toReadable(failing).resume();
    const [error] = (await once(readable, "error")) as [Error];
    expect(error.message).toBe("input broke");
  });
});

describe("toWritable", () => {
  it("accepts at most highWaterMark + a chunk ahead of a slow output; end() flushes and closes", async () => {
    const flight = new InFlight();
    const output = slowOutput(flight);
    const writable = toWritable(output, { highWaterMark: HWM });
    const data = pattern(256 * 1024);
    for (let offset = 0; offset < data.length; offset += CHUNK) {
      flight.produce(CHUNK);
      if (!writable.write(data.subarray(offset, offset + CHUNK))) await once(writable, "drain");
    }
    writable.end();
    await once(writable, "finish");
    expect(flight.max).toBeLessThanOrEqual(HWM + CHUNK);
    expect(Buffer.compare(output.sink.toBytes(), data)).toBe(0);
    expect(output.sink.closed).toBe(true);
  });
});

describe("WHATWG streams", () => {
  it("fromReadableStream: everything arrives and the stream pulls no further than its queue", async () => {
    const data = pattern(TOTAL);
    const flight = new InFlight();
    let offset = 0;
    const stream = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          if (offset >= data.length) {
            controller.close();
            return;
          }
          const chunk = data.slice(offset, offset + CHUNK);
          offset += chunk.length;
          flight.produce(chunk.length);
          controller.enqueue(chunk);
        },
      },
      new ByteLengthQueuingStrategy({ highWaterMark: HWM }),
    );
    const received = await drainSlowly(fromReadableStream(stream), flight);
    expect(Buffer.compare(received, data)).toBe(0);
    expect(flight.max).toBeLessThanOrEqual(HWM + 2 * CHUNK);
  });

  it("fromReadableStream: close() cancels the stream", async () => {
    let cancelled = false;
    const input = fromReadableStream(
      new ReadableStream({
        cancel() {
          cancelled = true;
        },
      }),
    );
    input.close();
    await turn();
    expect(cancelled).toBe(true);
  });

  it("fromWritableStream: waits for ready and the sink; close() closes the stream", async () => {
    const flight = new InFlight();
    const received: Uint8Array[] = [];
    let closed = false;
    const stream = new WritableStream<Uint8Array>(
      {
        async write(chunk) {
          await turn();
          received.push(chunk);
          flight.consume(chunk.length);
        },
        close() {
          closed = true;
        },
      },
      new ByteLengthQueuingStrategy({ highWaterMark: HWM }),
    );
    const output = fromWritableStream(stream);
    const data = pattern(64 * 1024);
    for (let offset = 0; offset < data.length; offset += CHUNK) {
      flight.produce(CHUNK);
      await output.writeAsync(data.subarray(offset, offset + CHUNK));
    }
    expect(flight.max).toBeLessThanOrEqual(CHUNK);
    expect(await output.flushAsync()).toBe(true);
    output.close();
    await turn();
    expect(closed).toBe(true);
    expect(Buffer.compare(Buffer.concat(received), data)).toBe(0);
  });

  it("toReadableStream: at most highWaterMark + chunkSize ahead of a slow reader", async () => {
    const data = pattern(TOTAL);
    const flight = new InFlight();
    const input = countingInput(data, flight);
    const stream = toReadableStream(input, { highWaterMark: HWM, chunkSize: CHUNK });
    const parts: Uint8Array[] = [];
    for await (const chunk of stream) {
      parts.push(chunk);
      flight.consume(chunk.length);
      await turn();
    }
    expect(Buffer.compare(Buffer.concat(parts), data)).toBe(0);
    expect(flight.max).toBeLessThanOrEqual(HWM + CHUNK);
    expect(input.closed).toBe(true);
  });

  it("toReadableStream: errors with the input's error; cancel() closes the input", async () => {
    const failing: IInputStream = {
      readAsync: () => Promise.reject(new Error("input broke")),
      close() {},
    };
    await expect(toReadableStream(failing).getReader().read()).rejects.toThrow("input broke");
    const input = countingInput(pattern(10), new InFlight());
    await toReadableStream(input).cancel();
    expect(input.closed).toBe(true);
  });

  it("toWritableStream: abort() closes the output at once", async () => {
    const output = slowOutput(new InFlight());
    await toWritableStream(output).abort(new Error("stop"));
    expect(output.sink.closed).toBe(true);
  });

  it("fromWritableStream: a sink error rejects the write", async () => {
    const output = fromWritableStream(
      new WritableStream({
        write() {
          throw new Error("sink broke");
        },
      }),
    );
    await expect(output.writeAsync(new Uint8Array(1))).rejects.toThrow("sink broke");
    expect(await output.flushAsync()).toBe(false);
  });

  it("toWritableStream: ready holds the writer back; close() flushes and closes", async () => {
    const flight = new InFlight();
    const output = slowOutput(flight);
    const writer = toWritableStream(output, { highWaterMark: HWM }).getWriter();
    const data = pattern(256 * 1024);
    for (let offset = 0; offset < data.length; offset += CHUNK) {
      await writer.ready;
      flight.produce(CHUNK);
      writer.write(data.subarray(offset, offset + CHUNK)).catch(() => {});
    }
    await writer.close();
    expect(flight.max).toBeLessThanOrEqual(HWM + CHUNK);
    expect(Buffer.compare(output.sink.toBytes(), data)).toBe(0);
    expect(output.sink.closed).toBe(true);
  });
});

describe("files", () => {
  let dir = "";
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "netsockets-data-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("writes with fromFileForWrite and reads back with fromFileForRead, in small chunks", async () => {
    const path = join(dir, "values.bin");
    const writer = new DataWriter(fromFileForWrite(path));
    writer.writeUInt32(writer.measureString("héllo, file"));
    writer.writeString("héllo, file");
    writer.writeDouble(Math.PI);
    await writer.storeAsync();
    expect(await writer.flushAsync()).toBe(true);
    writer.close();

    const reader = new DataReader(fromFileForRead(path, { chunkSize: 3 }));
    expect(await reader.loadAsync(4)).toBe(4);
    const length = reader.readUInt32();
    expect(await reader.loadAsync(length + 8)).toBe(length + 8);
    expect(reader.readString(length)).toBe("héllo, file");
    expect(reader.readDouble()).toBe(Math.PI);
    expect(await reader.loadAsync(1)).toBe(0);
    reader.close();
  });

  it("accepts an open FileHandle, appends with flags 'a', and rejects a missing file", async () => {
    const path = join(dir, "append.bin");
    await writeFile(path, Buffer.from([1]));
    const output = fromFileForWrite(path, { flags: "a" });
    await output.writeAsync(new Uint8Array([2, 3]));
    expect(await output.flushAsync()).toBe(true);
    output.close();
    await turn();
    const handle = await open(path, "r");
    const input = fromFileForRead(handle);
    const bytes = await input.readAsync(new Uint8Array(10), 10, InputStreamOptions.none);
    expect([...bytes]).toEqual([1, 2, 3]);
    input.close();
    expect([...(await readFile(path))]).toEqual([1, 2, 3]);

    const missing = fromFileForRead(join(dir, "missing.bin"));
    await expect(missing.readAsync(new Uint8Array(1), 1, 0)).rejects.toMatchObject({
      code: "ENOENT",
    });
  });
});
