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
});
