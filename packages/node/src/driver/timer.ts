/** The monotonic clock timers measure with (milliseconds). */
const monotonicNow = (): number => performance.now();

/**
 * A restartable one-shot timer that never keeps the process alive (`unref`): the socket it
 * guards keeps the event loop running while it is open, and once it is gone no driver timer may
 * hold the process up.
 *
 * Re-arming is lazy. {@link Timer.start} and {@link Timer.refresh} only move a deadline (one
 * clock read) while a Node `Timeout` is pending that fires no later than it; when that `Timeout`
 * fires early it waits for the rest with a new one. A driver re-arms its send timer once per
 * message and its message timer once per read: with `Timeout.refresh()` each of those was a
 * timer-list removal and insert (≈ 5 % of a server echoing small messages), now it is a
 * subtraction, and a new `Timeout` is made at most once per period. {@link Timer.disarm} only
 * drops a flag; a disarmed `Timeout` that still fires does nothing. {@link Timer.clear} really
 * cancels it and must end the timer's use: a pending `Timeout` keeps its callback — and what
 * that reaches — alive until it fires.
 */
export class Timer {
  readonly #onFire: () => void;
  readonly #now: () => number;
  #handle: NodeJS.Timeout | undefined;
  /** When the pending `#handle` fires (clock ms); meaningless without one. */
  #due = 0;
  /** When the armed timer expires (clock ms). */
  #deadline = 0;
  /** The delay of the last {@link Timer.start} (what {@link Timer.refresh} restarts). */
  #ms = 0;
  #armed = false;
  readonly #onTimeout = (): void => {
    this.#handle = undefined;
    if (!this.#armed) return;
    const left = this.#deadline - this.#now();
    if (left > 0) {
      // Re-armed since this Timeout was made: wait for the rest.
      this.#schedule(left, this.#deadline);
      return;
    }
    this.#armed = false;
    this.#onFire();
  };

  /**
   * `onFire` runs when the timer expires while armed; the timer is then disarmed. `now` is the
   * clock in milliseconds (default: the monotonic `performance.now()`, which fake-timer setups
   * that fake `performance` advance along with `setTimeout`).
   */
  constructor(onFire: () => void, now: () => number = monotonicNow) {
    this.#onFire = onFire;
    this.#now = now;
  }

  /** Whether the timer is armed. */
  get active(): boolean {
    return this.#armed;
  }

  /** (Re)arms the timer for `ms` milliseconds. `ms` ≤ 0 or not finite disarms it. */
  start(ms: number): void {
    if (!(ms > 0) || !Number.isFinite(ms)) {
      this.#armed = false;
      return;
    }
    this.#armed = true;
    this.#ms = ms;
    const deadline = this.#now() + ms;
    this.#deadline = deadline;
    // A pending Timeout that fires no later than the deadline finds it moved and waits on.
    if (this.#handle !== undefined && this.#due <= deadline) return;
    this.#schedule(ms, deadline);
  }

  /** Restarts an armed timer's countdown with its last delay; no effect when disarmed. */
  refresh(): void {
    if (this.#armed) this.start(this.#ms);
  }

  /** Disarms the timer and keeps its `Timeout` for a cheap re-arm (it may still fire: a no-op). */
  disarm(): void {
    this.#armed = false;
  }

  /** Disarms the timer and cancels its `Timeout` (use when the timer is done with). */
  clear(): void {
    this.#armed = false;
    const handle = this.#handle;
    if (handle === undefined) return;
    clearTimeout(handle);
    this.#handle = undefined;
  }

  #schedule(delay: number, due: number): void {
    if (this.#handle !== undefined) clearTimeout(this.#handle);
    const timeout = setTimeout(this.#onTimeout, Math.ceil(delay));
    timeout.unref();
    this.#handle = timeout;
    this.#due = due;
  }
}
