/**
 * A restartable one-shot timer that never keeps the process alive (`unref`): the socket it
 * guards keeps the event loop running while it is open, and once it is gone no driver timer may
 * hold the process up.
 */
export class Timer {
  readonly #onFire: () => void;
  #handle: NodeJS.Timeout | undefined;

  /** `onFire` runs when the timer expires; the timer is then inactive. */
  constructor(onFire: () => void) {
    this.#onFire = onFire;
  }

  /** Whether the timer is armed. */
  get active(): boolean {
    return this.#handle !== undefined;
  }

  /** (Re)arms the timer for `ms` milliseconds. `ms` ≤ 0 or not finite disarms it. */
  start(ms: number): void {
    this.clear();
    if (!(ms > 0) || !Number.isFinite(ms)) return;
    this.#handle = setTimeout(() => {
      this.#handle = undefined;
      this.#onFire();
    }, ms);
    this.#handle.unref();
  }

  /** Restarts an armed timer's countdown with its original delay; no effect when disarmed. */
  refresh(): void {
    this.#handle?.refresh();
  }

  /** Disarms the timer. */
  clear(): void {
    if (this.#handle === undefined) return;
    clearTimeout(this.#handle);
    this.#handle = undefined;
  }
}
