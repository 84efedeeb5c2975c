/**
 * What a benchmark consumer does with each delivered message: counts it, adds up its bytes, and
 * reads its first and last byte into a fingerprint — the same few operations for every
 * implementation, cheap enough not to blur the comparison, and enough to notice wrong output.
 * In check mode (the smoke test) every message is also compared byte for byte with the one sent.
 */

/** Fingerprint of one message, independent of how it was split into pieces. */
function messageFingerprint(length: number, first: number, last: number): number {
  return (length + first * 3 + last * 7) >>> 0;
}

/** The fingerprint sum of `payloads` delivered in order. */
export function expectedFingerprint(payloads: readonly Uint8Array[]): number {
  let sum = 0;
  for (const p of payloads) {
    const n = p.length;
    sum =
      (sum +
        messageFingerprint(
          n,
          n === 0 ? 0 : (p[0] as number),
          n === 0 ? 0 : (p[n - 1] as number),
        )) >>>
      0;
  }
  return sum;
}

/** Counts delivered messages; see the module comment. */
export class Tally {
  messages = 0;
  bytes = 0;
  fingerprint = 0;
  readonly #expected: readonly Uint8Array[] | undefined;
  #pieces: Uint8Array[] = [];
  #length = 0;
  #first = -1;
  #last = 0;

  /** @param expected - When given (check mode), the payloads every batch must deliver, in order. */
  constructor(expected?: readonly Uint8Array[]) {
    this.#expected = expected;
  }

  /** Starts a new batch. */
  reset(): void {
    this.messages = 0;
    this.bytes = 0;
    this.fingerprint = 0;
  }

  /** A whole message arrived. */
  message(data: Uint8Array): void {
    this.piece(data, true, true);
  }

  /** A piece of a message arrived (`started`: its first piece; `finished`: its last). */
  piece(data: Uint8Array, started: boolean, finished: boolean): void {
    if (started) {
      this.#length = 0;
      this.#first = -1;
      this.#last = 0;
    }
    const n = data.length;
    if (n !== 0) {
      if (this.#first < 0) this.#first = data[0] as number;
      this.#last = data[n - 1] as number;
      this.#length += n;
    }
    if (this.#expected !== undefined) this.#pieces.push(Uint8Array.from(data));
    if (finished) {
      this.fingerprint =
        (this.fingerprint +
          messageFingerprint(this.#length, Math.max(this.#first, 0), this.#last)) >>>
        0;
      this.bytes += this.#length;
      if (this.#expected !== undefined) this.#check();
      this.messages++;
    }
  }

  #check(): void {
    const expected = this.#expected as readonly Uint8Array[];
    const want = expected[this.messages % expected.length] as Uint8Array;
    const got = Buffer.concat(this.#pieces);
    this.#pieces = [];
    if (!got.equals(want)) {
      throw new Error(
        `message ${this.messages}: ${got.length} bytes delivered differ from the ${want.length} sent`,
      );
    }
  }

  /** Throws unless the last batch delivered exactly `payloads`. */
  verify(payloads: readonly Uint8Array[]): void {
    let bytes = 0;
    for (const p of payloads) bytes += p.length;
    if (
      this.messages !== payloads.length ||
      this.bytes !== bytes ||
      this.fingerprint !== expectedFingerprint(payloads)
    ) {
      throw new Error(
        `delivered ${this.messages} messages / ${this.bytes} bytes / fingerprint ${this.fingerprint}, sent ${payloads.length} / ${bytes} / ${expectedFingerprint(payloads)}`,
      );
    }
  }
}
