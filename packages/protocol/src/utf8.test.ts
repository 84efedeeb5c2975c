import { isUtf8 } from "node:buffer";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isValidUtf8, Utf8Validator } from "./utf8.js";

const seed = Number(process.env.NETSOCKETS_SEED ?? 20261126);
console.log(`utf8.test.ts: fast-check seed ${seed} (set NETSOCKETS_SEED to change)`);

const hex = (s: string) =>
  Uint8Array.from(
    s
      .split(" ")
      .filter(Boolean)
      .map((h) => Number.parseInt(h, 16)),
  );
const enc = (s: string) => new TextEncoder().encode(s);
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

/**
 * A test vector: `valid`, or `failAt` = the index of the first byte after which no valid UTF-8
 * can follow (where a fail-fast validator must reject), or `truncated` = every byte is fine but
 * the text ends inside a code point.
 */
type Vector =
  | { name: string; bytes: Uint8Array; valid: true }
  | { name: string; bytes: Uint8Array; failAt: number }
  | { name: string; bytes: Uint8Array; truncated: true };

const valid = (name: string, bytes: Uint8Array): Vector => ({ name, bytes, valid: true });
const failAt = (name: string, bytes: Uint8Array, at: number): Vector => ({
  name,
  bytes,
  failAt: at,
});
const truncated = (name: string, bytes: Uint8Array): Vector => ({ name, bytes, truncated: true });

// Markus Kuhn's UTF-8 decoder capability and stress test, section by section, plus the
// Autobahn 6.x cases built on it.
const kosme = hex("ce ba e1 bd b9 cf 83 ce bc ce b5"); // "κόσμε"
const vectors: Vector[] = [
  // 1: some correct UTF-8 text
  valid("empty", new Uint8Array(0)),
  valid("1 κόσμε", kosme),
  valid("ASCII", enc("Hello, World!")),
  valid("Hello-µ@ßöäüàá-UTF-8!!", enc("Hello-µ@ßöäüàá-UTF-8!!")),
  // 2.1: first possible sequence of a certain length
  valid("2.1.1 U+0000", hex("00")),
  valid("2.1.2 U+0080", hex("c2 80")),
  valid("2.1.3 U+0800", hex("e0 a0 80")),
  valid("2.1.4 U+10000", hex("f0 90 80 80")),
  failAt("2.1.5 5-byte U+200000", hex("f8 88 80 80 80"), 0),
  failAt("2.1.6 6-byte U+4000000", hex("fc 84 80 80 80 80"), 0),
  // 2.2: last possible sequence of a certain length
  valid("2.2.1 U+007F", hex("7f")),
  valid("2.2.2 U+07FF", hex("df bf")),
  valid("2.2.3 U+FFFF (non-character)", hex("ef bf bf")),
  failAt("2.2.4 U+1FFFFF", hex("f7 bf bf bf"), 0),
  failAt("2.2.5 5-byte U+3FFFFFF", hex("fb bf bf bf bf"), 0),
  failAt("2.2.6 6-byte U+7FFFFFFF", hex("fd bf bf bf bf bf"), 0),
  // 2.3: other boundary conditions
  valid("2.3.1 U+D7FF", hex("ed 9f bf")),
  valid("2.3.2 U+E000", hex("ee 80 80")),
  valid("2.3.3 U+FFFD", hex("ef bf bd")),
  valid("2.3.4 U+10FFFF", hex("f4 8f bf bf")),
  failAt("2.3.5 U+110000", hex("f4 90 80 80"), 1),
  // 3.1: unexpected continuation bytes
  failAt("3.1.1 first continuation byte 0x80", hex("80"), 0),
  failAt("3.1.2 last continuation byte 0xbf", hex("bf"), 0),
  failAt("3.1.3 2 continuation bytes", hex("80 bf"), 0),
  failAt("3.1.4 3 continuation bytes", hex("80 bf 80"), 0),
  failAt("3.1.x continuation after ASCII", hex("41 42 80"), 2),
  failAt(
    "3.1.9 all 64 continuation bytes",
    Uint8Array.from({ length: 64 }, (_, i) => 0x80 + i),
    0,
  ),
  // 3.2: lonely start characters
  failAt("3.2.1 C0 + space", hex("c0 20"), 0),
  failAt("3.2.1 C2 + space", hex("c2 20"), 1),
  failAt("3.2.1 DF + space", hex("df 20"), 1),
  failAt("3.2.2 E0 + space", hex("e0 20"), 1),
  failAt("3.2.2 EF + space", hex("ef 20"), 1),
  failAt("3.2.3 F0 + space", hex("f0 20"), 1),
  failAt("3.2.3 F4 + space", hex("f4 20"), 1),
  failAt("3.2.4 F8 + space", hex("f8 20"), 0),
  failAt("3.2.5 FC + space", hex("fc 20"), 0),
  // 3.3: sequences with the last continuation byte missing, followed by more text
  failAt("3.3.2 E0 A0 then ASCII", hex("e0 a0 41"), 2),
  failAt("3.3.3 F0 90 80 then ASCII", hex("f0 90 80 41"), 3),
  failAt("3.3.x E1 80 then a new lead", hex("e1 80 e1 80 80"), 2),
  // 3.3 at the very end: truncated, only finish() can tell
  truncated("3.3.1 C2 at end", hex("c2")),
  truncated("3.3.2 E0 A0 at end", hex("e0 a0")),
  truncated("3.3.3 F0 90 80 at end", hex("f0 90 80")),
  truncated("3.3.x E1 at end", hex("e1")),
  truncated("3.3.x F4 8F BF at end", hex("f4 8f bf")),
  truncated("3.3.x text then F1 80 80 at end", concat(kosme, hex("f1 80 80"))),
  // 3.4: concatenation of incomplete sequences
  failAt("3.4 concatenated incomplete sequences", hex("c0 e0 80 f0 80 80 df ef bf f7 bf bf"), 0),
  failAt("3.4 C2 then E0 A0", hex("c2 e0 a0"), 1),
  // 3.5: impossible bytes
  failAt("3.5.1 FE", hex("fe"), 0),
  failAt("3.5.2 FF", hex("ff"), 0),
  failAt("3.5.3 FE FE FF FF", hex("fe fe ff ff"), 0),
  failAt("F5", hex("f5 80 80 80"), 0),
  failAt("C1 (overlong lead)", hex("c1 80"), 0),
  // 4: overlong sequences
  failAt("4.1.1 overlong / as C0 AF", hex("c0 af"), 0),
  failAt("4.1.2 overlong / as E0 80 AF", hex("e0 80 af"), 1),
  failAt("4.1.3 overlong / as F0 80 80 AF", hex("f0 80 80 af"), 1),
  failAt("4.1.4 overlong / as 5 bytes", hex("f8 80 80 80 af"), 0),
  failAt("4.1.5 overlong / as 6 bytes", hex("fc 80 80 80 80 af"), 0),
  failAt("4.2.1 max overlong C1 BF", hex("c1 bf"), 0),
  failAt("4.2.2 max overlong E0 9F BF", hex("e0 9f bf"), 1),
  failAt("4.2.3 max overlong F0 8F BF BF", hex("f0 8f bf bf"), 1),
  failAt("4.3.1 overlong NUL C0 80", hex("c0 80"), 0),
  failAt("4.3.2 overlong NUL E0 80 80", hex("e0 80 80"), 1),
  failAt("4.3.3 overlong NUL F0 80 80 80", hex("f0 80 80 80"), 1),
  // 5.1: single UTF-16 surrogates
  failAt("5.1.1 U+D800", hex("ed a0 80"), 1),
  failAt("5.1.2 U+DB7F", hex("ed ad bf"), 1),
  failAt("5.1.3 U+DB80", hex("ed ae 80"), 1),
  failAt("5.1.4 U+DBFF", hex("ed af bf"), 1),
  failAt("5.1.5 U+DC00", hex("ed b0 80"), 1),
  failAt("5.1.6 U+DF80", hex("ed be 80"), 1),
  failAt("5.1.7 U+DFFF", hex("ed bf bf"), 1),
  // 5.2: paired UTF-16 surrogates
  failAt("5.2.1 U+D800 U+DC00", hex("ed a0 80 ed b0 80"), 1),
  failAt("5.2.8 U+DBFF U+DFFF", hex("ed af bf ed bf bf"), 1),
  // 5.3: non-characters are valid
  valid("5.3.1 U+FFFE", hex("ef bf be")),
  valid("5.3.2 U+FFFF", hex("ef bf bf")),
  valid("5.3.3 U+FDD0 .. U+FDEF", hex("ef b7 90 ef b7 af")),
  valid("5.3.4 U+1FFFE U+10FFFF", hex("f0 9f bf be f4 8f bf bf")),
  // Autobahn 6.3 / 6.4: valid text, then an invalid sequence in the middle
  failAt("6.3.1 κόσμε + U+D800 + edited", concat(kosme, hex("ed a0 80"), enc("edited")), 12),
  failAt("6.4.1 κόσμε + U+110000 + edited", concat(kosme, hex("f4 90 80 80"), enc("edited")), 12),
  failAt("6.4.3 κόσμε + F4 90 80 80 at the end", concat(kosme, hex("f4 90 80 80")), 12),
  failAt(
    "invalid byte after 100 ASCII bytes",
    concat(enc("a".repeat(100)), hex("ff"), enc("b".repeat(50))),
    100,
  ),
];

/** The validators under test: the pure one, and ones that hand complete sequences to a whole-buffer check. */
const makers: [string, () => Utf8Validator][] = [
  ["pure", () => new Utf8Validator()],
  ["with isValidUtf8", () => new Utf8Validator(isValidUtf8)],
  ["with node:buffer isUtf8", () => new Utf8Validator(isUtf8)],
];

// Kuhn 3.2: every lead byte followed by a space; 3.3: every sequence with its last byte missing.
for (let lead = 0xc0; lead <= 0xfd; lead++) {
  const name = `3.2 lonely start ${lead.toString(16)} + space`;
  // C0, C1 and F5–FD can never start a sequence; any other lead fails at the space.
  const deadLead = lead < 0xc2 || lead > 0xf4;
  vectors.push(failAt(name, Uint8Array.of(lead, 0x20), deadLead ? 0 : 1));
}
vectors.push(
  failAt("3.3.1 2-byte U+0000 without its last byte", hex("c0"), 0),
  failAt("3.3.2 3-byte U+0000 without its last byte", hex("e0 80"), 1),
  failAt("3.3.3 4-byte U+0000 without its last byte", hex("f0 80 80"), 1),
  failAt("3.3.4 5-byte U+0000 without its last byte", hex("f8 80 80 80"), 0),
  failAt("3.3.5 6-byte U+0000 without its last byte", hex("fc 80 80 80 80"), 0),
  truncated("3.3.6 2-byte U+07FF without its last byte", hex("df")),
  truncated("3.3.7 3-byte U+FFFF without its last byte", hex("ef bf")),
  failAt("3.3.8 4-byte U+1FFFFF without its last byte", hex("f7 bf bf"), 0),
  failAt("3.3.9 5-byte without its last byte", hex("fb bf bf bf"), 0),
  failAt("3.3.10 6-byte without its last byte", hex("fd bf bf bf bf"), 0),
);
// Kuhn 5.2: all eight paired surrogates.
for (const [high, low] of [
  ["ed a0 80", "ed b0 80"],
  ["ed a0 80", "ed bf bf"],
  ["ed ad bf", "ed b0 80"],
  ["ed ad bf", "ed bf bf"],
  ["ed ae 80", "ed b0 80"],
  ["ed ae 80", "ed bf bf"],
  ["ed af bf", "ed b0 80"],
  ["ed af bf", "ed bf bf"],
] as const) {
  vectors.push(failAt(`5.2 paired surrogates ${high} ${low}`, hex(`${high} ${low}`), 1));
}

/** The outcome a fail-fast validator must give when `bytes` is pushed as `chunks`. */
function expectedPushes(vector: Vector, cuts: number[]): boolean[] {
  const firstBad = "failAt" in vector ? vector.failAt : Number.POSITIVE_INFINITY;
  const ends = [...cuts, vector.bytes.length];
  return ends.map((end) => firstBad >= end);
}

function pushAll(validator: Utf8Validator, bytes: Uint8Array, cuts: number[]) {
  const results: boolean[] = [];
  let from = 0;
  for (const to of [...cuts, bytes.length]) {
    results.push(validator.push(bytes.subarray(from, to)));
    from = to;
  }
  return results;
}

describe("isValidUtf8 and Utf8Validator: Kuhn / Autobahn vectors", () => {
  for (const vector of vectors) {
    const ok = "valid" in vector;
    it(`${vector.name}: ${ok ? "valid" : "invalid"}`, () => {
      expect(isValidUtf8(vector.bytes)).toBe(ok);
      // Agrees with the platform's fatal decoder.
      let decoded = true;
      try {
        new TextDecoder("utf-8", { fatal: true }).decode(vector.bytes);
      } catch {
        decoded = false;
      }
      expect(decoded).toBe(ok);
      const n = vector.bytes.length;
      // Whole, then split in two at every position, then one byte at a time.
      const splits: number[][] = [[]];
      for (let p = 0; p <= n; p++) splits.push([p]);
      splits.push(Array.from({ length: Math.max(0, n - 1) }, (_, i) => i + 1));
      for (const [name, make] of makers) {
        const validator = make();
        for (const cuts of splits) {
          expect(pushAll(validator, vector.bytes, cuts), `${name}, cuts ${cuts.join(",")}`).toEqual(
            expectedPushes(vector, cuts),
          );
          expect(validator.finish(), name).toBe(ok);
        }
      }
    });
  }

  it("also holds at every alignment of the underlying buffer, inside longer ASCII text", () => {
    for (const vector of vectors) {
      for (let align = 0; align < 8; align++) {
        for (const pad of [0, 3, 40]) {
          const prefix = enc("x".repeat(pad));
          const suffix = "truncated" in vector ? new Uint8Array(0) : enc("y".repeat(pad));
          const backing = concat(new Uint8Array(align), prefix, vector.bytes, suffix);
          const bytes = backing.subarray(align);
          expect(isValidUtf8(bytes), `${vector.name} align ${align} pad ${pad}`).toBe(
            "valid" in vector,
          );
        }
      }
    }
  });
});

describe("Utf8Validator", () => {
  it("stays failed after an invalid byte until finish() or reset()", () => {
    const validator = new Utf8Validator();
    expect(validator.push(hex("ff"))).toBe(false);
    expect(validator.push(enc("fine"))).toBe(false);
    expect(validator.finish()).toBe(false);
    // finish() reset it for the next message.
    expect(validator.push(enc("fine"))).toBe(true);
    expect(validator.finish()).toBe(true);
    expect(validator.push(hex("c0"))).toBe(false);
    validator.reset();
    expect(validator.push(enc("ok"))).toBe(true);
    expect(validator.finish()).toBe(true);
  });

  it("forgets an incomplete code point on reset()", () => {
    const validator = new Utf8Validator();
    expect(validator.push(hex("e2 82"))).toBe(true);
    validator.reset();
    expect(validator.push(enc("a"))).toBe(true);
    expect(validator.finish()).toBe(true);
  });

  it("accepts empty pushes anywhere, also inside a code point", () => {
    const validator = new Utf8Validator();
    const empty = new Uint8Array(0);
    for (const chunk of [empty, hex("f0"), empty, hex("9f 98"), empty, hex("80"), empty]) {
      expect(validator.push(chunk)).toBe(true);
    }
    expect(validator.finish()).toBe(true);
  });

  it("validates large ASCII and multi-byte texts split into uneven pieces", () => {
    const text = `${"ascii ".repeat(5000)}${"κόσμε 中文 😀 ".repeat(2000)}${"end".repeat(1000)}`;
    const bytes = enc(text);
    expect(isValidUtf8(bytes)).toBe(true);
    const validator = new Utf8Validator();
    for (let from = 0, step = 1; from < bytes.length; from += step, step = (step * 7 + 3) % 997) {
      expect(validator.push(bytes.subarray(from, from + step))).toBe(true);
    }
    expect(validator.finish()).toBe(true);
    // One surrogate in the middle of it is found in the piece that holds it.
    const bad = concat(bytes.subarray(0, 50_001), hex("ed a0 80"), bytes.subarray(50_001));
    expect(isValidUtf8(bad)).toBe(false);
    expect(validator.push(bad.subarray(0, 50_000))).toBe(true);
    expect(validator.push(bad.subarray(50_000, 50_002))).toBe(true);
    expect(validator.push(bad.subarray(50_002, 50_003))).toBe(false);
  });
});

/**
 * An independent oracle: decodes each sequence to a code point the textbook way (the length from
 * the lead byte's bit pattern, including the old 5- and 6-byte forms) and only then rejects
 * overlongs, surrogates and values above U+10FFFF, where the validator checks byte ranges.
 */
function referenceValid(bytes: Uint8Array): boolean {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] ?? 0;
    const length =
      b < 0x80 ? 1 : b < 0xc0 ? 0 : b < 0xe0 ? 2 : b < 0xf0 ? 3 : b < 0xf8 ? 4 : b < 0xfc ? 5 : 6;
    if (length === 0 || b >= 0xfe || i + length > bytes.length) return false;
    let cp = length === 1 ? b : b & (0x7f >> length);
    for (let k = 1; k < length; k++) {
      const c = bytes[i + k] ?? 0;
      if ((c & 0xc0) !== 0x80) return false;
      cp = cp * 64 + (c & 0x3f);
    }
    const min = [0, 0, 0x80, 0x800, 0x1_0000, 0x20_0000, 0x400_0000][length] ?? 0;
    if (cp < min || cp > 0x10_ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += length;
  }
  return true;
}

describe("exhaustive checks", () => {
  it("accepts every Unicode scalar value, whole and in pieces of 1–7 bytes", () => {
    const parts: string[] = [];
    for (let cp = 0; cp <= 0x10_ffff; cp += 1) {
      if (cp === 0xd800) cp = 0xe000; // surrogates are not scalar values
      parts.push(String.fromCodePoint(cp));
    }
    const bytes = enc(parts.join(""));
    expect(bytes.length).toBe(0x80 + 0x780 * 2 + (0x1_0000 - 0x800 - 0x800) * 3 + 0x10_0000 * 4);
    expect(isValidUtf8(bytes)).toBe(true);
    for (const [name, make] of makers) {
      const validator = make();
      for (let from = 0, step = 1; from < bytes.length; from += step, step = (step % 7) + 1) {
        if (!validator.push(bytes.subarray(from, from + step)))
          throw new Error(`${name} at ${from}`);
      }
      expect(validator.finish(), name).toBe(true);
    }
  });

  it("rejects every UTF-16 surrogate encoded as three bytes (CESU-8 style)", () => {
    for (let cp = 0xd800; cp <= 0xdfff; cp++) {
      const bytes = Uint8Array.of(0xed, 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
      expect(isValidUtf8(bytes)).toBe(false);
      expect(new Utf8Validator().push(bytes.subarray(0, 2))).toBe(false);
    }
  });

  it("agrees with the textbook decoder on every 1- and 2-byte array", () => {
    for (let b0 = 0; b0 < 256; b0++) {
      expect(isValidUtf8(Uint8Array.of(b0))).toBe(referenceValid(Uint8Array.of(b0)));
      for (let b1 = 0; b1 < 256; b1++) {
        const bytes = Uint8Array.of(b0, b1);
        if (isValidUtf8(bytes) !== referenceValid(bytes)) throw new Error(`${b0} ${b1}`);
      }
    }
  });

  it("agrees with the textbook decoder on every 3-byte array led by E0–EF, and on 4-byte ones led by F0–F7 with boundary tails", () => {
    const three = new Uint8Array(3);
    for (let b0 = 0xe0; b0 <= 0xef; b0++) {
      three[0] = b0;
      for (let b1 = 0; b1 < 256; b1++) {
        three[1] = b1;
        for (let b2 = 0; b2 < 256; b2++) {
          three[2] = b2;
          if (isValidUtf8(three) !== referenceValid(three)) throw new Error(`${three}`);
        }
      }
    }
    const tails = [0x00, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xff];
    const four = new Uint8Array(4);
    for (let b0 = 0xf0; b0 <= 0xf7; b0++) {
      four[0] = b0;
      for (let b1 = 0; b1 < 256; b1++) {
        four[1] = b1;
        for (const b2 of tails) {
          four[2] = b2;
          for (const b3 of tails) {
            four[3] = b3;
            if (isValidUtf8(four) !== referenceValid(four)) throw new Error(`${four}`);
          }
        }
      }
    }
  });
});

/** Whether the platform's fatal decoder accepts `bytes`. */
function decoderAccepts(bytes: Uint8Array): boolean {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * The first index where the platform's streaming fatal decoder (eager per the WHATWG algorithm)
 * rejects, fed one byte at a time; Infinity if it never does.
 */
function decoderFailAt(bytes: Uint8Array): number {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  for (let i = 0; i < bytes.length; i++) {
    try {
      decoder.decode(bytes.subarray(i, i + 1), { stream: true });
    } catch {
      return i;
    }
  }
  return Number.POSITIVE_INFINITY;
}

// Byte arrays that are mostly UTF-8 with occasional damage: uniform random bytes would be
// rejected within the first few bytes and exercise little.
const piece = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: "binary", maxLength: 12 }).map(enc) },
  {
    weight: 2,
    arbitrary: fc.string({ unit: "binary-ascii", minLength: 8, maxLength: 80 }).map(enc),
  },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 4 }) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(
        "c0",
        "c1",
        "e0 80",
        "ed a0",
        "f0 80",
        "f4 90",
        "f5",
        "ff",
        "80",
        "e2 82",
        "f0 9f 98",
      )
      .map(hex),
  },
);
const bytesArb = fc.array(piece, { maxLength: 12 }).map((parts) => concat(...parts));
const cutsArb = (length: number) =>
  fc
    .uniqueArray(fc.integer({ min: 0, max: length }), { maxLength: 8 })
    .map((c) => c.sort((a, b) => a - b));

describe("Utf8Validator with a whole-buffer validator", () => {
  it("hands it only whole sequences and checks the cut ends itself", () => {
    const seen: string[] = [];
    const validator = new Utf8Validator((bytes) => {
      seen.push(Buffer.from(bytes).toString("hex"));
      return isValidUtf8(bytes);
    });
    // "a€b" = 61 e2 82 ac 62, pushed as 61 e2 | 82 | ac 62.
    expect(validator.push(hex("61 e2"))).toBe(true);
    expect(validator.push(hex("82"))).toBe(true);
    expect(validator.push(hex("ac 62"))).toBe(true);
    expect(validator.finish()).toBe(true);
    expect(seen).toEqual(["61", "62"]);
  });

  it("fails when it says no, in that piece", () => {
    const validator = new Utf8Validator(() => false);
    expect(validator.push(hex("e2 82"))).toBe(true); // only a cut sequence: not asked
    expect(validator.push(hex("ac 61"))).toBe(false);
    expect(validator.finish()).toBe(false);
  });
});

describe("property tests against TextDecoder (fast-check)", () => {
  it("isValidUtf8 agrees with the fatal TextDecoder on arbitrary bytes at any alignment", () => {
    fc.assert(
      fc.property(bytesArb, fc.nat(7), (bytes, align) => {
        const backing = new Uint8Array(align + bytes.length);
        backing.set(bytes, align);
        expect(isValidUtf8(backing.subarray(align))).toBe(decoderAccepts(bytes));
      }),
      { seed, numRuns: 2000 },
    );
  });

  it("Utf8Validator over any chunking agrees, and fails in the chunk the decoder fails at", () => {
    fc.assert(
      fc.property(
        bytesArb.chain((bytes) => fc.tuple(fc.constant(bytes), cutsArb(bytes.length))),
        ([bytes, cuts]) => {
          const ok = decoderAccepts(bytes);
          const firstBad = decoderFailAt(bytes);
          const ends = [...cuts, bytes.length];
          for (const [name, make] of makers) {
            const validator = make();
            const results = pushAll(validator, bytes, cuts);
            expect(results, name).toEqual(ends.map((end) => firstBad >= end));
            expect(validator.finish(), name).toBe(ok);
          }
        },
      ),
      { seed, numRuns: 2000 },
    );
  });

  it("accepts the encoding of any string, in any chunking", () => {
    fc.assert(
      fc.property(
        fc
          .string({ unit: "binary", maxLength: 200 })
          .map(enc)
          .chain((bytes) => fc.tuple(fc.constant(bytes), cutsArb(bytes.length))),
        ([bytes, cuts]) => {
          expect(isValidUtf8(bytes)).toBe(true);
          const validator = new Utf8Validator();
          expect(pushAll(validator, bytes, cuts).every(Boolean)).toBe(true);
          expect(validator.finish()).toBe(true);
        },
      ),
      { seed, numRuns: 1000 },
    );
  });
});
