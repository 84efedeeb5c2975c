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

/** Whether `options` turn any keepalive feature on (else a driver needs no {@link Keepalive}). */
export function keepaliveWanted(options: KeepaliveOptions): boolean {
  return (
    actualUnsolicitedPongInterval(options.desiredUnsolicitedPongIntervalMs) > 0 ||
    (options.pingIntervalMs ?? 0) > 0
  );
}

/**
 * Heartbeats for one connection: unsolicited pongs on a fixed period, and ping-based dead-peer
 * detection (ping every `pingIntervalMs`, fail when no pong arrives within `pingTimeoutMs`).
 * Every timer is unref'd and {@link Keepalive.stop} clears them all. A timer exists only for a
 * feature that is on (an idle connection keeps no closures it will never run).
 */
export class Keepalive {
  /** The unsolicited-pong period in effect (0 = off). */
  readonly actualUnsolicitedPongIntervalMs: number;
  readonly #pingIntervalMs: number;
  readonly #pingTimeoutMs: number;
  readonly #actions: KeepaliveActions;
  #pongTimer: Timer | undefined;
  #pingTimer: Timer | undefined;
  #deadlineTimer: Timer | undefined;
  #awaitingPong = false;
  #stopped = false;

  constructor(options: KeepaliveOptions, actions: KeepaliveActions) {
    this.actualUnsolicitedPongIntervalMs = actualUnsolicitedPongInterval(
      options.desiredUnsolicitedPongIntervalMs,
    );
    const pingInterval = options.pingIntervalMs ?? 0;
    this.#pingIntervalMs = pingInterval > 0 ? Math.min(MAX_TIMER_MS, pingInterval) : 0;
    this.#pingTimeoutMs = Math.min(MAX_TIMER_MS, options.pingTimeoutMs ?? DEFAULT_PING_TIMEOUT_MS);
    this.#actions = actions;
  }

  /** Starts the timers (once the connection is open). */
  start(): void {
    if (this.#stopped) return;
    if (this.actualUnsolicitedPongIntervalMs > 0) {
      const pongTimer = new Timer(() => {
        this.#actions.sendPong();
        pongTimer.start(this.actualUnsolicitedPongIntervalMs);
      });
      this.#pongTimer = pongTimer;
      pongTimer.start(this.actualUnsolicitedPongIntervalMs);
    }
    if (this.#pingIntervalMs > 0) {
      this.#pingTimer = new Timer(() => {
        this.#awaitingPong = true;
        this.#deadlineTimer ??= new Timer(() => {
          if (this.#awaitingPong && !this.#stopped) this.#actions.unresponsive();
        });
        this.#deadlineTimer.start(this.#pingTimeoutMs);
        this.#actions.sendPing();
      });
      this.#pingTimer.start(this.#pingIntervalMs);
    }
  }

  /** A pong arrived: the peer is alive; the next keepalive ping is scheduled. */
  pongReceived(): void {
    if (!this.#awaitingPong || this.#stopped) return;
    this.#awaitingPong = false;
    this.#deadlineTimer?.disarm();
    this.#pingTimer?.start(this.#pingIntervalMs);
  }

  /** Clears every timer for good. */
  stop(): void {
    this.#stopped = true;
    this.#pongTimer?.clear();
    this.#pingTimer?.clear();
    this.#deadlineTimer?.clear();
  }
}
