// Text for DataReader.readString and DataWriter.writeString/measureString
// (reference/uwp-api.md §16.4–§16.5): UTF-8, UTF-16LE or UTF-16BE, no BOM, no length prefix.
//
// Both directions are strict. A string that is not well-formed UTF-16 (a lone surrogate) cannot
// be encoded and is refused; bytes that are not valid in the encoding are refused when read.
// Replacing them with U+FFFD instead would silently change data that round-trips through a
// reader and a writer, so we throw InvalidArgumentError (ERR_INVALID_ENCODING) and consume or
// write nothing.
import { invalidEncoding } from "./data-errors.js";

/** Strings at most this long are encoded and decoded in JavaScript; longer ones natively. */
const SHORT = 32;

const encoder = new TextEncoder();
const utf8Decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const utf16leDecoder = new TextDecoder("utf-16le", { fatal: true, ignoreBOM: true });
const utf16beDecoder = new TextDecoder("utf-16be", { fatal: true, ignoreBOM: true });

/**
 * `String.prototype.isWellFormed` (ES2024, in Node ≥ 20): no lone surrogates. Our TypeScript lib
 * is ES2023, hence the cast.
 */
export function isWellFormed(s: string): boolean {
  return (s as unknown as { isWellFormed(): boolean }).isWellFormed();
}

function loneSurrogate(): never {
  throw invalidEncoding("the string has a lone surrogate, so it is not valid Unicode text");
}

/**
 * The UTF-8 length of `s` in bytes.
 * @throws InvalidArgumentError (ERR_INVALID_ENCODING) if `s` has a lone surrogate.
 */
export function measureUtf8(s: string): number {
  const n = s.length;
  let bytes = n;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) {
      bytes += 1;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const next = s.charCodeAt(i + 1);
      if (c > 0xdbff || !(next >= 0xdc00 && next <= 0xdfff)) loneSurrogate();
      // A pair is two code units and four bytes.
      bytes += 2;
      i++;
    } else {
      bytes += 2;
    }
  }
  return bytes;
}

/**
 * Encodes `s` as UTF-8 into `bytes` at `offset`, which must have room for `3 * s.length` bytes,
 * and returns the number of bytes written.
 * @throws InvalidArgumentError (ERR_INVALID_ENCODING) if `s` has a lone surrogate; nothing is
 * considered written then.
 */
export function encodeUtf8Into(s: string, bytes: Uint8Array, offset: number): number {
  const n = s.length;
  if (n > SHORT) {
    if (!isWellFormed(s)) loneSurrogate();
    return encoder.encodeInto(s, bytes.subarray(offset)).written;
  }
  // Short strings: a JavaScript loop beats the call into TextEncoder.
  let p = offset;
  for (let i = 0; i < n; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      bytes[p++] = c;
    } else if (c < 0x800) {
      bytes[p++] = 0xc0 | (c >> 6);
      bytes[p++] = 0x80 | (c & 0x3f);
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const next = s.charCodeAt(i + 1);
      if (c > 0xdbff || !(next >= 0xdc00 && next <= 0xdfff)) loneSurrogate();
      c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
      i++;
      bytes[p++] = 0xf0 | (c >> 18);
      bytes[p++] = 0x80 | ((c >> 12) & 0x3f);
      bytes[p++] = 0x80 | ((c >> 6) & 0x3f);
      bytes[p++] = 0x80 | (c & 0x3f);
    } else {
      bytes[p++] = 0xe0 | (c >> 12);
      bytes[p++] = 0x80 | ((c >> 6) & 0x3f);
      bytes[p++] = 0x80 | (c & 0x3f);
    }
  }
  return p - offset;
}

/**
 * Encodes `s` as UTF-16 code units into `bytes` at `offset` (room for `2 * s.length` bytes) in
 * the given unit order, and returns the number of bytes written.
 * @throws InvalidArgumentError (ERR_INVALID_ENCODING) if `s` has a lone surrogate.
 */
export function encodeUtf16Into(
  s: string,
  bytes: Uint8Array,
  offset: number,
  littleEndian: boolean,
): number {
  if (!isWellFormed(s)) loneSurrogate();
  const n = s.length;
  let p = offset;
  if (littleEndian) {
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      bytes[p++] = c & 0xff;
      bytes[p++] = c >> 8;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      bytes[p++] = c >> 8;
      bytes[p++] = c & 0xff;
    }
  }
  return 2 * n;
}

/**
 * Decodes `bytes[start, end)` as UTF-8. A leading U+FEFF is kept as a character (there is no BOM
 * on this wire).
 * @throws InvalidArgumentError (ERR_INVALID_ENCODING) if the bytes are not valid UTF-8,
 * including a character cut off at `end`.
 */
export function decodeUtf8(bytes: Uint8Array, start: number, end: number): string {
  if (end - start <= SHORT) {
    // Short ASCII runs, the common case of protocol fields, are cheaper to build here.
    let s = "";
    let i = start;
    for (; i < end; i++) {
      const c = bytes[i] as number;
      if (c >= 0x80) break;
      s += String.fromCharCode(c);
    }
    if (i === end) return s;
  }
  try {
    return utf8Decoder.decode(bytes.subarray(start, end));
  } catch (cause) {
    throw invalidEncoding("the bytes are not valid UTF-8", cause);
  }
}

/**
 * Decodes `bytes[start, end)` (an even count) as UTF-16 in the given unit order. A leading
 * U+FEFF is kept as a character.
 * @throws InvalidArgumentError (ERR_INVALID_ENCODING) on a lone surrogate.
 */
export function decodeUtf16(
  bytes: Uint8Array,
  start: number,
  end: number,
  littleEndian: boolean,
): string {
  try {
    return (littleEndian ? utf16leDecoder : utf16beDecoder).decode(bytes.subarray(start, end));
  } catch (cause) {
    throw invalidEncoding(`the bytes are not valid UTF-16${littleEndian ? "LE" : "BE"}`, cause);
  }
}
