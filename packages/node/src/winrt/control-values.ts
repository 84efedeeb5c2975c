import { InvalidArgumentError, InvalidStateError } from "@netsockets/errors";
import { MAX_TIMER_MS } from "../driver/keepalive.js";
import { PasswordCredential } from "./password-credential.js";

// The validation of control values, shared by the socket controls, the listener controls and
// their socket-kind subclasses, so that both socket kinds reject a value with the same message.

/** The largest UInt32, WinRT's "INFINITE" for `maxMessageSize`. */
export const UINT32_MAX = 0xffff_ffff;

/** Throws `InvalidArgumentError` unless `value` is a UInt32. */
export function checkUInt32(name: string, value: unknown): number {
  if (typeof value !== "number" || value >>> 0 !== value) {
    throw new InvalidArgumentError(`${name} must be a UInt32, got ${String(value)}`);
  }
  return value;
}

/** Throws `InvalidArgumentError` unless `value` is a positive UInt32 (a buffer size). */
export function checkSize(name: string, value: unknown): number {
  checkUInt32(name, value);
  if (value === 0) throw new InvalidArgumentError(`${name} must be positive`);
  return value as number;
}

/**
 * Throws `InvalidArgumentError` unless `value` is a number of milliseconds a timer can wait:
 * 0 (off, where `allowZero`) up to 2^31 − 1.
 */
export function checkMs(name: string, value: unknown, allowZero: boolean): number {
  if (
    typeof value !== "number" ||
    !Number.isFinite(value) ||
    value < 0 ||
    value > MAX_TIMER_MS ||
    (!allowZero && value === 0)
  ) {
    throw new InvalidArgumentError(
      `${name} must be ${allowZero ? "0 (off) or " : ""}a positive number of milliseconds up to ${MAX_TIMER_MS}, got ${String(value)}`,
    );
  }
  return value;
}

/** Throws `InvalidArgumentError` unless `value` is a non-negative finite number of ms (a TimeSpan). */
export function checkTimeSpan(name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new InvalidArgumentError(
      `${name} must be a non-negative number of ms, got ${String(value)}`,
    );
  }
  return value;
}

/** Throws `InvalidArgumentError` unless `value` is a boolean. */
export function checkBoolean(name: string, value: unknown): boolean {
  if (typeof value !== "boolean") {
    throw new InvalidArgumentError(`${name} must be a boolean, got ${String(value)}`);
  }
  return value;
}

/** Throws `InvalidArgumentError` unless `value` is a {@link PasswordCredential} or `null`. */
export function checkCredential(name: string, value: unknown): PasswordCredential | null {
  if (value !== null && !(value instanceof PasswordCredential)) {
    throw new InvalidArgumentError(`${name} must be a PasswordCredential or null`);
  }
  return value;
}

/**
 * The error of changing a before-connect-only control property after `connectAsync`
 * (reference/uwp-api.md §17.2: "an error"; `E_ILLEGAL_METHOD_CALL`, as §20.4 suggests).
 */
export function lockedError(name: string): InvalidStateError {
  return new InvalidStateError(
    `control.${name} can only be changed before connectAsync (reference §17.2)`,
  );
}
