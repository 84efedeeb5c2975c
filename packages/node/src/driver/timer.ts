/**
 * A restartable one-shot timer that never keeps the process alive (`unref`): the socket it
 * guards keeps the event loop running while it is open, and once it is gone no driver timer may
 * hold the process up.
 *
 * One Node `Timeout` serves the timer's whole life: it is made on the first {@link Timer.start}
 * and re-armed with `refresh()` afterwards. {@link Timer.disarm} only drops a flag, so a driver
 * that arms and disarms its send timer once per message pays neither a timer-list insert and
 * removal nor a new `Timeout` (with its async resource) each time; a disarmed `Timeout` that
 * still fires finds the flag down and does nothing. {@link Timer.clear} really cancels it and
 * must end the timer's use: a pending `Timeout` keeps its callback — and what that reaches —
 * alive until it fires.
 */
export class Timer {
  readonly #onFire: () => void;
  #handle: NodeJS.Timeout | undefined;
  /** The delay `#handle` was made with (`refresh()` keeps it). */
  #ms = 0;
  #armed = false;

  /** `onFire` runs when the timer expires while armed; the timer is then disarmed. */
  constructor(onFire: () => void) {
    this.#onFire = onFire;
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
    const handle = this.#handle;
    if (handle !== undefined && this.#ms === ms) {
      handle.refresh();
      return;
    }
    if (handle !== undefined) clearTimeout(handle);
    this.#ms = ms;
    const timeout = setTimeout(() => this.#fire(), ms);
    timeout.unref();
    this.#handle = timeout;
  }

  /** Restarts an armed timer's countdown with its original delay; no effect when disarmed. */
  refresh(): void {
    if (this.#armed) this.#handle?.refresh();
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

  #fire(): void {
    if (!this.#armed) return;
    this.#armed = false;
    this.#onFire();
  }
}
