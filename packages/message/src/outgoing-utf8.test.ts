import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { OutgoingUtf8 } from "./outgoing-utf8.js";

const seed = Number(process.env.NETSOCKETS_SEED ?? 20261126);
console.log(`outgoing-utf8 fast-check seed ${seed}`);

/** Runs `frames` through a fresh validator; true when every frame was accepted. */
function accepts(frames: Uint8Array[]): boolean {
  const v = new OutgoingUtf8();
  for (let i = 0; i < frames.length; i++) {
    const carry = v.check(frames[i] as Uint8Array, i === frames.length - 1);
    if (carry === undefined) return false;
    v.commit(carry);
  }
  return true;
}

function cut(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let at = 0;
  for (const p of points) {
    out.push(bytes.subarray(at, p));
    at = p;
  }
  out.push(bytes.subarray(at));
  return out;
}

describe("OutgoingUtf8", () => {
  it("accepts valid text cut anywhere, including inside code points", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "grapheme" }),
        fc.array(fc.nat(), { maxLength: 6 }),
        (s, cuts) => {
          const bytes = new TextEncoder().encode(s);
          expect(accepts(cut(bytes, cuts))).toBe(true);
        },
      ),
      { seed },
    );
  });

  it("refuses invalid bytes wherever they are cut, and agrees with TextDecoder fatal", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 24 }),
        fc.array(fc.nat(), { maxLength: 4 }),
        (bytes, cuts) => {
          let valid = true;
          try {
            new TextDecoder("utf-8", { fatal: true }).decode(bytes);
          } catch {
            valid = false;
          }
          expect(accepts(cut(bytes, cuts))).toBe(valid);
        },
      ),
      { seed },
    );
  });

  it("refuses a message that ends inside a code point, and a bad continuation across frames", () => {
    expect(accepts([new Uint8Array([0xe2, 0x82])])).toBe(false);
    expect(accepts([new Uint8Array([0xe2]), new Uint8Array([0x82]), new Uint8Array([0xac])])).toBe(
      true,
    );
    expect(accepts([new Uint8Array([0xe0]), new Uint8Array([0x80, 0x80])])).toBe(false);
    expect(accepts([new Uint8Array([0xf0, 0x9f]), new Uint8Array([])])).toBe(false);
  });
});
