import { InvalidArgumentError } from "@netsockets/errors";
import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  applyMask,
  applyMaskKey,
  defaultRandomFill,
  MaskKeyPool,
  maskCopyKey,
  maskInto,
  maskIntoKey,
  maskWithWasm,
  maskWithWords,
} from "./mask.js";

/** The key as the 32-bit integer the parser keeps (first byte most significant). */
const keyNumber = (key: Uint8Array): number =>
  (((key[0] as number) << 24) |
    ((key[1] as number) << 16) |
    ((key[2] as number) << 8) |
    (key[3] as number)) >>>
  0;

const seed = Number(process.env.NETSOCKETS_SEED ?? 20261126);
console.log(`mask.test.ts: fast-check seed ${seed} (set NETSOCKETS_SEED to change)`);

afterEach(() => {
  vi.restoreAllMocks();
});

const hex = (s: string) => Uint8Array.from(s.split(" ").map((h) => Number.parseInt(h, 16)));

/** The RFC's definition, byte by byte: j = i MOD 4; transformed[i] = original[i] XOR key[j]. */
function referenceMask(data: Uint8Array, key: Uint8Array, offset: number): Uint8Array {
  return data.map((b, i) => b ^ (key[(offset + i) % 4] as number));
}

function pattern(length: number, start = 0): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (start + i * 31 + 7) & 0xff);
}

describe("applyMask", () => {
  it("masks the RFC 6455 §5.7 'Hello' example", () => {
    const data = new TextEncoder().encode("Hello");
    applyMask(data, hex("37 fa 21 3d"));
    expect(data).toEqual(hex("7f 9f 4d 51 58"));
    applyMask(data, hex("37 fa 21 3d"));
    expect(new TextDecoder().decode(data)).toBe("Hello");
  });

  it("matches the byte-by-byte definition at every alignment, offset and length 0–300", () => {
    const key = hex("a1 b2 c3 d4");
    for (let align = 0; align < 8; align++) {
      for (let offset = 0; offset < 8; offset++) {
        for (let length = 0; length <= 300; length += length < 80 ? 1 : 37) {
          const backing = pattern(align + length + 8, align);
          const data = backing.subarray(align, align + length);
          const expected = referenceMask(data, key, offset);
          const before = backing.slice();
          applyMask(data, key, offset);
          expect(data).toEqual(expected);
          // Bytes around the view are untouched.
          expect(backing.subarray(0, align)).toEqual(before.subarray(0, align));
          expect(backing.subarray(align + length)).toEqual(before.subarray(align + length));
        }
      }
    }
  });

  it("refuses a key shorter than 4 bytes instead of leaving bytes unmasked", () => {
    for (const size of [10, 1000]) {
      const data = pattern(size);
      expect(() => applyMask(data, hex("01 02 03"))).toThrow(InvalidArgumentError);
      expect(() => maskInto(data, new Uint8Array(0), new Uint8Array(size))).toThrow(
        InvalidArgumentError,
      );
      expect(data).toEqual(pattern(size));
    }
  });

  it("reads only the first four bytes of a longer key", () => {
    const data = pattern(100);
    const expected = referenceMask(data, hex("01 02 03 04"), 0);
    applyMask(data, hex("01 02 03 04 ff ff"));
    expect(data).toEqual(expected);
  });

  it("continues the key across chunks split anywhere, at any alignment (fast-check)", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 600 }),
        fc.uint8Array({ minLength: 4, maxLength: 4 }),
        fc.array(fc.nat(600), { maxLength: 6 }),
        fc.nat(7),
        (payload, key, cuts, align) => {
          const backing = new Uint8Array(align + payload.length);
          backing.set(payload, align);
          const data = backing.subarray(align);
          const points = [...new Set(cuts.map((c) => c % (payload.length + 1)))].sort(
            (a, b) => a - b,
          );
          let from = 0;
          for (const to of [...points, payload.length]) {
            applyMask(data.subarray(from, to), key, from);
            from = to;
          }
          expect(data).toEqual(referenceMask(payload, key, 0));
          applyMask(data, key, 0);
          expect(data).toEqual(payload);
        },
      ),
      { seed, numRuns: 300 },
    );
  });
});

describe("the two masking engines", () => {
  it("WebAssembly SIMD is available on Node, so its path is the one under test", () => {
    const data = new TextEncoder().encode("Hello");
    expect(maskWithWasm(data, hex("37 fa 21 3d"), 0, data)).toBe(true);
    expect(data).toEqual(hex("7f 9f 4d 51 58"));
  });

  it("the WASM and word paths agree with the definition at every alignment, offset and size", () => {
    const key = hex("5a c3 0f e1");
    const sizes = [
      0, 1, 3, 4, 31, 32, 63, 64, 65, 255, 256, 1000, 2047, 2048, 2049, 4096, 65535, 65536, 65537,
      131_072, 200_003,
    ];
    for (const size of sizes) {
      for (let align = 0; align < 4; align++) {
        for (let offset = 0; offset < 4; offset++) {
          const source = pattern(align + size, size).subarray(align);
          const expected = referenceMask(source, key, offset);
          const viaWords = source.slice();
          maskWithWords(viaWords, key, offset);
          expect(Buffer.compare(viaWords, expected), `words ${size}/${align}/${offset}`).toBe(0);
          const backing = pattern(align + size, size);
          const inPlace = backing.subarray(align);
          expect(maskWithWasm(inPlace, key, offset, inPlace)).toBe(true);
          expect(Buffer.compare(inPlace, expected), `wasm ${size}/${align}/${offset}`).toBe(0);
          // Into another array (the client's masked copy, the receiver's gathered frame).
          const copied = new Uint8Array(size + 16).subarray(16 - align);
          const into = copied.subarray(0, size);
          expect(maskWithWasm(source, key, offset, into)).toBe(true);
          expect(Buffer.compare(into, expected), `wasm into ${size}/${align}/${offset}`).toBe(0);
          expect(Buffer.compare(source, pattern(align + size, size).subarray(align))).toBe(0);
          const viaApply = source.slice();
          applyMask(viaApply, key, offset);
          expect(Buffer.compare(viaApply, expected), `apply ${size}/${align}/${offset}`).toBe(0);
        }
      }
    }
  });

  it.each([
    ["missing", undefined],
    [
      "refusing to compile (as under a strict Content-Security-Policy)",
      {
        Module: class {
          constructor() {
            throw new Error("WebAssembly.Module(): Wasm code generation disallowed by embedder");
          }
        },
        Instance: class {},
      },
    ],
  ])("falls back to the word loop where WebAssembly is %s", async (_, replacement) => {
    vi.resetModules();
    vi.stubGlobal("WebAssembly", replacement);
    try {
      const fresh = await import("./mask.js");
      const key = hex("5a c3 0f e1");
      const source = pattern(70_001);
      const data = source.slice();
      expect(fresh.maskWithWasm(data, key, 1, data)).toBe(false);
      expect(data).toEqual(source);
      fresh.applyMask(data, key, 1);
      expect(Buffer.compare(data, referenceMask(source, key, 1))).toBe(0);
      const copy = new Uint8Array(source.length);
      fresh.maskInto(source, key, copy);
      expect(Buffer.compare(copy, referenceMask(source, key, 0))).toBe(0);
      const fused = new Uint8Array(source.length).fill(0xcc);
      fresh.maskCopyKey(source, keyNumber(key), 3, fused);
      expect(Buffer.compare(fused, referenceMask(source, key, 3))).toBe(0);
      const inPlace = source.slice();
      fresh.applyMaskKey(inPlace, keyNumber(key), 2);
      expect(Buffer.compare(inPlace, referenceMask(source, key, 2))).toBe(0);
    } finally {
      vi.unstubAllGlobals();
      vi.resetModules();
    }
  });

  it("maskCopyKey (the receiver's fused unmask-and-copy) continues the key from any offset, every target byte written", () => {
    const key = hex("5a c3 0f e1");
    for (const size of [0, 1, 5, 127, 128, 300, 65_536, 65_537, 200_003]) {
      for (let align = 0; align < 4; align++) {
        for (let offset = 0; offset < 4; offset++) {
          const source = pattern(align + size, size).subarray(align);
          const before = source.slice();
          // Dirty, differently aligned memory, as an unzeroed allocator returns it.
          const target = new Uint8Array(size + 2).fill(0xcc).subarray(2);
          maskCopyKey(source, keyNumber(key), offset + 4 * size, target);
          expect(Buffer.compare(source, before)).toBe(0);
          const expected = referenceMask(before, key, offset);
          expect(Buffer.compare(target, expected), `${size}/${align}/${offset}`).toBe(0);
          // The in-place form with the same number key agrees.
          const inPlace = before.slice();
          applyMaskKey(inPlace, keyNumber(key), offset + 4 * size);
          expect(Buffer.compare(inPlace, expected), `in place ${size}/${align}/${offset}`).toBe(0);
        }
      }
    }
  });

  it("maskInto writes the masked bytes to the target and leaves the source alone", () => {
    const key = hex("de ad be ef");
    for (const size of [0, 5, 300, 70_000]) {
      const backing = pattern(size + 1);
      const source = backing.subarray(1);
      const before = source.slice();
      const target = new Uint8Array(size + 3).subarray(3);
      maskInto(source, key, target);
      expect(Buffer.compare(backing.subarray(1), before)).toBe(0);
      expect(Buffer.compare(target, referenceMask(before, key, 0))).toBe(0);
    }
  });
});

describe("MaskKeyPool", () => {
  /** A random source that writes a counter, so every 4-byte slot differs, and records calls. */
  function countingSource() {
    const calls: number[] = [];
    let counter = 0;
    const fill = (target: Uint8Array) => {
      calls.push(target.length);
      const view = new DataView(target.buffer, target.byteOffset, target.length);
      for (let i = 0; i + 4 <= target.length; i += 4) view.setUint32(i, counter++);
    };
    return { fill, calls };
  }

  it("fills lazily, serves 2048 distinct keys per 8 KiB refill, then refills once", () => {
    const source = countingSource();
    const pool = new MaskKeyPool(source.fill);
    expect(source.calls).toEqual([]);
    const seen = new Set<string>();
    for (let i = 0; i < 2048; i++) {
      const key = pool.next();
      expect(key.length).toBe(4);
      seen.add(key.join(","));
    }
    expect(seen.size).toBe(2048);
    expect(source.calls).toEqual([8192]);
    const next = pool.next();
    expect(source.calls).toEqual([8192, 8192]);
    expect(seen.has(next.join(","))).toBe(false);
  });

  it("hands out the injected source's bytes in order", () => {
    const pool = new MaskKeyPool((b) => {
      for (let i = 0; i < b.length; i++) b[i] = i;
    }, 8);
    expect([...pool.next()]).toEqual([0, 1, 2, 3]);
    expect([...pool.next()]).toEqual([4, 5, 6, 7]);
    expect([...pool.next()]).toEqual([0, 1, 2, 3]);
  });

  it("keeps earlier keys intact across a refill", () => {
    const source = countingSource();
    const pool = new MaskKeyPool(source.fill, 8);
    const first = pool.next();
    const copy = first.slice();
    pool.next();
    pool.next(); // refill
    expect(source.calls).toEqual([8, 8]);
    expect(first).toEqual(copy);
  });

  it("refuses a pool size that is not a positive multiple of 4", () => {
    for (const size of [0, 2, 6, -4, 4.5]) {
      expect(() => new MaskKeyPool(undefined, size)).toThrow(InvalidArgumentError);
    }
  });

  it("uses crypto randomness by default", () => {
    const spy = vi.spyOn(globalThis.crypto, "getRandomValues");
    const pool = new MaskKeyPool();
    const keys = new Set<string>();
    for (let i = 0; i < 64; i++) keys.add(pool.next().join(","));
    expect(spy).toHaveBeenCalledTimes(1);
    // 64 keys from 2^32 values: a collision has probability < 1e-6.
    expect(keys.size).toBe(64);
  });
});

describe("defaultRandomFill", () => {
  it("fills large targets in steps of at most 65536 bytes, covering every byte", () => {
    const spy = vi.spyOn(globalThis.crypto, "getRandomValues");
    const target = new Uint8Array(200_000);
    defaultRandomFill(target);
    expect(spy.mock.calls.map(([b]) => (b as Uint8Array).length)).toEqual([
      65536, 65536, 65536, 3392,
    ]);
    // Each step's region is random, not left zero: 4096 zero bytes in a row would be 2^-32768.
    for (let start = 0; start < target.length; start += 65536) {
      const region = target.subarray(start, Math.min(start + 4096, target.length));
      expect(region.some((b) => b !== 0)).toBe(true);
    }
  });
});

describe("maskIntoKey (the key as a 32-bit integer)", () => {
  const keyNumber = (key: Uint8Array) =>
    ((key[0] as number) << 24) |
    ((key[1] as number) << 16) |
    ((key[2] as number) << 8) |
    (key[3] as number);

  it("matches the byte-by-byte definition and maskInto for any key, length and alignment", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 4, maxLength: 4 }),
        fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 65530, max: 140_000 })),
        fc.integer({ min: 0, max: 7 }),
        fc.integer({ min: 0, max: 7 }),
        (key, length, sourceShift, targetShift) => {
          const source = pattern(length + sourceShift, length).subarray(sourceShift);
          const before = source.slice();
          // A canary target: any byte the masking skipped would still read 0xCC.
          const target = new Uint8Array(length + targetShift).fill(0xcc).subarray(targetShift);
          maskIntoKey(source, keyNumber(key), target);
          const expected = referenceMask(before, key, 0);
          expect(Buffer.compare(target, expected)).toBe(0);
          expect(Buffer.compare(source, before)).toBe(0);
          const viaBytes = new Uint8Array(length);
          maskInto(source, key, viaBytes);
          expect(Buffer.compare(viaBytes, expected)).toBe(0);
        },
      ),
      { seed, numRuns: 300 },
    );
  });

  it("nextKey() hands out the same key stream as next(), as 32-bit integers", () => {
    let counter = 0;
    const fill = (target: Uint8Array) => {
      for (let i = 0; i < target.length; i++) target[i] = (counter++ * 97 + 13) & 0xff;
    };
    counter = 0;
    const arrays = new MaskKeyPool(fill, 16);
    const asArrays = Array.from({ length: 20 }, () => keyNumber(arrays.next()));
    counter = 0;
    const numbers = new MaskKeyPool(fill, 16);
    const asNumbers = Array.from({ length: 20 }, () => numbers.nextKey());
    expect(asNumbers).toEqual(asArrays);
    expect(new Set(asNumbers).size).toBe(20);
    // Keys with a high first byte come out negative; the bytes are what count.
    expect(asNumbers.some((key) => key < 0)).toBe(true);
  });
});

describe("maskInto", () => {
  it("refuses a target of another length", () => {
    expect(() => maskInto(new Uint8Array(8), hex("01 02 03 04"), new Uint8Array(7))).toThrow(
      InvalidArgumentError,
    );
  });
});
