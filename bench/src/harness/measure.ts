import type { Body, RunMode } from "./types.js";

/** How long one child warms up and measures. */
export interface Timing {
  /** Untimed batches run for at least this long first, so the JIT has settled. */
  readonly warmupMs: number;
  /** Timed batches run until their summed time reaches this. */
  readonly measureMs: number;
  /** At least this many timed batches, however long they take. */
  readonly minBatches: number;
}

/** The timing of each mode. `quick` keeps a whole protocol run under 90 s on 2 cores. */
export const timings: Readonly<Record<RunMode, Timing>> = {
  quick: { warmupMs: 50, measureMs: 100, minBatches: 3 },
  full: { warmupMs: 1000, measureMs: 2000, minBatches: 10 },
};

/** What {@link measure} found: totals plus each batch's rate. */
export interface Measurement {
  /** The summed work of the timed batches, in the unit base. */
  readonly work: number;
  /** The summed time of the timed batches. */
  readonly seconds: number;
  /** Work per second of each timed batch. */
  readonly batchRates: readonly number[];
}

/**
 * Runs `body` in batches: `prepare()` untimed, then `run()` timed with `process.hrtime.bigint`.
 * Warm-up batches first, then timed ones until `measureMs` of batch time and `minBatches` have
 * passed. Only `run()` is timed, so restoring the input between batches costs nothing.
 */
export async function measure(body: Body, timing: Timing): Promise<Measurement> {
  const warmupEnd = performance.now() + timing.warmupMs;
  let warmed = 0;
  while (warmed < 2 || performance.now() < warmupEnd) {
    body.prepare?.();
    const r = body.run();
    if (typeof r !== "number") await r;
    warmed++;
  }
  let work = 0;
  let ns = 0n;
  const batchRates: number[] = [];
  const budget = BigInt(Math.round(timing.measureMs * 1e6));
  while (ns < budget || batchRates.length < timing.minBatches) {
    body.prepare?.();
    const start = process.hrtime.bigint();
    const r = body.run();
    const done = typeof r === "number" ? r : await r;
    const elapsed = process.hrtime.bigint() - start;
    work += done;
    ns += elapsed;
    batchRates.push(done / (Number(elapsed) / 1e9));
  }
  return { work, seconds: Number(ns) / 1e9, batchRates };
}
