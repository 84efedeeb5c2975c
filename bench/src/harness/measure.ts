import type { Body, RunMode } from "./types.js";

/** How long one child warms up and measures. */
export interface Timing {
  /** Untimed batches run for at least this long first, so the JIT has settled. */
  readonly warmupMs: number;
  /**
   * And at least this many untimed batches (default 2). A workload whose batch runs code once
   * per connection (handshakes) needs thousands of runs before V8 has optimized it.
   */
  readonly warmupBatches?: number;
  /** Timed batches run until their summed time reaches this. */
  readonly measureMs: number;
  /** At least this many timed batches, however long they take. */
  readonly minBatches: number;
  /**
   * A body without `prepare` runs `run()` several times per timed batch, so that a batch lasts
   * at least this long: the CPU clock counts microseconds, too coarse for one 60 µs call.
   */
  readonly minBatchMs: number;
}

/** The timing of each mode. `quick` keeps a whole protocol run under 90 s on 2 cores. */
export const timings: Readonly<Record<RunMode, Timing>> = {
  quick: { warmupMs: 50, measureMs: 100, minBatches: 3, minBatchMs: 5 },
  full: { warmupMs: 1000, measureMs: 2000, minBatches: 10, minBatchMs: 10 },
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
 * Runs `body` in batches: `prepare()` untimed, then `run()` (repeated, see
 * {@link Timing.minBatchMs}) timed on both clocks
 * (`process.hrtime.bigint()` and `process.cpuUsage()`). Warm-up batches first (at least
 * {@link Timing.warmupBatches} and {@link Timing.warmupMs}), then timed ones
 * until `measureMs` of wall-clock batch time and `minBatches` have passed. Only `run()` is timed,
 * so restoring the input between batches costs nothing.
 */
export async function measure(body: Body, timing: Timing): Promise<Batch[]> {
  const warmupEnd = performance.now() + timing.warmupMs;
  let warmed = 0;
  let lastRunMs = 0;
  const warmupBatches = timing.warmupBatches ?? 2;
  while (warmed < warmupBatches || performance.now() < warmupEnd) {
    body.prepare?.();
    const t0 = performance.now();
    const r = body.run();
    if (typeof r !== "number") await r;
    lastRunMs = performance.now() - t0;
    warmed++;
  }
  // Runs per timed batch: 1 when `prepare` must come between runs, else enough for minBatchMs.
  const runs =
    body.prepare === undefined
      ? Math.max(1, Math.ceil(timing.minBatchMs / Math.max(lastRunMs, 0.001)))
      : 1;
  const batches: Batch[] = [];
  let wallTotal = 0;
  while (wallTotal * 1000 < timing.measureMs || batches.length < timing.minBatches) {
    body.prepare?.();
    const cpuStart = process.cpuUsage();
    const start = process.hrtime.bigint();
    let work = 0;
    for (let i = 0; i < runs; i++) {
      const r = body.run();
      work += typeof r === "number" ? r : await r;
    }
    const wall = Number(process.hrtime.bigint() - start) / 1e9;
    const cpuUsed = process.cpuUsage(cpuStart);
    const cpu = (cpuUsed.user + cpuUsed.system) / 1e6;
    wallTotal += wall;
    batches.push({ work, wall, cpu });
  }
  return batches;
}
