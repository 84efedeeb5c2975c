/**
 * Client-to-server masking (RFC 6455 §5.3): the XOR itself, on 32-bit words, and the pool of
 * crypto-random mask keys.
 *
 * The masking algorithm is `transformed[i] = original[i] ^ key[i % 4]`, where `i` counts from the
 * start of the frame payload. Receivers unmask chunk by chunk as bytes arrive, so
 * {@link applyMask} takes the payload position of `data[0]` and continues the key from there.
 *
 * Three engines, chosen by size: a byte loop (four bytes per step), a loop over 32-bit words, and
 * a 140-byte WebAssembly SIMD kernel (XOR 16 bytes per instruction). The kernel is what reaches
 * native speed on large payloads; the word loop is the fallback where WebAssembly is unavailable.
 * Credit: the head/word/tail split follows ws `buffer-util.js` and bufferutil.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-5.3
 */

import { InvalidArgumentError } from "@netsockets/errors";

/** A source of random bytes: fills `target` completely. */
export type RandomFill = (target: Uint8Array) => void;

/** Below this many bytes the byte loop wins: building a word view costs more than it saves. */
const WORD_THRESHOLD = 128;

/**
 * From this many bytes on, the WASM SIMD kernel beats the JavaScript loops despite its two extra
 * copies (measured on Node 20, x86-64: about 1.2× at 128 bytes, 4× at 64 KiB).
 */
const WASM_THRESHOLD = 128;

/** The WASM kernel's scratch block: 64 KiB. A multiple of 64 and of 4. */
const BLOCK = 65_536;

/**
 * Where in the kernel's memory the blocks of copies from {@link SCRATCH_FROM} bytes on start:
 * mid-page, not at the page-aligned address 0. glibc's `memcpy` (2.36, Debian 12) copies such
 * sizes with `rep movsb`, which on AMD Zen 3 and Zen 4 runs 20–30× slower when the destination
 * lies a few bytes past the source modulo 4096 (measured here: 38 µs instead of 1.3–2 µs per
 * 64 KiB, 16 bytes past). Large `ArrayBuffer`s usually start 16 bytes past a page boundary (glibc
 * puts its chunk header there), so copying out of a page-aligned block into one — a client's
 * masked copy, a gathered frame — sat at that distance: timed inside a client sending 64 KiB
 * messages, the copy out took 30–46 µs, more than everything else it spent per message. From mid-page, the usual distances are about 2 KiB away. A
 * multiple of 64, so blocks keep the key phase and the XOR's 64-byte steps (the kernel XORs from
 * address 0: the 2 KiB before the block are scratch too).
 */
const SCRATCH_BASE = 2048;

/** Copies of this many bytes and more use {@link SCRATCH_BASE}; shorter ones stay below `rep movsb`. */
const SCRATCH_FROM = 2048;

/**
 * XORs `data` in place with the 4-byte mask `key`. `offset` is the position of `data[0]` within
 * the frame payload, so a payload that arrives in several chunks is unmasked by calling this once
 * per chunk with the running position. Masking twice with the same key and offset restores the
 * bytes.
 *
 * Inputs under 128 bytes take the byte loop, larger ones the WebAssembly SIMD kernel where the
 * runtime allows WebAssembly, else a loop over 32-bit words (an `Int32Array` view of the aligned
 * middle, bytes for the unaligned head and the tail).
 *
 * @param data - The bytes to mask or unmask, changed in place.
 * @param key - The masking key; only `key[0..3]` is read.
 * @param offset - The payload position of `data[0]` (a non-negative integer).
 * @throws InvalidArgumentError when `key` has fewer than 4 bytes.
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-5.3
 */
export function applyMask(data: Uint8Array, key: Uint8Array, offset = 0): void {
  checkKey(key);
  if (data.length >= WASM_THRESHOLD && maskWithWasm(data, key, offset, data)) return;
  maskWithWords(data, key, offset);
}

/**
 * Writes `source` masked with `key` (from payload position 0) into `target`, leaving `source`
 * untouched: the sender's one-pass masked copy (ws's `mask(source, key, output, offset,
 * length)` with `output.subarray(offset)`), without a separate copy before an in-place
 * {@link applyMask}. Every byte of `target` is written.
 *
 * @param source - The bytes to mask.
 * @param key - The masking key; only `key[0..3]` is read.
 * @param target - Where the masked bytes go: exactly `source.length` bytes, not overlapping
 *   `source` (unless it is the very same array).
 * @throws InvalidArgumentError when `key` has fewer than 4 bytes or the lengths differ.
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-5.3
 */
export function maskInto(source: Uint8Array, key: Uint8Array, target: Uint8Array): void {
  checkKey(key);
  if (target.length !== source.length) {
    throw new InvalidArgumentError(
      `target must have the source's ${source.length} bytes, got ${target.length}`,
    );
  }
  maskIntoKey(
    source,
    ((key[0] as number) << 24) |
      ((key[1] as number) << 16) |
      ((key[2] as number) << 8) |
      (key[3] as number),
    target,
  );
}

/**
 * {@link applyMask} with the key as one 32-bit integer whose most significant byte is the key's
 * first byte (how the frame parser keeps the key it read: no key array per connection).
 *
 * @internal
 */
export function applyMaskKey(data: Uint8Array, key: number, offset: number): void {
  const k0 = key >>> 24;
  const k1 = (key >>> 16) & 0xff;
  const k2 = (key >>> 8) & 0xff;
  const k3 = key & 0xff;
  if (data.length >= WASM_THRESHOLD && maskWithWasmBytes(data, k0, k1, k2, k3, offset, data)) {
    return;
  }
  maskWordsFrom(data, k0, k1, k2, k3, offset);
}

/**
 * Writes `source`, whose first byte sits at payload position `offset`, masked (or unmasked) with
 * `key` (a 32-bit integer, see {@link applyMaskKey}) into `target`, leaving `source` untouched:
 * the receiver's fused unmask-and-copy, for a frame gathered from several transport chunks into
 * one array. Through the WebAssembly kernel that is copy in, XOR, copy out into `target`: one
 * pass less than unmasking each chunk in place and copying it afterwards. Every byte of `target`
 * is written.
 *
 * @param target - Exactly `source.length` bytes, not overlapping `source`.
 * @internal
 */
export function maskCopyKey(
  source: Uint8Array,
  key: number,
  offset: number,
  target: Uint8Array,
): void {
  const k0 = key >>> 24;
  const k1 = (key >>> 16) & 0xff;
  const k2 = (key >>> 8) & 0xff;
  const k3 = key & 0xff;
  if (
    source.length >= WASM_THRESHOLD &&
    maskWithWasmBytes(source, k0, k1, k2, k3, offset, target)
  ) {
    return;
  }
  target.set(source);
  maskWordsFrom(target, k0, k1, k2, k3, offset);
}

/**
 * {@link maskInto} with the key as one 32-bit integer whose most significant byte is the key's
 * first byte (`key[0] << 24 | key[1] << 16 | key[2] << 8 | key[3]`, as {@link MaskKeyPool.nextKey}
 * returns it): no key array is needed per frame. Every byte of `target` is written.
 *
 * @internal
 */
export function maskIntoKey(source: Uint8Array, key: number, target: Uint8Array): void {
  const length = source.length;
  const k0 = key >>> 24;
  const k1 = (key >>> 16) & 0xff;
  const k2 = (key >>> 8) & 0xff;
  const k3 = key & 0xff;
  if (length < WORD_THRESHOLD) {
    // One pass, four bytes per step: read, XOR, write.
    let i = 0;
    for (const end = length - 3; i < end; i += 4) {
      target[i] = (source[i] as number) ^ k0;
      target[i + 1] = (source[i + 1] as number) ^ k1;
      target[i + 2] = (source[i + 2] as number) ^ k2;
      target[i + 3] = (source[i + 3] as number) ^ k3;
    }
    if (i < length) target[i] = (source[i] as number) ^ k0;
    if (i + 1 < length) target[i + 1] = (source[i + 1] as number) ^ k1;
    if (i + 2 < length) target[i + 2] = (source[i + 2] as number) ^ k2;
    return;
  }
  if (maskWithWasmWord(source, keyWord(k0, k1, k2, k3, 0, true), target)) return;
  target.set(source);
  maskWordsFrom(target, k0, k1, k2, k3, 0);
}

/**
 * Masks `source` (from payload position 0) into `bytes[at .. at + source.length)`, where `at` is
 * a multiple of 4 and `words` is an `Int32Array` over the same buffer as `bytes` (both starting
 * at its byte 0): four source bytes are read, joined and XORed, and written as one word, so
 * there is no per-call view. For the serializer's small frames, whose slab provides both arrays.
 * Every byte of the destination range is written.
 *
 * @internal
 */
export function maskIntoWords(
  source: Uint8Array,
  key: number,
  bytes: Uint8Array,
  words: Int32Array,
  at: number,
): void {
  const length = source.length;
  if (!LITTLE_ENDIAN) {
    maskIntoKey(source, key, bytes.subarray(at, at + length));
    return;
  }
  // The key as the word whose first byte in memory is key[0].
  const m = (key >>> 24) | ((key >>> 8) & 0xff00) | ((key << 8) & 0xff0000) | (key << 24);
  const full = length & ~3;
  let w = at >>> 2;
  let i = 0;
  for (; i < full; i += 4) {
    words[w++] =
      ((source[i] as number) |
        ((source[i + 1] as number) << 8) |
        ((source[i + 2] as number) << 16) |
        ((source[i + 3] as number) << 24)) ^
      m;
  }
  // The tail: fewer than four bytes, key bytes 0, 1, 2 in order.
  if (i < length) bytes[at + i] = (source[i] as number) ^ (key >>> 24);
  if (i + 1 < length) bytes[at + i + 1] = (source[i + 1] as number) ^ ((key >>> 16) & 0xff);
  if (i + 2 < length) bytes[at + i + 2] = (source[i + 2] as number) ^ ((key >>> 8) & 0xff);
}

/** A key shorter than 4 bytes would silently leave bytes unmasked (`x ^ undefined` is `x`). */
function checkKey(key: Uint8Array): void {
  if (key.length < 4) {
    throw new InvalidArgumentError(`a masking key has 4 bytes, got ${key.length}`);
  }
}

/**
 * The portable path of {@link applyMask}: a byte loop for short inputs, else 32-bit words over
 * the aligned middle. Exported for the tests that compare it with the WASM path.
 *
 * @internal
 */
export function maskWithWords(data: Uint8Array, key: Uint8Array, offset: number): void {
  maskWordsFrom(
    data,
    key[0] as number,
    key[1] as number,
    key[2] as number,
    key[3] as number,
    offset,
  );
}

/** {@link maskWithWords} with the key as four bytes. */
function maskWordsFrom(
  data: Uint8Array,
  k0: number,
  k1: number,
  k2: number,
  k3: number,
  offset: number,
): void {
  const length = data.length;
  if (length < WORD_THRESHOLD) {
    maskBytes(data, 0, length, k0, k1, k2, k3, offset);
    return;
  }
  // The head: bytes before the first 4-byte aligned address in the underlying buffer.
  const head = (4 - (data.byteOffset & 3)) & 3;
  maskBytes(data, 0, head, k0, k1, k2, k3, offset);
  const words = (length - head) >>> 2;
  // Int32Array, not Uint32Array: V8 keeps int32 values in registers, while uint32 values above
  // 2^31 become doubles, which halves the speed of the loop.
  const view = new Int32Array(data.buffer, data.byteOffset + head, words);
  xorWords(view, words, keyWord(k0, k1, k2, k3, offset + head, LITTLE_ENDIAN));
  const done = head + words * 4;
  maskBytes(data, done, length, k0, k1, k2, k3, offset + done);
}

/** Whether this platform stores the low byte of a word first (every mainstream one does). */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * The key as one 32-bit word whose first byte in memory is the key byte for payload position
 * `position`, in the given byte order.
 */
function keyWord(
  k0: number,
  k1: number,
  k2: number,
  k3: number,
  position: number,
  littleEndian: boolean,
): number {
  const s = position & 3;
  const b0 = s === 0 ? k0 : s === 1 ? k1 : s === 2 ? k2 : k3;
  const b1 = s === 0 ? k1 : s === 1 ? k2 : s === 2 ? k3 : k0;
  const b2 = s === 0 ? k2 : s === 1 ? k3 : s === 2 ? k0 : k1;
  const b3 = s === 0 ? k3 : s === 1 ? k0 : s === 2 ? k1 : k2;
  return littleEndian
    ? b0 | (b1 << 8) | (b2 << 16) | (b3 << 24)
    : (b0 << 24) | (b1 << 16) | (b2 << 8) | b3;
}

/** XORs `view[0..words)` with `m`, unrolled by four. */
function xorWords(view: Int32Array, words: number, m: number): void {
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

/**
 * The byte loop: masks `data[from..to)`, where `data[from]` sits at payload position `pos`, four
 * bytes per step with the key bytes rotated into place beforehand.
 */
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
  const s = pos & 3;
  const b0 = s === 0 ? k0 : s === 1 ? k1 : s === 2 ? k2 : k3;
  const b1 = s === 0 ? k1 : s === 1 ? k2 : s === 2 ? k3 : k0;
  const b2 = s === 0 ? k2 : s === 1 ? k3 : s === 2 ? k0 : k1;
  const b3 = s === 0 ? k3 : s === 1 ? k0 : s === 2 ? k1 : k2;
  let i = from;
  for (const end = to - 3; i < end; i += 4) {
    data[i] = (data[i] as number) ^ b0;
    data[i + 1] = (data[i + 1] as number) ^ b1;
    data[i + 2] = (data[i + 2] as number) ^ b2;
    data[i + 3] = (data[i + 3] as number) ^ b3;
  }
  if (i < to) data[i] = (data[i] as number) ^ b0;
  if (i + 1 < to) data[i + 1] = (data[i + 1] as number) ^ b1;
  if (i + 2 < to) data[i + 2] = (data[i + 2] as number) ^ b2;
}

/**
 * The WASM kernel, hand-assembled (140 bytes). WebAssembly cannot reach JavaScript memory, so
 * the caller copies each 64 KiB block into the module's memory (at {@link SCRATCH_BASE} from
 * 2 KiB on), calls `x`, and copies it back; those two copies run at memcpy speed, and the XOR
 * itself at 16 bytes per SIMD instruction.
 * Bytes past the end of a block are XORed too (the length is rounded up to 64): they are
 * scratch and never copied back. The text form:
 *
 * ```wat
 * (module
 *   (memory (export "m") 2)
 *   ;; memory[0 .. n) ^= key repeated; n is a multiple of 64
 *   (func (export "x") (param $n i32) (param $key i32) (local $i i32) (local $k v128)
 *     (local.set $k (i32x4.splat (local.get $key)))
 *     (block $done
 *       (loop $next
 *         (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
 *         (v128.store offset=0 (local.get $i)
 *           (v128.xor (v128.load offset=0 (local.get $i)) (local.get $k)))
 *         ;; … the same with offset=16, offset=32 and offset=48 …
 *         (local.set $i (i32.add (local.get $i) (i32.const 64)))
 *         (br $next)))))
 * ```
 */
// biome-ignore format: one line per section or instruction
const MASK_WASM = Uint8Array.of(
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // "\0asm", version 1
  0x01, 0x06, 0x01, 0x60, 0x02, 0x7f, 0x7f, 0x00, // type section: (func (param i32 i32))
  0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
  0x05, 0x03, 0x01, 0x00, 0x02, // memory section: one memory, min 2 pages
  0x07, 0x09, 0x02, 0x01, 0x6d, 0x02, 0x00, 0x01, 0x78, 0x00, 0x00, // exports "m" (memory 0), "x" (func 0)
  0x0a, 0x65, 0x01, 0x63, // code section: one body of 99 bytes
  0x02, 0x01, 0x7f, 0x01, 0x7b, // locals: $i i32, $k v128
  0x20, 0x01, 0xfd, 0x11, 0x21, 0x03, // local.set $k (i32x4.splat (local.get $key))
  0x02, 0x40, 0x03, 0x40, // block, loop
  0x20, 0x02, 0x20, 0x00, 0x4f, 0x0d, 0x01, // br_if 1 (i32.ge_u $i $n)
  0x20, 0x02, 0x20, 0x02, 0xfd, 0x00, 0x04, 0x00, 0x20, 0x03, 0xfd, 0x51, 0xfd, 0x0b, 0x04, 0x00, // v128 at $i+0 ^= $k
  0x20, 0x02, 0x20, 0x02, 0xfd, 0x00, 0x04, 0x10, 0x20, 0x03, 0xfd, 0x51, 0xfd, 0x0b, 0x04, 0x10, // v128 at $i+16 ^= $k
  0x20, 0x02, 0x20, 0x02, 0xfd, 0x00, 0x04, 0x20, 0x20, 0x03, 0xfd, 0x51, 0xfd, 0x0b, 0x04, 0x20, // v128 at $i+32 ^= $k
  0x20, 0x02, 0x20, 0x02, 0xfd, 0x00, 0x04, 0x30, 0x20, 0x03, 0xfd, 0x51, 0xfd, 0x0b, 0x04, 0x30, // v128 at $i+48 ^= $k
  0x20, 0x02, 0x41, 0xc0, 0x00, 0x6a, 0x21, 0x02, // local.set $i (i32.add $i 64)
  0x0c, 0x00, 0x0b, 0x0b, 0x0b, // br 0, end loop, end block, end func
);

/** The part of the WebAssembly JS API the kernel needs (the ES lib has no WebAssembly types). */
interface WebAssemblyApi {
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object) => { readonly exports: Record<string, unknown> };
}

/** The instantiated kernel: its memory as bytes, and the XOR function. */
interface MaskKernel {
  readonly memory: Uint8Array;
  /** A whole block's bytes: `memory[SCRATCH_BASE .. SCRATCH_BASE + BLOCK)`. */
  readonly block: Uint8Array;
  readonly xor: (length: number, keyWord: number) => void;
}

/**
 * The kernel, instantiated on first use: `undefined` before, `null` where WebAssembly is missing
 * or refused (no SIMD, a Content-Security-Policy without 'wasm-unsafe-eval'). It is scratch space
 * only: every call overwrites what it uses, and nothing is kept between calls.
 */
let kernel: MaskKernel | null | undefined;

function loadKernel(): MaskKernel | null {
  try {
    const api = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;
    if (api === undefined) return null;
    // Synchronous compilation is fine for a module this small, also on a browser's main thread.
    const { exports } = new api.Instance(new api.Module(MASK_WASM));
    const memory = new Uint8Array((exports.m as { buffer: ArrayBuffer }).buffer);
    const xor = exports.x as (length: number, keyWord: number) => void;
    return { memory, block: memory.subarray(SCRATCH_BASE, SCRATCH_BASE + BLOCK), xor };
  } catch {
    return null;
  }
}

/**
 * The WASM path of {@link applyMask}: masks `source` into `target` (the same array for in-place
 * masking, or one of the same length), block by block through the kernel's memory. Returns false,
 * having done nothing, where WebAssembly is unavailable. Exported for the tests that compare it
 * with the portable path.
 *
 * @internal
 */
export function maskWithWasm(
  source: Uint8Array,
  key: Uint8Array,
  offset: number,
  target: Uint8Array,
): boolean {
  return maskWithWasmBytes(
    source,
    key[0] as number,
    key[1] as number,
    key[2] as number,
    key[3] as number,
    offset,
    target,
  );
}

/** {@link maskWithWasm} with the key as four bytes. */
function maskWithWasmBytes(
  source: Uint8Array,
  k0: number,
  k1: number,
  k2: number,
  k3: number,
  offset: number,
  target: Uint8Array,
): boolean {
  // WebAssembly memory is little-endian on every platform. BLOCK is a multiple of 4, so every
  // block starts at the same key phase.
  return maskWithWasmWord(source, keyWord(k0, k1, k2, k3, offset, true), target);
}

/** {@link maskWithWasm} with the key already rotated into a little-endian word. */
function maskWithWasmWord(source: Uint8Array, word: number, target: Uint8Array): boolean {
  if (kernel === undefined) kernel = loadKernel();
  if (kernel === null) return false;
  const { memory, block, xor } = kernel;
  const length = source.length;
  if (length < SCRATCH_FROM) {
    memory.set(source);
    xor((length + 63) & ~63, word);
    target.set(memory.subarray(0, length));
    return true;
  }
  if (length <= BLOCK) {
    memory.set(source, SCRATCH_BASE);
    xor(SCRATCH_BASE + ((length + 63) & ~63), word);
    target.set(length === BLOCK ? block : memory.subarray(SCRATCH_BASE, SCRATCH_BASE + length));
    return true;
  }
  for (let at = 0; at < length; at += BLOCK) {
    const end = Math.min(at + BLOCK, length);
    const size = end - at;
    memory.set(source.subarray(at, end), SCRATCH_BASE);
    xor(SCRATCH_BASE + ((size + 63) & ~63), word);
    target.set(size === BLOCK ? block : memory.subarray(SCRATCH_BASE, SCRATCH_BASE + size), at);
  }
  return true;
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
    const start = this.#take();
    const pool = this.#pool as Uint8Array;
    // The constructor, not subarray(): half the cost (no species lookup), once per frame.
    return new Uint8Array(pool.buffer, pool.byteOffset + start, 4);
  }

  /**
   * The next mask key as one 32-bit integer, `key[0] << 24 | key[1] << 16 | key[2] << 8 |
   * key[3]` (negative when `key[0] >= 0x80`): the same stream of keys as {@link MaskKeyPool.next}
   * without an array per key, for the serializer's own use.
   *
   * @internal
   */
  nextKey(): number {
    const start = this.#take();
    const pool = this.#pool as Uint8Array;
    return (
      ((pool[start] as number) << 24) |
      ((pool[start + 1] as number) << 16) |
      ((pool[start + 2] as number) << 8) |
      (pool[start + 3] as number)
    );
  }

  /** Reserves the next 4 bytes of the pool (refilling it first when used up); their start. */
  #take(): number {
    let pool = this.#pool;
    if (pool === undefined || this.#next === pool.length) {
      pool = new Uint8Array(this.#poolSize);
      this.#randomFill(pool);
      this.#pool = pool;
      this.#next = 0;
    }
    const start = this.#next;
    this.#next = start + 4;
    return start;
  }
}
