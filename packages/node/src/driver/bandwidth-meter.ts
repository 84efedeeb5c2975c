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

/** Measures one direction's throughput over the last second. */
export class BandwidthMeter {
  readonly #clock: Clock;
  /** Bytes per slot. */
  readonly #bytes = new Float64Array(SLOTS);
  /** The slot number (time / SLOT_MS, floored) each ring entry currently holds. */
  readonly #slotOf = new Float64Array(SLOTS).fill(-1);

  /** `clock` is injectable for tests; the default is `performance.now()`. */
  constructor(clock: Clock = defaultClock) {
    this.#clock = clock;
  }

  /** Records `byteCount` bytes moved now. */
  record(byteCount: number): void {
    if (byteCount <= 0) return;
    const slot = Math.floor(this.#clock() / SLOT_MS);
    const index = slot % SLOTS;
    if (this.#slotOf[index] !== slot) {
      this.#slotOf[index] = slot;
      this.#bytes[index] = 0;
    }
    this.#bytes[index] = (this.#bytes[index] ?? 0) + byteCount;
  }

  /** Bits per second over the last second: the bytes of the window's slots × 8. */
  bitsPerSecond(): bigint {
    const current = Math.floor(this.#clock() / SLOT_MS);
    let bytes = 0;
    for (let i = 0; i < SLOTS; i++) {
      const slot = this.#slotOf[i] ?? -1;
      // The window is the current slot and the nine before it.
      if (slot > current - SLOTS && slot <= current) bytes += this.#bytes[i] ?? 0;
    }
    return BigInt(Math.round(bytes)) * 8n;
  }
}
