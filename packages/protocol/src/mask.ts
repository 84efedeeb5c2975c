/**
 * Client-to-server masking (RFC 6455 §5.3): the XOR itself, on 32-bit words, and the pool of
 * crypto-random mask keys.
 *
 * The masking algorithm is `transformed[i] = original[i] ^ key[i % 4]`, where `i` counts from the
 * start of the frame payload. Receivers unmask chunk by chunk as bytes arrive, so
 * {@link applyMask} takes the payload position of `data[0]` and continues the key from there.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-5.3
 */

import { InvalidArgumentError } from "@netsockets/errors";

/** A source of random bytes: fills `target` completely. */
export type RandomFill = (target: Uint8Array) => void;

/**
 * Below this many bytes the byte loop wins: building the word view and the rotated key costs more
 * than it saves.
 */
const WORD_THRESHOLD = 32;

/** Whether this platform stores the low byte of a word first (every mainstream one does). */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * XORs `data` in place with the 4-byte mask `key`. `offset` is the position of `data[0]` within
 * the frame payload, so a payload that arrives in several chunks is unmasked by calling this once
 * per chunk with the running position. Masking twice with the same key and offset restores the
 * bytes.
 *
 * Works on aligned 32-bit words with a byte loop for the unaligned head and the tail.
 *
 * @param data - The bytes to mask or unmask, changed in place.
 * @param key - The masking key; only `key[0..3]` is read.
 * @param offset - The payload position of `data[0]` (a non-negative integer).
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-5.3
 */
export function applyMask(data: Uint8Array, key: Uint8Array, offset = 0): void {
  const length = data.length;
  const k0 = key[0] as number;
  const k1 = key[1] as number;
  const k2 = key[2] as number;
  const k3 = key[3] as number;
  if (length < WORD_THRESHOLD) {
    maskBytes(data, 0, length, k0, k1, k2, k3, offset);
    return;
  }
  // The head: bytes before the first 4-byte aligned address in the underlying buffer.
  const head = (4 - (data.byteOffset & 3)) & 3;
  maskBytes(data, 0, head, k0, k1, k2, k3, offset);
  const words = (length - head) >>> 2;
  const view = new Uint32Array(data.buffer, data.byteOffset + head, words);
  // The key word, rotated so that its first byte lands on payload position offset + head.
  const s = (offset + head) & 3;
  const b0 = s === 0 ? k0 : s === 1 ? k1 : s === 2 ? k2 : k3;
  const b1 = s === 0 ? k1 : s === 1 ? k2 : s === 2 ? k3 : k0;
  const b2 = s === 0 ? k2 : s === 1 ? k3 : s === 2 ? k0 : k1;
  const b3 = s === 0 ? k3 : s === 1 ? k0 : s === 2 ? k1 : k2;
  const m = LITTLE_ENDIAN
    ? (b0 | (b1 << 8) | (b2 << 16) | (b3 << 24)) >>> 0
    : ((b0 << 24) | (b1 << 16) | (b2 << 8) | b3) >>> 0;
  xorWords(view, words, m);
  const done = head + words * 4;
  maskBytes(data, done, length, k0, k1, k2, k3, offset + done);
}

/** XORs `view[0..words)` with `m`, unrolled by four. */
function xorWords(view: Uint32Array, words: number, m: number): void {
  let w = 0;
  const end4 = words - (words & 3);
  while (w < end4) {
    view[w] = (view[w] as number) ^ m;
    view[w + 1] = (view[w + 1] as number) ^ m;
    view[w + 2] = (view[w + 2] as number) ^ m;
    view[w + 3] = (view[w + 3] as number) ^ m;
    w += 4;
  }
  while (w < words) {
    view[w] = (view[w] as number) ^ m;
    w++;
  }
}

/** The byte loop: masks `data[from..to)`, where `data[from]` sits at payload position `pos`. */
function maskBytes(
  data: Uint8Array,
  from: number,
  to: number,
  k0: number,
  k1: number,
  k2: number,
  k3: number,
  pos: number,
): void {
  for (let i = from, p = pos & 3; i < to; i++, p = (p + 1) & 3) {
    data[i] = (data[i] as number) ^ (p === 0 ? k0 : p === 1 ? k1 : p === 2 ? k2 : k3);
  }
}

/** `getRandomValues` refuses more than 65536 bytes per call. */
const MAX_RANDOM_STEP = 65_536;

/**
 * Fills `target` with cryptographically strong random bytes from
 * `globalThis.crypto.getRandomValues`, in steps of at most 65536 bytes (the Web Crypto limit).
 *
 * "The masking key MUST be derived from a strong source of entropy."
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-10.3
 */
export function defaultRandomFill(target: Uint8Array): void {
  for (let start = 0; start < target.length; start += MAX_RANDOM_STEP) {
    globalThis.crypto.getRandomValues(
      target.subarray(start, Math.min(start + MAX_RANDOM_STEP, target.length)),
    );
  }
}

/**
 * Hands out 4-byte mask keys from a pool of random bytes, so one call to the random source
 * serves many frames (the default 8 KiB pool serves 2048 keys, as ws does). The pool is filled
 * lazily on the first {@link MaskKeyPool.next} call, and every key is a distinct slice of it: no
 * key is handed out twice before the next refill.
 *
 * A refill allocates a new pool instead of overwriting the old one, so a key handed out earlier
 * keeps its bytes for as long as its holder keeps it.
 */
export class MaskKeyPool {
  readonly #randomFill: RandomFill;
  readonly #poolSize: number;
  #pool: Uint8Array | undefined;
  #next = 0;

  /**
   * @param randomFill - The random source; default {@link defaultRandomFill}. Inject one for
   *   tests and benchmarks only: predictable masks enable the cache-poisoning attack RFC 6455
   *   §10.3 describes.
   * @param poolSize - Bytes fetched per refill, a positive multiple of 4; default 8192.
   */
  constructor(randomFill: RandomFill = defaultRandomFill, poolSize = 8192) {
    if (!Number.isInteger(poolSize) || poolSize < 4 || poolSize % 4 !== 0) {
      throw new InvalidArgumentError(`poolSize must be a positive multiple of 4, got ${poolSize}`);
    }
    this.#randomFill = randomFill;
    this.#poolSize = poolSize;
  }

  /** The next mask key: 4 bytes, a view into the pool. */
  next(): Uint8Array {
    let pool = this.#pool;
    if (pool === undefined || this.#next === pool.length) {
      pool = new Uint8Array(this.#poolSize);
      this.#randomFill(pool);
      this.#pool = pool;
      this.#next = 0;
    }
    const start = this.#next;
    this.#next = start + 4;
    return pool.subarray(start, start + 4);
  }
}
