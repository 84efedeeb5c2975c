/**
 * What the probes share: reading their command-line arguments and turning CPU time into a cost
 * per unit of work. A probe is a diagnostic, run by hand (`node --import tsx probes/<name>.ts`
 * in `bench/`): it prints figures and compares nothing; `pnpm bench` makes the record.
 */
import type { ImplId } from "../src/network/impls.js";

const IMPLS: readonly ImplId[] = ["netsockets", "ws"];

/** Argument `index` of `process.argv` as `netsockets` or `ws` (default `fallback`). */
export function implArg(index: number, fallback: ImplId): ImplId {
  const value = process.argv[index] ?? fallback;
  if (!IMPLS.includes(value as ImplId)) {
    throw new Error(`argument ${index - 1} must be one of ${IMPLS.join(", ")}, not ${value}`);
  }
  return value as ImplId;
}

/** Argument `index` of `process.argv` as an integer of at least `min` (default `fallback`). */
export function countArg(index: number, fallback: number, min = 1): number {
  const raw = process.argv[index];
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isSafeInteger(value) || value < min) {
    throw new Error(`argument ${index - 1} must be a whole number of at least ${min}, not ${raw}`);
  }
  return value;
}

/** CPU time in microseconds, as `process.cpuUsage()` reports it. */
export interface Cpu {
  readonly user: number;
  readonly system: number;
}

/** `after − before` per unit of work: "user 7.23 sys 7.14 µs/msg". */
export function cpuPer(before: Cpu, after: Cpu, units: number, unit: string): string {
  const user = (after.user - before.user) / units;
  const system = (after.system - before.system) / units;
  return `user ${user.toFixed(2)} sys ${system.toFixed(2)} µs/${unit}`;
}
