// DateTime and TimeSpan as WinRT puts them on the wire (reference/uwp-api.md §2, §16.4): signed
// 64-bit counts of 100-ns ticks, DateTime counted from 1601-01-01T00:00:00Z.
import { invalidArgument } from "./data-errors.js";

/** 100-ns ticks between 1601-01-01T00:00:00Z and the Unix epoch 1970-01-01T00:00:00Z. */
export const UNIX_EPOCH_TICKS = 116_444_736_000_000_000n;

/** 100-ns ticks in one millisecond. */
export const TICKS_PER_MILLISECOND = 10_000;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Whether `ticks` fits the signed 64-bit `UniversalTime` / `Duration` field. */
export function isInt64(ticks: bigint): boolean {
  return ticks >= INT64_MIN && ticks <= INT64_MAX;
}

/** A `Date` as WinRT `DateTime` ticks. Sub-millisecond precision does not exist in a `Date`. */
export function dateToTicks(date: Date): bigint {
  const ms = date.getTime();
  if (!Number.isFinite(ms)) throw invalidArgument("the Date is invalid");
  // A Date spans ±8.64e15 ms, i.e. ±8.64e19 ticks, more than Int64 holds.
  const ticks = BigInt(ms) * 10_000n + UNIX_EPOCH_TICKS;
  if (!isInt64(ticks)) throw invalidArgument("the Date is outside the range of a WinRT DateTime");
  return ticks;
}

/**
 * WinRT `DateTime` ticks as a `Date`, rounded down to the millisecond (the `Date` precision).
 * Every Int64 tick count is within the range of a `Date`.
 */
export function ticksToDate(ticks: bigint): Date {
  const since1970 = ticks - UNIX_EPOCH_TICKS;
  let ms = since1970 / 10_000n;
  // BigInt division truncates toward zero; round toward minus infinity instead so a tick before
  // a millisecond boundary stays in the earlier millisecond.
  if (since1970 < 0n && ms * 10_000n !== since1970) ms -= 1n;
  return new Date(Number(ms));
}

/** Milliseconds (fractions allowed, down to one tick) as WinRT `TimeSpan` ticks. */
export function millisecondsToTicks(milliseconds: number): bigint {
  if (typeof milliseconds !== "number" || !Number.isFinite(milliseconds)) {
    throw invalidArgument("a TimeSpan must be a finite number of milliseconds");
  }
  const ticks = BigInt(Math.round(milliseconds * TICKS_PER_MILLISECOND));
  if (!isInt64(ticks)) throw invalidArgument("the TimeSpan is outside the Int64 tick range");
  return ticks;
}

/** WinRT `TimeSpan` ticks as milliseconds, fractions kept (one tick is 0.0001 ms). */
export function ticksToMilliseconds(ticks: bigint): number {
  return Number(ticks) / TICKS_PER_MILLISECOND;
}
