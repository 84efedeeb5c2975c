import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sha1 } from "./sha1.js";

const seed = Number(process.env.NETSOCKETS_SEED ?? 20261126);
console.log(`sha1.test.ts fast-check seed ${seed}`);

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
const hex = (b: Uint8Array): string =>
  Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

describe("sha1", () => {
  // FIPS 180-2 appendix A and the NIST example vectors.
  it("hashes the empty message", () => {
    expect(hex(sha1(new Uint8Array(0)))).toBe("da39a3ee5e6b4b0d3255bfef95601890afd80709");
  });

  it('hashes "abc" (FIPS 180-2 A.1)', () => {
    expect(hex(sha1(ascii("abc")))).toBe("a9993e364706816aba3e25717850c26c9cd0d89d");
  });

  it("hashes the 448-bit message (FIPS 180-2 A.2)", () => {
    const message = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    expect(message.length * 8).toBe(448);
    expect(hex(sha1(ascii(message)))).toBe("84983e441c3bd26ebaae4aa1f95129e5e54670f1");
  });

  it("hashes one million 'a' (FIPS 180-2 A.3)", () => {
    expect(hex(sha1(new Uint8Array(1_000_000).fill(0x61)))).toBe(
      "34aa973cd4c4daa4f61eeb2bdbad27316534016f",
    );
  });

  it("hashes the 896-bit two-block message", () => {
    const message =
      "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
    expect(hex(sha1(ascii(message)))).toBe("a49b2446a02c645bf419f995b67091253a04a259");
  });

  it("pads correctly around the block boundary (lengths 0–200)", () => {
    for (let n = 0; n <= 200; n++) {
      const bytes = new Uint8Array(n).map((_, i) => (i * 7 + n) & 0xff);
      expect(hex(sha1(bytes)), `length ${n}`).toBe(createHash("sha1").update(bytes).digest("hex"));
    }
  });

  it("does not modify its input", () => {
    const bytes = ascii("abc");
    sha1(bytes);
    expect(Array.from(bytes)).toEqual([0x61, 0x62, 0x63]);
  });

  it("matches node:crypto on random inputs", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(hex(sha1(bytes))).toBe(createHash("sha1").update(bytes).digest("hex"));
      }),
      { seed, numRuns: 500 },
    );
  });
});
