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

/** One timed batch. */
export interface Batch {
  /** The work `run()` reported, in the unit base. */
  readonly work: number;
  /** Wall-clock seconds of `run()`. */
  readonly wall: number;
  /** CPU seconds (user + system, all threads of this process) spent during `run()`. */
  readonly cpu: number;
}

/**
 * Runs `body` in batches: `prepare()` untimed, then `run()` timed on both clocks
 * (`process.hrtime.bigint()` and `process.cpuUsage()`). Warm-up batches first, then timed ones
 * until `measureMs` of wall-clock batch time and `minBatches` have passed. Only `run()` is timed,
 * so restoring the input between batches costs nothing.
 */
export async function measure(body: Body, timing: Timing): Promise<Batch[]> {
  const warmupEnd = performance.now() + timing.warmupMs;
  let warmed = 0;
  while (warmed < 2 || performance.now() < warmupEnd) {
    body.prepare?.();
    const r = body.run();
    if (typeof r !== "number") await r;
    warmed++;
  }
  const batches: Batch[] = [];
  let wallTotal = 0;
  while (wallTotal * 1000 < timing.measureMs || batches.length < timing.minBatches) {
    body.prepare?.();
    const cpuStart = process.cpuUsage();
    const start = process.hrtime.bigint();
    const r = body.run();
    const work = typeof r === "number" ? r : await r;
    const wall = Number(process.hrtime.bigint() - start) / 1e9;
    const cpuUsed = process.cpuUsage(cpuStart);
    const cpu = (cpuUsed.user + cpuUsed.system) / 1e6;
    wallTotal += wall;
    batches.push({ work, wall, cpu });
  }
  return batches;
}
