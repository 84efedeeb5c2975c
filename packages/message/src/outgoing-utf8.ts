import { isUtf8 } from "node:buffer";
import { Utf8Validator } from "@netsockets/protocol";

const EMPTY = new Uint8Array(0);

/** The length of the UTF-8 sequence a lead byte starts (1 for anything that is not a lead). */
function sequenceLength(lead: number): number {
  if (lead >= 0xf0) return 4;
  if (lead >= 0xe0) return 3;
  if (lead >= 0xc0) return 2;
  return 1;
}

/**
 * Where a code point that `bytes` ends in the middle of starts (`bytes.length` when it ends on a
 * boundary). Looks back at most 3 bytes; anything malformed is left to the full check.
 */
function incompleteTail(bytes: Uint8Array): number {
  const n = bytes.length;
  for (let i = n - 1; i >= 0 && i >= n - 3; i--) {
    const b = bytes[i] as number;
    if (b < 0x80) return n;
    if (b >= 0xc0) return n - i < sequenceLength(b) ? i : n;
  }
  return n;
}

/** Whether `bytes` can begin valid UTF-8 (a complete prefix or a sequence cut short). Small inputs only. */
function validPrefix(bytes: Uint8Array): boolean {
  return new Utf8Validator().push(bytes);
}

/**
 * Validates an outgoing text message sent in frames (`sendNonfinalFrameAsync` …
 * `sendFinalFrameAsync`), where a frame may end inside a code point. The bulk of each frame goes
 * through Node's native `buffer.isUtf8`; only the at most 3 bytes of a code point cut by a frame
 * boundary are carried over (copied) and checked by hand.
 *
 * "When an endpoint is to interpret a byte stream as UTF-8 but finds that the byte stream is not,
 * in fact, a valid UTF-8 stream, that endpoint MUST _Fail the WebSocket Connection_." — so a
 * netsockets sender refuses to put invalid text on the wire instead of having the peer fail us.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-8.1
 */
export class OutgoingUtf8 {
  /** The start of a code point the previous frame ended inside (≤ 3 bytes). */
  #carry: Uint8Array = EMPTY;

  /**
   * Checks the next frame without committing; returns the carry to {@link commit} when the frame
   * is valid, `undefined` when it is not.
   */
  check(bytes: Uint8Array, fin: boolean): Uint8Array | undefined {
    let rest = bytes;
    const carry = this.#carry;
    if (carry.length > 0) {
      const need = sequenceLength(carry[0] as number) - carry.length;
      const take = Math.min(need, bytes.length);
      const head = new Uint8Array(carry.length + take);
      head.set(carry);
      head.set(bytes.subarray(0, take), carry.length);
      if (take < need) {
        // The frame did not even finish the carried code point.
        if (fin || !validPrefix(head)) return undefined;
        return head;
      }
      if (!isUtf8(head)) return undefined;
      rest = bytes.subarray(take);
    }
    const tail = incompleteTail(rest);
    if (!isUtf8(rest.subarray(0, tail))) return undefined;
    if (tail === rest.length) return EMPTY;
    if (fin) return undefined;
    const next = rest.slice(tail);
    return validPrefix(next) ? next : undefined;
  }

  /** Accepts the frame {@link check} approved. */
  commit(carry: Uint8Array): void {
    this.#carry = carry;
  }

  /** Forgets a message in progress. */
  reset(): void {
    this.#carry = EMPTY;
  }
}
