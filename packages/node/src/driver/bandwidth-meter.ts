/**
 * Bits per second over a sliding one-second window, from byte counts recorded as they happen.
 *
 * The window is ten 100 ms slots in a ring: recording adds to the slot of "now", reading sums
 * the slots younger than one second. No timer runs: stale slots are recognised by their start
 * time when read or reused, so an idle connection costs nothing.
 */

const SLOT_MS = 100;
const SLOTS = 10;
/** The window length in milliseconds. */
export const BANDWIDTH_WINDOW_MS = SLOT_MS * SLOTS;

/** A monotonic clock in milliseconds. */
export type Clock = () => number;

const defaultClock: Clock = () => performance.now();

/**
 * Measures one direction's throughput over the last second. A driver makes one on the first byte
 * it records, so an idle connection holds none.
 */
export class BandwidthMeter {
  readonly #clock: Clock;
  /**
   * Slots `0 … SLOTS − 1`: bytes per slot; slots `SLOTS … 2·SLOTS − 1`: the slot number
   * (time / SLOT_MS, floored) each ring entry currently holds (−1: none). One plain array of
   * numbers, from a literal: a `Float64Array` would cost its object, an `ArrayBuffer` and an
   * off-heap backing store (≈ 0.4–1 µs to make, measured, against ≈ 40 ns for the literal).
   * The literal holds SLOTS zeros, then SLOTS −1s.
   */
  readonly #ring: number[] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1];

  /** `clock` is injectable for tests; the default is `performance.now()`. */
  constructor(clock: Clock = defaultClock) {
    this.#clock = clock;
  }

  /** Records `byteCount` bytes moved now. */
  record(byteCount: number): void {
    if (byteCount <= 0) return;
    const ring = this.#ring;
    const slot = Math.floor(this.#clock() / SLOT_MS);
    const index = slot % SLOTS;
    if (ring[SLOTS + index] !== slot) {
      ring[SLOTS + index] = slot;
      ring[index] = byteCount;
      return;
    }
    ring[index] = (ring[index] as number) + byteCount;
  }

  /** Bits per second over the last second: the bytes of the window's slots × 8. */
  bitsPerSecond(): bigint {
    const ring = this.#ring;
    const current = Math.floor(this.#clock() / SLOT_MS);
    let bytes = 0;
    for (let i = 0; i < SLOTS; i++) {
      const slot = ring[SLOTS + i] as number;
      // The window is the current slot and the nine before it.
      if (slot > current - SLOTS && slot <= current) bytes += ring[i] as number;
    }
    return BigInt(Math.round(bytes)) * 8n;
  }
}
