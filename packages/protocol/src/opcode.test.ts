import { describe, expect, it } from "vitest";
import { isControlOpcode, isReservedOpcode, Opcode } from "./opcode.js";

describe("Opcode", () => {
  it("has the RFC 6455 §5.2 values and is frozen", () => {
    expect(Opcode).toEqual({ continuation: 0, text: 1, binary: 2, close: 8, ping: 9, pong: 10 });
    expect(Object.isFrozen(Opcode)).toBe(true);
  });
});

describe("isControlOpcode", () => {
  it("is true exactly for 0x8–0xF, defined and reserved", () => {
    const control = [];
    for (let op = 0; op < 16; op++) if (isControlOpcode(op)) control.push(op);
    expect(control).toEqual([8, 9, 10, 11, 12, 13, 14, 15]);
  });

  it("is false for values that are not 4-bit integers", () => {
    for (const op of [-8, 16, 24, 8.5, Number.NaN]) expect(isControlOpcode(op)).toBe(false);
  });
});

describe("isReservedOpcode", () => {
  it("is true exactly for 0x3–0x7 and 0xB–0xF among 4-bit values", () => {
    const reserved = [];
    for (let op = 0; op < 16; op++) if (isReservedOpcode(op)) reserved.push(op);
    expect(reserved).toEqual([3, 4, 5, 6, 7, 11, 12, 13, 14, 15]);
  });

  it("treats anything that is not an opcode as reserved", () => {
    for (const op of [-1, 16, 1.5, Number.NaN]) expect(isReservedOpcode(op)).toBe(true);
  });
});
