import { MessageTooBigError } from "@netsockets/errors";
import { describe, expect, it } from "vitest";
import type { DataEvent } from "./events.js";
import { MessageAssembler } from "./message-assembler.js";
import { hex } from "./testing/bytes.js";

const piece = (data: Uint8Array, messageStarted: boolean, messageFinished: boolean): DataEvent => ({
  type: "data",
  binary: true,
  data,
  messageStarted,
  fin: messageFinished,
  frameFinished: true,
  messageFinished,
});

describe("MessageAssembler", () => {
  it("hands a one-piece message out as that very view", () => {
    const assembler = new MessageAssembler({ maxMessageSize: 100 });
    const data = hex("01 02");
    expect(assembler.push(piece(data, true, true))?.data).toBe(data);
  });

  it("joins the pieces of a message once, on its last piece", () => {
    const assembler = new MessageAssembler({ maxMessageSize: 100 });
    expect(assembler.push(piece(hex("01"), true, false))).toBeUndefined();
    expect(assembler.push(piece(hex(""), false, false))).toBeUndefined();
    expect(assembler.push(piece(hex("02 03"), false, true))).toEqual({
      binary: true,
      data: hex("01 02 03"),
    });
  });

  it("starts every message empty: a joined, a one-piece and a reset message leave nothing behind", () => {
    const assembler = new MessageAssembler({ maxMessageSize: 100 });
    assembler.push(piece(hex("01"), true, false));
    const joined = assembler.push(piece(hex("02"), false, true))?.data;
    assembler.push(piece(hex("03"), true, false));
    assembler.reset();
    assembler.push(piece(hex(""), true, false));
    expect(assembler.push(piece(hex("04 05"), false, true))?.data).toEqual(hex("04 05"));
    assembler.push(piece(hex("06"), true, false));
    expect(assembler.push(piece(hex("07"), false, true))?.data).toEqual(hex("06 07"));
    expect(joined).toEqual(hex("01 02"));
  });

  it("drops an unfinished message when the next one starts", () => {
    const assembler = new MessageAssembler({ maxMessageSize: 100 });
    assembler.push(piece(hex("ff"), true, false));
    expect(assembler.push(piece(hex("01"), true, true))?.data).toEqual(hex("01"));
  });

  it("throws MessageTooBigError over its limit (close code 1009)", () => {
    const assembler = new MessageAssembler({ maxMessageSize: 2 });
    assembler.push(piece(hex("01 02"), true, false));
    expect(() => assembler.push(piece(hex("03"), false, true))).toThrow(MessageTooBigError);
    expect(() => assembler.push(piece(hex("01 02 03"), true, true))).toThrow(MessageTooBigError);
  });

  it("joins into the injected allocator's memory and writes every byte of it", () => {
    const sizes: number[] = [];
    // Dirty memory, as Buffer.allocUnsafeSlow may return it.
    const allocate = (size: number) => {
      sizes.push(size);
      return new Uint8Array(size).fill(0xcc);
    };
    const assembler = new MessageAssembler({ maxMessageSize: 1 << 20, allocate });
    const one = Uint8Array.from({ length: 1000 }, (_, i) => i & 0xff);
    const two = Uint8Array.from({ length: 3000 }, (_, i) => (i * 3) & 0xff);
    expect(assembler.push(piece(one, true, false))).toBeUndefined();
    expect(assembler.push(piece(hex(""), false, false))).toBeUndefined();
    const message = assembler.push(piece(two, false, true));
    expect(sizes).toEqual([4000]);
    expect(Buffer.compare(message?.data as Uint8Array, Buffer.concat([one, two]))).toBe(0);
    // A one-piece message is still handed out as is, without allocating.
    expect(assembler.push(piece(one, true, true))?.data).toBe(one);
    expect(sizes).toEqual([4000]);
  });
});
