import { Timer } from "./timer.js";

/** The smallest unsolicited-pong period the driver honours, in milliseconds. */
export const MIN_UNSOLICITED_PONG_INTERVAL_MS = 100;
/** The largest timer delay Node accepts (2^31 − 1 ms, about 24.8 days). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Keepalive settings, all in milliseconds; 0 turns a feature off. */
export interface KeepaliveOptions {
  /**
   * `DesiredUnsolicitedPongInterval`: send an unsolicited pong (a one-way heartbeat, RFC 6455
   * §5.5.3) this often. Default 0 (off). Clamped to [100 ms, 2^31 − 1 ms].
   */
  readonly desiredUnsolicitedPongIntervalMs?: number;
  /** Send a ping this often and expect a pong within `pingTimeoutMs`. Default 0 (off). */
  readonly pingIntervalMs?: number;
  /** How long to wait for a pong after a keepalive ping. Default 20 000 ms. */
  readonly pingTimeoutMs?: number;
}

/** What the keepalive does to the connection. */
export interface KeepaliveActions {
  sendPing(): void;
  sendPong(): void;
  /** No pong arrived within the ping timeout. */
  unresponsive(): void;
}

/** The default `pingTimeoutMs`. */
export const DEFAULT_PING_TIMEOUT_MS = 20_000;

/**
 * The interval actually used for a desired unsolicited-pong interval: 0 stays 0 (off), anything
 * else is clamped to what a Node timer can do.
 */
export function actualUnsolicitedPongInterval(desiredMs: number | undefined): number {
  if (desiredMs === undefined || !(desiredMs > 0)) return 0;
  return Math.min(MAX_TIMER_MS, Math.max(MIN_UNSOLICITED_PONG_INTERVAL_MS, Math.round(desiredMs)));
}

/**
 * Heartbeats for one connection: unsolicited pongs on a fixed period, and ping-based dead-peer
 * detection (ping every `pingIntervalMs`, fail when no pong arrives within `pingTimeoutMs`).
 * Every timer is unref'd and {@link Keepalive.stop} clears them all.
 */
export class Keepalive {
  /** The unsolicited-pong period in effect (0 = off). */
  readonly actualUnsolicitedPongIntervalMs: number;
  readonly #pingIntervalMs: number;
  readonly #pingTimeoutMs: number;
  readonly #pongTimer: Timer;
  readonly #pingTimer: Timer;
  readonly #deadlineTimer: Timer;
  #awaitingPong = false;
  #stopped = false;

  constructor(options: KeepaliveOptions, actions: KeepaliveActions) {
    this.actualUnsolicitedPongIntervalMs = actualUnsolicitedPongInterval(
      options.desiredUnsolicitedPongIntervalMs,
    );
    const pingInterval = options.pingIntervalMs ?? 0;
    this.#pingIntervalMs = pingInterval > 0 ? Math.min(MAX_TIMER_MS, pingInterval) : 0;
    this.#pingTimeoutMs = Math.min(MAX_TIMER_MS, options.pingTimeoutMs ?? DEFAULT_PING_TIMEOUT_MS);
    this.#pongTimer = new Timer(() => {
      actions.sendPong();
      this.#pongTimer.start(this.actualUnsolicitedPongIntervalMs);
    });
    this.#pingTimer = new Timer(() => {
      this.#awaitingPong = true;
      this.#deadlineTimer.start(this.#pingTimeoutMs);
      actions.sendPing();
    });
    this.#deadlineTimer = new Timer(() => {
      if (this.#awaitingPong && !this.#stopped) actions.unresponsive();
    });
  }

  /** Starts the timers (once the connection is open). */
  start(): void {
    if (this.#stopped) return;
    this.#pongTimer.start(this.actualUnsolicitedPongIntervalMs);
    this.#pingTimer.start(this.#pingIntervalMs);
  }

  /** A pong arrived: the peer is alive; the next keepalive ping is scheduled. */
  pongReceived(): void {
    if (!this.#awaitingPong || this.#stopped) return;
    this.#awaitingPong = false;
    this.#deadlineTimer.clear();
    this.#pingTimer.start(this.#pingIntervalMs);
  }

  /** Clears every timer for good. */
  stop(): void {
    this.#stopped = true;
    this.#pongTimer.clear();
    this.#pingTimer.clear();
    this.#deadlineTimer.clear();
  }
}
