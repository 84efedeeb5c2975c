/**
 * A small seeded generator (mulberry32) for benchmark input: the same seed gives the same bytes
 * in every child, so every implementation parses exactly the same wire data. Not for masks that
 * go on the wire from code under test — those always come from the crypto pool.
 */
export class SeededRandom {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** The next 32-bit unsigned integer. */
  nextUint32(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** An integer in `[0, bound)`. */
  below(bound: number): number {
    return this.nextUint32() % bound;
  }

  /** Fills `target` with pseudo-random bytes. */
  fill(target: Uint8Array): void {
    let i = 0;
    for (; i + 4 <= target.length; i += 4) {
      const v = this.nextUint32();
      target[i] = v & 0xff;
      target[i + 1] = (v >>> 8) & 0xff;
      target[i + 2] = (v >>> 16) & 0xff;
      target[i + 3] = v >>> 24;
    }
    for (; i < target.length; i++) target[i] = this.nextUint32() & 0xff;
  }
}
