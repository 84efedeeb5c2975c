/**
 * The shapes every benchmark suite is written in. A suite is a list of workloads (the rows of
 * the report); a workload is run by several implementations (ours and the baselines), each of
 * which prepares a {@link Body} that the harness runs in timed batches inside a fresh child
 * process.
 */

/** How long and how often to measure: `quick` for a look (< 90 s in all), `full` for the record. */
export type RunMode = "quick" | "full";

/**
 * The unit a workload reports. `run()` returns the work of one batch in the unit's base: a count
 * of frames, messages or operations, or a count of bytes for `MB/s` (1 MB = 10^6 bytes).
 */
export type Unit = "frames/s" | "messages/s" | "ops/s" | "MB/s" | "KiB/conn";

/** What an implementation's `setup` is told. */
export interface SetupContext {
  readonly mode: RunMode;
  /**
   * `true` in the smoke test: `run()` also compares every delivered payload with the one that
   * was sent and throws on the first difference. Timed runs leave it off.
   */
  readonly check: boolean;
}

/** One prepared benchmark: the harness calls `prepare` (untimed) and `run` (timed) in turn. */
export interface Body {
  /**
   * Untimed work before each timed batch, such as restoring input that the previous batch
   * unmasked in place (a socket hands over fresh bytes every time; so do we).
   */
  prepare?(): void;
  /** One timed batch; returns the work done in the workload's unit base (see {@link Unit}). */
  run(): number | Promise<number>;
  /** Throws when the last batch delivered something other than what was sent. */
  verify?(): void;
  /** Releases what `setup` acquired (sockets, child processes). */
  dispose?(): void | Promise<void>;
  /**
   * A figure that is not a rate (e.g. memory per connection), read after the timed batches: when
   * present it replaces the median rate as the child's `value` (already in the unit).
   */
  figure?(): number;
  /** Extra numbers for the JSON line (e.g. latency percentiles), read after the timed batches. */
  extra?(): Readonly<Record<string, number>>;
}

/** One contender in a workload. */
export interface Implementation {
  /** Shown in the table; unique within the workload. */
  readonly name: string;
  /**
   * `true` for netsockets' own code: its ratio against the baseline is judged against
   * {@link Workload.target}.
   */
  readonly ours?: boolean;
  /**
   * Extra environment for the child process, e.g. `{ WS_NO_BUFFER_UTIL: "1" }`. The parent
   * removes `WS_NO_BUFFER_UTIL` and `WS_NO_UTF_8_VALIDATE` from what children inherit, so only
   * this field sets them.
   */
  readonly env?: Readonly<Record<string, string>>;
  /** Builds the body; runs once per child process, untimed. */
  setup(context: SetupContext): Body | Promise<Body>;
}

/**
 * Which clock a workload's figure is based on. `cpu`: work per CPU-second of the child process
 * (user + system time, all its threads) — what a single-process micro-benchmark should report on
 * a shared machine, where other jobs take the CPU away for whole time slices. `wall`: work per
 * elapsed second — for workloads whose cost is spread over several processes (client and server
 * over loopback), where one process's CPU time would leave the other out.
 */
export type Clock = "cpu" | "wall";

/** One row of the report: the same work done by every implementation. */
export interface Workload {
  /** Short kebab-case id used by `--filter` and in the results file. */
  readonly id: string;
  /** What is measured, in words. */
  readonly title: string;
  readonly unit: Unit;
  /** The clock of the figure; default `cpu`. */
  readonly clock?: Clock;
  /** The first one is the baseline every ratio is computed against. */
  readonly implementations: readonly Implementation[];
  /**
   * Overrides of the mode's timing (`timings` in measure.ts) for this workload, e.g. a network
   * workload whose batch is a fixed slice of traffic lasting much longer than a micro-benchmark's.
   */
  readonly timing?: Partial<Record<RunMode, TimingOverride>>;
  /**
   * Interleaved rounds per mode for this workload when `--rounds` is not given (before the
   * suite's `rounds`): for a workload whose rounds disagree so much that a median of the suite's
   * few says more about the machine than about the code.
   */
  readonly rounds?: Partial<Record<RunMode, number>>;
  /** `true` when a smaller figure is better (memory): the verdict then inverts the ratio. */
  readonly lowerIsBetter?: boolean;
  /**
   * The ratio to the baseline our implementations must reach: at least this much (at most, for
   * a {@link lowerIsBetter} figure). Default 1 (as fast as the baseline); `null` when the
   * workload is only reported (the target column then reads `reported`).
   */
  readonly target?: number | null;
}

/** See {@link Workload.timing}; the fields of measure.ts's `Timing`. */
export interface TimingOverride {
  readonly warmupMs?: number;
  readonly warmupBatches?: number;
  readonly measureMs?: number;
  readonly minBatches?: number;
  readonly minBatchMs?: number;
}

/** A named group of workloads; one `*.bench.ts` file default-exports one. */
export interface Suite {
  readonly name: string;
  readonly description: string;
  /**
   * Default interleaved rounds per mode when `--rounds` is not given, for suites whose children
   * are expensive (the network suite starts two processes per child).
   */
  readonly rounds?: Partial<Record<RunMode, number>>;
  readonly workloads: readonly Workload[];
}

/** What a child process prints as its one JSON line. */
export interface ChildResult {
  readonly suite: string;
  readonly workload: string;
  readonly implementation: string;
  readonly unit: Unit;
  /**
   * The figure: the median of the per-batch rates on the workload's clock, in the unit (bytes
   * already divided by 10^6). A median, so that a batch disturbed by something else (another
   * job, a rare major GC) does not move it.
   */
  readonly value: number;
  readonly clock: Clock;
  /** The median per-batch rate by CPU time. */
  readonly cpuRate: number;
  /** The median per-batch rate by wall-clock time. */
  readonly wallRate: number;
  /** All timed work over all timed wall-clock time, in the unit. */
  readonly mean: number;
  readonly batches: number;
  /** Timed wall-clock seconds (the sum of the batches, without `prepare`). */
  readonly seconds: number;
  /** CPU seconds of the timed batches. */
  readonly cpuSeconds: number;
  readonly mode: RunMode;
  readonly node: string;
  readonly pid: number;
  /** Peak resident set size of the child, in MiB. */
  readonly maxRssMiB: number;
  /** The body's {@link Body.extra} numbers, when it has any. */
  readonly extra?: Readonly<Record<string, number>>;
}

/** Checks a suite's shape and returns it; the one way suites are declared. */
export function defineSuite(suite: Suite): Suite {
  const ids = new Set<string>();
  for (const workload of suite.workloads) {
    if (ids.has(workload.id)) throw new Error(`duplicate workload id ${workload.id}`);
    ids.add(workload.id);
    if (workload.implementations.length === 0) {
      throw new Error(`workload ${workload.id} has no implementation`);
    }
    const names = new Set(workload.implementations.map((i) => i.name));
    if (names.size !== workload.implementations.length) {
      throw new Error(`workload ${workload.id} has duplicate implementation names`);
    }
  }
  return suite;
}

/** Divides a unit's base (bytes for MB/s) into the reported figure. */
export function unitScale(unit: Unit): number {
  return unit === "MB/s" ? 1e6 : 1;
}
