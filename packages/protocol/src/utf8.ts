/**
 * UTF-8 validation for text messages and close reasons, exactly as RFC 3629 §4 defines
 * well-formed UTF-8:
 *
 * ```text
 * UTF8-1 = %x00-7F
 * UTF8-2 = %xC2-DF UTF8-tail
 * UTF8-3 = %xE0 %xA0-BF UTF8-tail / %xE1-EC 2( UTF8-tail ) /
 *          %xED %x80-9F UTF8-tail / %xEE-EF 2( UTF8-tail )
 * UTF8-4 = %xF0 %x90-BF 2( UTF8-tail ) / %xF1-F3 3( UTF8-tail ) /
 *          %xF4 %x80-8F 2( UTF8-tail )
 * UTF8-tail = %x80-BF
 * ```
 *
 * So overlong forms (C0, C1, E0 80–9F, F0 80–8F), surrogates (ED A0–BF), code points above
 * U+10FFFF (F4 90–BF, F5–FF) and the old 5- and 6-byte forms (F8–FD) are invalid, while
 * non-characters such as U+FFFE and U+FFFF are valid.
 *
 * Two engines share these rules. {@link scan} validates whole sequences at a time and skips ASCII
 * eight bytes per step through a `Uint32Array` view; it stops at a sequence that the buffer ends
 * in the middle of. The byte-at-a-time state machine of the WHATWG Encoding Standard's UTF-8
 * decoder (a lead byte narrows the range the next byte may take) carries such a sequence across
 * chunk boundaries. Each rejects at the first byte that no valid continuation could follow,
 * which is what makes {@link Utf8Validator} fail fast.
 *
 * @see https://www.rfc-editor.org/rfc/rfc3629#section-4
 * @see https://encoding.spec.whatwg.org/#utf-8-decoder
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-8.1
 */

/**
 * Below this many bytes a word view costs more than it saves. Above 64 bytes also means the
 * array is not one of V8's on-heap typed arrays, whose `.buffer` would have to be moved off-heap.
 */
const WORD_VIEW_THRESHOLD = 65;

/** The high bit of every byte of a 32-bit word, whatever the byte order. */
const HIGH_BITS = 0x8080_8080 | 0;

/**
 * Validates `a[i..n)` sequence by sequence.
 *
 * @returns -1 when an invalid byte is found; otherwise the index where a sequence starts that the
 *   buffer cuts short (at most 3 bytes before `n`), or `n` when every sequence is complete. Bytes
 *   after a returned cut are not checked.
 */
function scan(a: Uint8Array, i: number, n: number): number {
  // A Uint32Array view over the 4-byte aligned part of a[i..n), for skipping ASCII by words.
  let words: Int32Array | undefined;
  let base = i;
  let wordCount = 0;
  if (n - i >= WORD_VIEW_THRESHOLD) {
    base = i + ((4 - ((a.byteOffset + i) & 3)) & 3);
    wordCount = (n - base) >>> 2;
    words = new Int32Array(a.buffer, a.byteOffset + base, wordCount);
  }
  while (i < n) {
    const b = a[i] as number;
    if (b < 0x80) {
      if (words !== undefined && i >= base && ((i - base) & 3) === 0) {
        let w = (i - base) >>> 2;
        while (
          w + 3 < wordCount &&
          (((words[w] as number) |
            (words[w + 1] as number) |
            (words[w + 2] as number) |
            (words[w + 3] as number)) &
            HIGH_BITS) ===
            0
        ) {
          w += 4;
        }
        while (w < wordCount && ((words[w] as number) & HIGH_BITS) === 0) w++;
        const next = base + (w << 2);
        if (next > i) {
          i = next;
          continue;
        }
      }
      i++;
      continue;
    }
    if (b < 0xc2) return -1; // a continuation byte as lead, or the overlong leads C0, C1
    if (b < 0xe0) {
      if (i + 1 >= n) return i;
      if (((a[i + 1] as number) & 0xc0) !== 0x80) return -1;
      i += 2;
      continue;
    }
    if (b < 0xf0) {
      if (i + 2 >= n) return i;
      const c1 = a[i + 1] as number;
      // E0 80–9F would be overlong; ED A0–BF would be a surrogate.
      if (
        b === 0xe0
          ? c1 < 0xa0 || c1 > 0xbf
          : b === 0xed
            ? c1 < 0x80 || c1 > 0x9f
            : (c1 & 0xc0) !== 0x80
      ) {
        return -1;
      }
      if (((a[i + 2] as number) & 0xc0) !== 0x80) return -1;
      i += 3;
      continue;
    }
    if (b < 0xf5) {
      if (i + 3 >= n) return i;
      const c1 = a[i + 1] as number;
      // F0 80–8F would be overlong; F4 90–BF would be above U+10FFFF.
      if (
        b === 0xf0
          ? c1 < 0x90 || c1 > 0xbf
          : b === 0xf4
            ? c1 < 0x80 || c1 > 0x8f
            : (c1 & 0xc0) !== 0x80
      ) {
        return -1;
      }
      if (((a[i + 2] as number) & 0xc0) !== 0x80 || ((a[i + 3] as number) & 0xc0) !== 0x80) {
        return -1;
      }
      i += 4;
      continue;
    }
    return -1; // F5–FF: above U+10FFFF, or the 5- and 6-byte forms, or never used
  }
  return i;
}

/**
 * Where the last sequence of `a[start..n)` starts if the buffer cuts it short, else `n`: looks
 * back over at most three continuation bytes for a lead byte whose sequence is longer than what
 * is left. Bytes that cannot be right either way (a stray continuation byte, F8–FF) are left to
 * whichever check sees them.
 */
function completeEnd(a: Uint8Array, start: number, n: number): number {
  let j = n - 1;
  while (j > start && j > n - 4 && ((a[j] as number) & 0xc0) === 0x80) j--;
  const b = a[j] as number;
  const length = b < 0xc0 ? 1 : b < 0xe0 ? 2 : b < 0xf0 ? 3 : 4;
  return n - j < length ? j : n;
}

/**
 * Whether `bytes` is well-formed UTF-8 as a whole: a sequence cut short at the end is invalid.
 * Pure JavaScript, with an ASCII fast path over 32-bit words.
 *
 * @see https://www.rfc-editor.org/rfc/rfc3629#section-4
 */
export function isValidUtf8(bytes: Uint8Array): boolean {
  return scan(bytes, 0, bytes.length) === bytes.length;
}

/**
 * An incremental UTF-8 validator for a text message that arrives in pieces (fragments, and TCP
 * chunks within them). {@link Utf8Validator.push} returns false in the very call whose bytes make
 * the text invalid, not at the end of the message, so a connection can fail as soon as the
 * invalid bytes arrive.
 *
 * "When an endpoint is to interpret a byte stream as UTF-8 but finds that the byte stream is not,
 * in fact, a valid UTF-8 stream, that endpoint MUST _Fail the WebSocket Connection_. This rule
 * applies both during the opening handshake and during subsequent data exchange."
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-8.1
 */
export class Utf8Validator {
  /** A whole-buffer validator for the complete sequences of each piece, if one was given. */
  readonly #validate: ((bytes: Uint8Array) => boolean) | undefined;
  /** Continuation bytes the current sequence still needs (0 between sequences). */
  #need = 0;
  /** The smallest byte the next continuation byte may be. */
  #lower = 0x80;
  /** The largest byte the next continuation byte may be. */
  #upper = 0xbf;
  /** Set once invalid bytes were seen; sticks until {@link Utf8Validator.reset}. */
  #failed = false;

  /**
   * @param validate - An optional whole-buffer validator with the same rules, typically the
   *   runtime's native one (Node's `buffer.isUtf8`, simdutf): each piece's complete sequences go
   *   to it in one call, and only a sequence cut at either end of the piece is checked here. The
   *   result is the same, fail-fast included; it is only faster on large pieces. Default: the
   *   pure JavaScript {@link isValidUtf8} rules.
   */
  constructor(validate?: (bytes: Uint8Array) => boolean) {
    this.#validate = validate;
  }

  /**
   * Validates the next piece of the message.
   *
   * @returns false as soon as the bytes seen so far cannot begin any valid UTF-8 text (and from
   *   then on until {@link Utf8Validator.reset}); true otherwise, also when a code point is still
   *   incomplete at the end of `bytes`.
   */
  push(bytes: Uint8Array): boolean {
    if (this.#failed) return false;
    const n = bytes.length;
    let i = 0;
    // Finish a sequence an earlier piece started.
    while (this.#need > 0) {
      if (i === n) return true;
      if (!this.#step(bytes[i] as number)) return false;
      i++;
    }
    if (i === n) return true;
    let cut: number;
    if (this.#validate === undefined) {
      cut = scan(bytes, i, n);
    } else {
      cut = completeEnd(bytes, i, n);
      if (cut > i && !this.#validate(i === 0 && cut === n ? bytes : bytes.subarray(i, cut))) {
        cut = -1;
      }
    }
    if (cut < 0) {
      this.#failed = true;
      return false;
    }
    // Carry a sequence this piece ends in the middle of, checking the bytes it already has.
    for (let j = cut; j < n; j++) {
      if (!this.#step(bytes[j] as number)) return false;
    }
    return true;
  }

  /**
   * Ends the message: false when it ended inside a code point (or was invalid already). Resets
   * the validator for the next message either way.
   */
  finish(): boolean {
    const ok = !this.#failed && this.#need === 0;
    this.reset();
    return ok;
  }

  /** Forgets everything seen, ready for a new message. */
  reset(): void {
    this.#need = 0;
    this.#lower = 0x80;
    this.#upper = 0xbf;
    this.#failed = false;
  }

  /** One byte through the WHATWG UTF-8 decoder's state machine; false (and failed) if invalid. */
  #step(b: number): boolean {
    if (this.#need === 0) {
      if (b < 0x80) return true;
      if (b >= 0xc2 && b <= 0xdf) {
        this.#need = 1;
      } else if (b >= 0xe0 && b <= 0xef) {
        if (b === 0xe0) this.#lower = 0xa0;
        else if (b === 0xed) this.#upper = 0x9f;
        this.#need = 2;
      } else if (b >= 0xf0 && b <= 0xf4) {
        if (b === 0xf0) this.#lower = 0x90;
        else if (b === 0xf4) this.#upper = 0x8f;
        this.#need = 3;
      } else {
        this.#failed = true;
        return false;
      }
      return true;
    }
    if (b < this.#lower || b > this.#upper) {
      this.#failed = true;
      return false;
    }
    this.#lower = 0x80;
    this.#upper = 0xbf;
    this.#need--;
    return true;
  }
}
