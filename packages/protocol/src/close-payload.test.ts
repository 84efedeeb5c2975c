import { InvalidArgumentError, ProtocolError } from "@netsockets/errors";
import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { decodeClosePayload, encodeClosePayload, MAX_CLOSE_REASON_BYTES } from "./close-payload.js";

const seed = Number(process.env.NETSOCKETS_SEED ?? 20261126);
console.log(`close-payload.test.ts: fast-check seed ${seed} (set NETSOCKETS_SEED to change)`);

const hex = (s: string) =>
  Uint8Array.from(
    s
      .split(" ")
      .filter(Boolean)
      .map((h) => Number.parseInt(h, 16)),
  );
const toHex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join(" ");

const validCodes = [
  1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999,
];
const invalidCodes = [0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535];

describe("encodeClosePayload", () => {
  it("is empty without a code", () => {
    expect(encodeClosePayload()).toEqual(new Uint8Array(0));
    expect(encodeClosePayload(undefined, "")).toEqual(new Uint8Array(0));
  });

  it("writes the code big-endian, then the reason's UTF-8 bytes", () => {
    expect(toHex(encodeClosePayload(1000))).toBe("03 e8");
    expect(toHex(encodeClosePayload(1000, ""))).toBe("03 e8");
    expect(toHex(encodeClosePayload(1001, "bye"))).toBe("03 e9 62 79 65");
    expect(toHex(encodeClosePayload(4999, "é"))).toBe("13 87 c3 a9");
    expect(toHex(encodeClosePayload(3000, "😀"))).toBe("0b b8 f0 9f 98 80");
  });

  it.each(validCodes)("accepts the sendable code %i", (code) => {
    expect(toHex(encodeClosePayload(code))).toBe(
      `${(code >> 8).toString(16).padStart(2, "0")} ${(code & 0xff).toString(16).padStart(2, "0")}`,
    );
  });

  it.each([...invalidCodes, -1, 1000.5, Number.NaN, Number.POSITIVE_INFINITY])(
    "refuses the code %d with InvalidArgumentError",
    (code) => {
      expect(() => encodeClosePayload(code)).toThrow(InvalidArgumentError);
      expect(() => encodeClosePayload(code, "why")).toThrow(InvalidArgumentError);
    },
  );

  it("refuses a code that is not a number", () => {
    expect(() => encodeClosePayload("1000" as unknown as number)).toThrow(InvalidArgumentError);
    expect(() => encodeClosePayload(null as unknown as number)).toThrow(InvalidArgumentError);
  });

  it("accepts a reason of 0 and 123 UTF-8 bytes and refuses 124", () => {
    expect(encodeClosePayload(1000, "").length).toBe(2);
    expect(encodeClosePayload(1000, "a".repeat(123)).length).toBe(125);
    expect(() => encodeClosePayload(1000, "a".repeat(124))).toThrow(InvalidArgumentError);
    // The limit counts bytes, not UTF-16 code units: 61 × "é" + "a" is 123 bytes, 62 × "é" 124.
    expect(encodeClosePayload(1000, `${"é".repeat(61)}a`).length).toBe(125);
    expect(() => encodeClosePayload(1000, "é".repeat(62))).toThrow(InvalidArgumentError);
    expect(() => encodeClosePayload(1000, "😀".repeat(31))).toThrow(InvalidArgumentError);
    expect(MAX_CLOSE_REASON_BYTES).toBe(123);
  });

  it("refuses a reason that is not a string, never sending its bytes (ws S1, S13)", () => {
    const notStrings: unknown[] = [
      new Uint8Array(10),
      new Uint16Array([0x4141]),
      Buffer.alloc(4),
      50,
      null,
      {},
      ["a"],
      Symbol("s"),
    ];
    for (const reason of notStrings) {
      expect(() => encodeClosePayload(1000, reason as string)).toThrow(InvalidArgumentError);
      expect(() => encodeClosePayload(undefined, reason as string)).toThrow(InvalidArgumentError);
    }
  });

  it("refuses a reason without a code", () => {
    expect(() => encodeClosePayload(undefined, "why")).toThrow(InvalidArgumentError);
  });

  it("encodes lone surrogates as U+FFFD, as WHATWG WebSocket.close() does", () => {
    expect(toHex(encodeClosePayload(1000, "a\ud800b"))).toBe("03 e8 61 ef bf bd 62");
  });

  it("encodes any string exactly: it decodes back to the same text (fast-check)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...validCodes),
        fc.string({ unit: "binary", maxLength: 40 }),
        (code, reason) => {
          const bytes = new TextEncoder().encode(reason);
          if (bytes.length > 123) {
            expect(() => encodeClosePayload(code, reason)).toThrow(InvalidArgumentError);
            return;
          }
          const payload = encodeClosePayload(code, reason);
          expect(payload.length).toBe(2 + bytes.length);
          expect(toHex(payload.subarray(2))).toBe(toHex(bytes));
          expect(decodeClosePayload(payload)).toEqual({ ok: true, code, reason });
        },
      ),
      { seed, numRuns: 500 },
    );
  });
});

describe("decodeClosePayload", () => {
  it("reads an empty payload as 1005 (no status received)", () => {
    expect(decodeClosePayload(new Uint8Array(0))).toEqual({ ok: true, code: 1005, reason: "" });
  });

  it("refuses a 1-byte payload: WS_ERR_INVALID_CLOSE_PAYLOAD, close 1002", () => {
    const result = decodeClosePayload(hex("03"));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toBeInstanceOf(ProtocolError);
    expect(result.error.code).toBe("WS_ERR_INVALID_CLOSE_PAYLOAD");
    expect(result.error.closeCode).toBe(1002);
  });

  it.each(validCodes)("accepts the code %i", (code) => {
    expect(decodeClosePayload(Uint8Array.of(code >> 8, code & 0xff))).toEqual({
      ok: true,
      code,
      reason: "",
    });
  });

  it.each(invalidCodes)("refuses the code %i: WS_ERR_INVALID_CLOSE_CODE, close 1002", (code) => {
    const result = decodeClosePayload(Uint8Array.of(code >> 8, code & 0xff, 0x61));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toBeInstanceOf(ProtocolError);
    expect(result.error.code).toBe("WS_ERR_INVALID_CLOSE_CODE");
    expect(result.error.closeCode).toBe(1002);
    expect(result.error.message).toContain(String(code));
  });

  it("decodes the reason, keeping a leading byte order mark", () => {
    expect(decodeClosePayload(hex("03 e8 62 79 65"))).toEqual({
      ok: true,
      code: 1000,
      reason: "bye",
    });
    expect(decodeClosePayload(hex("0f a0 ef bb bf 61"))).toEqual({
      ok: true,
      code: 4000,
      reason: "\ufeffa",
    });
  });

  it("accepts a 123-byte reason", () => {
    const payload = encodeClosePayload(1000, "r".repeat(123));
    expect(decodeClosePayload(payload)).toEqual({ ok: true, code: 1000, reason: "r".repeat(123) });
  });

  it.each([
    ["invalid byte", "03 e8 ff"],
    ["surrogate", "03 e8 ed a0 80"],
    ["overlong", "03 e8 c0 af"],
    ["truncated at the end", "03 e8 61 e2 82"],
    ["above U+10FFFF", "03 e8 f4 90 80 80"],
  ])("refuses a reason with invalid UTF-8 (%s): WS_ERR_INVALID_UTF8, close 1007", (_, bytes) => {
    const result = decodeClosePayload(hex(bytes));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toBeInstanceOf(ProtocolError);
    expect(result.error.code).toBe("WS_ERR_INVALID_UTF8");
    expect(result.error.closeCode).toBe(1007);
  });

  it("uses the validator it is given for the reason bytes", () => {
    const validate = vi.fn(() => false);
    const result = decodeClosePayload(hex("03 e8 61 62"), validate);
    expect(validate).toHaveBeenCalledWith(hex("61 62"));
    expect(result.ok).toBe(false);
    expect(decodeClosePayload(hex("03 e8 61 62"), () => true)).toEqual({
      ok: true,
      code: 1000,
      reason: "ab",
    });
  });
});
