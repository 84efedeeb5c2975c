import { describe, expect, it } from "vitest";
import { ByteQueue, SMALL_CHUNK } from "./byte-queue.js";
import { hex, toHex } from "./testing/bytes.js";

describe("ByteQueue", () => {
  it("keeps large chunks as they are and hands out views of them", () => {
    const queue = new ByteQueue();
    const chunk = new Uint8Array(SMALL_CHUNK).fill(1);
    queue.push(chunk);
    const view = queue.take(10);
    expect(view.buffer).toBe(chunk.buffer);
    expect(queue.length).toBe(SMALL_CHUNK - 10);
    expect(queue.take(SMALL_CHUNK)).toHaveLength(SMALL_CHUNK - 10);
    expect(queue.length).toBe(0);
  });

  it("reports how many bytes the first chunk still holds (contiguous)", () => {
    const queue = new ByteQueue();
    expect(queue.contiguous).toBe(0);
    queue.push(new Uint8Array(SMALL_CHUNK + 10));
    queue.push(new Uint8Array(SMALL_CHUNK));
    expect(queue.contiguous).toBe(SMALL_CHUNK + 10);
    queue.take(10);
    expect(queue.contiguous).toBe(SMALL_CHUNK);
    queue.skip(SMALL_CHUNK + 1);
    expect([queue.contiguous, queue.length]).toEqual([SMALL_CHUNK - 1, SMALL_CHUNK - 1]);
    queue.take(SMALL_CHUNK);
    expect(queue.contiguous).toBe(0);
  });

  it("copies small chunks that queue up behind unread bytes together", () => {
    const queue = new ByteQueue();
    for (let i = 0; i < 1000; i++) queue.push(new Uint8Array([i & 0xff]));
    expect(queue.length).toBe(1000);
    // The first arrived on an empty queue and is kept as it is; the 999 behind it are one run.
    expect(queue.take(5000)).toHaveLength(1);
    const run = queue.take(5000);
    expect(run).toHaveLength(999);
    expect(run[998]).toBe(999 & 0xff);
  });

  it("stays first-in first-out while it compacts and reuses its chunk list", () => {
    // 300 chunks in, consumed while more arrive: the list is compacted (head past 64) and,
    // once empty, reused from the start. Every byte must come out in order.
    const queue = new ByteQueue();
    let pushed = 0;
    let expected = 0;
    const pushOne = (): void => {
      queue.push(new Uint8Array(SMALL_CHUNK).fill(pushed & 0xff));
      pushed++;
    };
    const takeOne = (): void => {
      const piece = queue.take(SMALL_CHUNK);
      expect(piece).toHaveLength(SMALL_CHUNK);
      expect([piece[0], piece[SMALL_CHUNK - 1]]).toEqual([expected & 0xff, expected & 0xff]);
      expected++;
    };
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 100; i++) pushOne();
      for (let i = 0; i < 70; i++) takeOne();
      for (let i = 0; i < 20; i++) pushOne();
      while (queue.length > 0) takeOne();
      expect([queue.contiguous, expected]).toEqual([0, pushed]);
    }
    pushOne();
    expect(queue.contiguous).toBe(SMALL_CHUNK);
    takeOne();
  });

  it("keeps a chunk that arrives on an empty queue without copying it", () => {
    const queue = new ByteQueue();
    const chunk = hex("01 02 03");
    queue.push(chunk);
    const view = queue.take(10);
    expect(view.buffer).toBe(chunk.buffer);
    expect(toHex(view)).toBe("010203");
    // Empty again: the next one is kept as it is too.
    const next = hex("04");
    queue.push(next);
    expect(queue.take(10).buffer).toBe(next.buffer);
  });

  it("keeps the read position when the block it reads grows", () => {
    const queue = new ByteQueue();
    queue.push(hex("01"));
    queue.push(hex("02 03"));
    queue.skip(1);
    expect(toHex(queue.take(1))).toBe("02");
    queue.push(hex("04 05"));
    expect(toHex(queue.take(10))).toBe("030405");
  });

  it("reads across chunks with one copy, peeks and skips", () => {
    const queue = new ByteQueue();
    queue.push(hex("01 02"));
    queue.push(new Uint8Array(SMALL_CHUNK).fill(3));
    queue.push(hex("04"));
    expect(queue.peek(0)).toBe(1);
    expect(queue.peek(2)).toBe(3);
    expect(queue.peek(SMALL_CHUNK + 2)).toBe(4);
    expect(toHex(queue.read(4))).toBe("01020303");
    queue.skip(SMALL_CHUNK - 2);
    expect(toHex(queue.read(1))).toBe("04");
    expect(queue.length).toBe(0);
  });

  it("never changes bytes it handed out when more arrive", () => {
    const queue = new ByteQueue();
    queue.push(hex("aa"));
    const first = queue.take(1);
    for (let i = 0; i < 20_000; i++) queue.push(hex("bb"));
    expect(first[0]).toBe(0xaa);
    queue.clear();
    expect(queue.length).toBe(0);
    expect(first[0]).toBe(0xaa);
  });

  it("reads header fields as numbers, within a chunk and across chunks", () => {
    const queue = new ByteQueue();
    queue.push(hex("01 02 03 04 05 06 07"));
    queue.push(new Uint8Array(SMALL_CHUNK).fill(0xee));
    expect(queue.readUint16()).toBe(0x0102);
    expect(queue.readUint32()).toBe(0x03040506);
    expect(queue.readUint32()).toBe(0x07eeeeee);
    const key = new Uint8Array(4);
    queue.readInto(key);
    expect(toHex(key)).toBe("eeeeeeee");
    expect(queue.length).toBe(SMALL_CHUNK - 7);
    const split = new ByteQueue();
    split.push(hex("ff"));
    split.push(new Uint8Array(SMALL_CHUNK).fill(0x80));
    expect(split.readUint32()).toBe(0xff808080);
  });

  it("ignores empty chunks", () => {
    const queue = new ByteQueue();
    queue.push(new Uint8Array(0));
    expect(queue.length).toBe(0);
  });
});
