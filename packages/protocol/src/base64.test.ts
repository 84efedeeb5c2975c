import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeBase64, decodedBase64Length, encodeBase64 } from "./base64.js";

const seed = Number(process.env.NETSOCKETS_SEED ?? 20261126);
console.log(`base64.test.ts fast-check seed ${seed}`);

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

describe("encodeBase64", () => {
  // RFC 4648 §10 test vectors.
  it.each([
    ["", ""],
    ["f", "Zg=="],
    ["fo", "Zm8="],
    ["foo", "Zm9v"],
    ["foob", "Zm9vYg=="],
    ["fooba", "Zm9vYmE="],
    ["foobar", "Zm9vYmFy"],
  ])("encodes %j as %j (RFC 4648 §10)", (plain, encoded) => {
    expect(encodeBase64(ascii(plain))).toBe(encoded);
    expect(decodeBase64(encoded)).toEqual(ascii(plain));
  });

  it("uses + and / for 62 and 63", () => {
    expect(encodeBase64(new Uint8Array([0xfb, 0xff]))).toBe("+/8=");
  });

  it("matches Buffer on random inputs and round-trips", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        const encoded = encodeBase64(bytes);
        expect(encoded).toBe(Buffer.from(bytes).toString("base64"));
        expect(decodeBase64(encoded)).toEqual(bytes);
      }),
      { seed, numRuns: 500 },
    );
  });
});

describe("decodeBase64", () => {
  it("decodes the RFC 6455 sample nonce to 16 bytes", () => {
    expect(decodeBase64("dGhlIHNhbXBsZSBub25jZQ==")).toEqual(ascii("the sample nonce"));
  });

  it.each([
    ["length not a multiple of 4", "Zm9vY"],
    ["missing padding", "Zm8"],
    ["padding in the middle", "Zg==Zm9v"],
    ["three padding characters", "Z==="],
    ["only padding", "===="],
    ["padding then a digit", "Zm=v"],
    ["whitespace", "Zm9v Zg=="],
    ["URL-safe digits", "-_8="],
    ["non-ASCII", "Zm9\u00e9"],
    ["a character whose code is 128 + a digit's", `Zm9${String.fromCharCode(0x80 + 0x76)}`],
  ])("rejects %s", (_, text) => {
    expect(decodeBase64(text)).toBeNull();
  });

  it("tolerates non-zero pad bits (RFC 4648 §3.5 leaves it to the decoder)", () => {
    expect(decodeBase64("Zh==")).toEqual(ascii("f"));
  });

  it("never throws on arbitrary strings", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (text) => {
        const decoded = decodeBase64(text);
        if (decoded !== null)
          expect(decoded.length).toBe((text.length / 4) * 3 - (text.match(/=*$/)?.[0].length ?? 0));
      }),
      { seed, numRuns: 1000 },
    );
  });
});

describe("decodedBase64Length", () => {
  it("is the length decodeBase64 returns, or -1 where it returns null", () => {
    for (const text of [
      "",
      "Zg==",
      "Zm8=",
      "Zm9v",
      "dGhlIHNhbXBsZSBub25jZQ==",
      "Zg=",
      "Z===",
      "====",
      "Zm9v!A==",
      "Zg==Zg==",
    ]) {
      expect(decodedBase64Length(text)).toBe(decodeBase64(text)?.length ?? -1);
    }
    expect(decodedBase64Length("dGhlIHNhbXBsZSBub25jZQ==")).toBe(16);
    expect(decodedBase64Length("not base64")).toBe(-1);
  });

  it("agrees with decodeBase64 on arbitrary and on near-base64 strings", () => {
    const nearBase64 = fc
      .array(fc.constantFrom(..."AQgwZz09+/=!".split("")), { maxLength: 32 })
      .map((chars) => chars.join(""));
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 40 }), nearBase64), (text) => {
        expect(decodedBase64Length(text)).toBe(decodeBase64(text)?.length ?? -1);
      }),
      { seed, numRuns: 2000 },
    );
  });
});
