/**
 * Base64 (RFC 4648 §4, the standard alphabet with `=` padding) on `Uint8Array`, without
 * `Buffer`, so the protocol core stays portable. Used for `Sec-WebSocket-Key` and
 * `Sec-WebSocket-Accept`, which are short; the code favours strictness over speed.
 *
 * @see https://www.rfc-editor.org/rfc/rfc4648#section-4
 */

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Character code → 6-bit value, or -1 outside the alphabet (codes ≥ 128 are outside too). */
const DECODE = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

/** The 6-bit value of the character at `index` of `text`, or -1 when it is not a base64 digit. */
function digit(text: string, index: number): number {
  const code = text.charCodeAt(index);
  return code < 128 ? (DECODE[code] as number) : -1;
}

/**
 * Encodes bytes as padded base64 with the standard alphabet.
 *
 * @example
 * ```ts
 * encodeBase64(new Uint8Array([1, 2, 3, 4])); // "AQIDBA=="
 * ```
 */
export function encodeBase64(bytes: Uint8Array): string {
  let out = "";
  const whole = bytes.length - (bytes.length % 3);
  for (let i = 0; i < whole; i += 3) {
    const n =
      ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    out +=
      ALPHABET.charAt(n >>> 18) +
      ALPHABET.charAt((n >>> 12) & 63) +
      ALPHABET.charAt((n >>> 6) & 63) +
      ALPHABET.charAt(n & 63);
  }
  const rest = bytes.length - whole;
  if (rest === 1) {
    const n = (bytes[whole] as number) << 16;
    out += `${ALPHABET.charAt(n >>> 18)}${ALPHABET.charAt((n >>> 12) & 63)}==`;
  } else if (rest === 2) {
    const n = ((bytes[whole] as number) << 16) | ((bytes[whole + 1] as number) << 8);
    out += `${ALPHABET.charAt(n >>> 18)}${ALPHABET.charAt((n >>> 12) & 63)}${ALPHABET.charAt((n >>> 6) & 63)}=`;
  }
  return out;
}

/**
 * Decodes padded base64 with the standard alphabet, strictly: the length must be a multiple of
 * 4, `=` may only appear as one or two final padding characters, and no whitespace, URL-safe
 * digits (`-`, `_`) or other characters are accepted. Non-zero bits in the last digit before
 * the padding are tolerated (RFC 4648 §3.5 lets decoders accept them), so every key a client
 * could plausibly send decodes.
 *
 * @returns The bytes, or `null` when `text` is not valid base64.
 *
 * @example
 * ```ts
 * decodeBase64("dGhlIHNhbXBsZSBub25jZQ==")?.length; // 16
 * decodeBase64("not base64"); // null
 * ```
 */
export function decodeBase64(text: string): Uint8Array | null {
  const length = text.length;
  if (length % 4 !== 0) return null;
  const out = new Uint8Array((length / 4) * 3 - paddingOf(text));
  return scanBase64(text, out) < 0 ? null : out;
}

/**
 * The number of bytes {@link decodeBase64} would return for `text`, or `-1` where it would
 * return `null` — the same rules, without making the bytes. The handshake checks that a
 * `Sec-WebSocket-Key` decodes to 16 bytes once per connection; this keeps that check free of
 * an allocation.
 *
 * @example
 * ```ts
 * decodedBase64Length("dGhlIHNhbXBsZSBub25jZQ=="); // 16
 * decodedBase64Length("not base64"); // -1
 * ```
 */
export function decodedBase64Length(text: string): number {
  return scanBase64(text, undefined);
}

/** The `=` padding of `text` (0–2), as {@link decodeBase64} reads it. */
function paddingOf(text: string): number {
  const length = text.length;
  if (length === 0 || text.charCodeAt(length - 1) !== 0x3d) return 0;
  return text.charCodeAt(length - 2) === 0x3d ? 2 : 1;
}

/**
 * Checks `text` as base64 and, given `out` (exactly the decoded size), decodes into it: the one
 * loop of {@link decodeBase64} and {@link decodedBase64Length}. Returns the decoded size, or −1.
 */
function scanBase64(text: string, out: Uint8Array | undefined): number {
  const length = text.length;
  if (length % 4 !== 0) return -1;
  const padding = paddingOf(text);
  const size = (length / 4) * 3 - padding;
  let o = 0;
  for (let i = 0; i < length; i += 4) {
    const last = i + 4 === length;
    const a = digit(text, i);
    const b = digit(text, i + 1);
    const c = last && padding === 2 ? 0 : digit(text, i + 2);
    const d = last && padding >= 1 ? 0 : digit(text, i + 3);
    if ((a | b | c | d) < 0) return -1;
    if (out === undefined) continue;
    const n = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = n >>> 16;
    if (o < size) out[o++] = (n >>> 8) & 0xff;
    if (o < size) out[o++] = n & 0xff;
  }
  return size;
}
