/**
 * Byte helpers for tests: hex in and out, joining, and chunk splitters that feed the same bytes
 * in different TCP-like pieces.
 */

/**
 * Parses hex into bytes. Whitespace, `:` and `_` are ignored, so vectors can be written in
 * groups: `hex("81 05 48 65 6c 6c 6f")`.
 *
 * @throws Error for an odd number of digits or a non-hex character.
 */
export function hex(text: string): Uint8Array {
  const digits = text.replace(/[\s:_]/g, "");
  if (digits.length % 2 !== 0 || /[^0-9a-fA-F]/.test(digits)) {
    throw new Error(`not a hex string: ${JSON.stringify(text)}`);
  }
  const bytes = new Uint8Array(digits.length / 2);
  for (let i = 0; i < bytes.length; i++) {
    bytes[i] = Number.parseInt(digits.slice(2 * i, 2 * i + 2), 16);
  }
  return bytes;
}

/** Formats bytes as lower-case hex without separators. */
export function toHex(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes) text += byte.toString(16).padStart(2, "0");
  return text;
}

/** Joins byte arrays into one new array. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** UTF-8 bytes of a string. */
export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/**
 * Splits `bytes` into copies of `size` bytes each (the last may be shorter). Copies, because a
 * Connection owns and unmasks in place what it receives.
 */
export function splitEvery(bytes: Uint8Array, size: number): Uint8Array[] {
  if (!Number.isInteger(size) || size < 1) throw new Error(`bad chunk size ${size}`);
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.slice(at, at + size));
  return chunks;
}

/**
 * A small deterministic PRNG (mulberry32): the same seed gives the same numbers on every run.
 * Returns a function yielding floats in [0, 1).
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Splits `bytes` into copies of random sizes from 1 to `maxSize`, reproducibly from `seed`. */
export function splitRandom(bytes: Uint8Array, seed: number, maxSize = 64): Uint8Array[] {
  const random = seededRandom(seed);
  const chunks: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.length) {
    const size = 1 + Math.floor(random() * maxSize);
    chunks.push(bytes.slice(at, at + size));
    at += size;
  }
  return chunks;
}
