import { median } from "./stats.js";
import type { ChildResult, Unit, Workload } from "./types.js";

/** The summary of one implementation of one workload over all rounds. */
export interface Summary {
  readonly workload: Workload;
  readonly implementation: string;
  readonly ours: boolean;
  /** One figure per successful round. */
  readonly values: readonly number[];
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** The median over the rounds of the wall-clock rates (for reference beside a CPU-time figure). */
  readonly wallMedian: number;
  /** Median over the baseline's median; NaN when either is missing. */
  readonly ratio: number;
  /** Set when every round failed. */
  readonly failed: boolean;
}

/** Turns the rounds' results into one summary per implementation; the first is the baseline. */
export function summarize(
  workload: Workload,
  results: ReadonlyMap<string, readonly ChildResult[]>,
): Summary[] {
  const medians = workload.implementations.map((impl) =>
    median((results.get(impl.name) ?? []).map((r) => r.value)),
  );
  const base = medians[0] ?? Number.NaN;
  return workload.implementations.map((impl, i) => {
    const runs = results.get(impl.name) ?? [];
    const values = runs.map((r) => r.value);
    const m = medians[i] ?? Number.NaN;
    return {
      workload,
      implementation: impl.name,
      ours: impl.ours === true,
      values,
      median: m,
      min: Math.min(...values),
      max: Math.max(...values),
      wallMedian: median(runs.map((r) => r.wallRate)),
      ratio: m / base,
      failed: values.length === 0,
    };
  });
}

/** Three significant digits with an SI suffix for counts; whole numbers for MB/s. */
export function formatValue(value: number, unit: Unit): string {
  if (!Number.isFinite(value)) return "—";
  if (unit === "MB/s") return value >= 100 ? Math.round(value).toString() : value.toPrecision(3);
  for (const [scale, suffix] of [
    [1e9, " G"],
    [1e6, " M"],
    [1e3, " k"],
  ] as const) {
    if (value >= scale) return `${(value / scale).toPrecision(3)}${suffix}`;
  }
  return value.toPrecision(3);
}

/**
 * Our verdict against the workload's target ({@link Workload.target}, default "at least as fast
 * as the baseline"): `met (≥ 3×)`, `~ (≥ 3×, within 5 %)`, `MISS (≥ 3×)`, or `reported` for a
 * workload without a target.
 */
export function verdict(summary: Summary): string {
  if (!summary.ours) return "";
  if (summary.failed) return "FAILED";
  const goal = goalOf(summary.workload);
  if (goal === undefined) return "reported";
  // Judged on the exact ratio: 1.4953 does not meet 1.5 (the table then prints three decimals,
  // see formatRatio, so the two never contradict each other).
  const { target, lower } = goal;
  const wanted = `${lower ? "≤" : "≥"} ${target}×`;
  // A smaller-is-better figure (memory) is judged on the inverse ratio: how many times better.
  const reached = lower ? target / summary.ratio : summary.ratio / target;
  if (reached >= 1) return `met (${wanted})`;
  if (reached >= 0.95) return `~ (${wanted}, within 5 %)`;
  return `MISS (${wanted})`;
}

/**
 * A row's ratio as the table prints it: two decimals, or three when two would round it onto the
 * other side of its workload's target (1.4953 against 1.5 prints `1.495`, not `1.50`).
 */
export function formatRatio(summary: Pick<Summary, "ratio" | "workload">): string {
  const { ratio } = summary;
  if (!Number.isFinite(ratio)) return "—";
  const two = ratio.toFixed(2);
  const goal = goalOf(summary.workload);
  if (goal === undefined) return two;
  const { target, lower } = goal;
  const meets = (r: number): boolean => (lower ? r <= target : r >= target);
  return meets(Number(two)) === meets(ratio) ? two : ratio.toFixed(3);
}

/**
 * A workload's target ratio (default 1: "at least as fast as the baseline") and whether lower is
 * better; undefined for a workload that is only reported (`target: null`).
 */
function goalOf(workload: Summary["workload"]): { target: number; lower: boolean } | undefined {
  const target = workload.target === undefined ? 1 : workload.target;
  if (target === null) return undefined;
  return { target, lower: workload.lowerIsBetter === true };
}

/** A Markdown pipe table, padded so it also reads well in a terminal. */
export function renderTable(summaries: readonly Summary[]): string {
  const header = [
    "workload",
    "implementation",
    "median",
    "min – max",
    "vs baseline",
    "target",
    "wall-clock median",
  ];
  const rows: string[][] = [];
  let previous: Workload | undefined;
  for (const s of summaries) {
    const unit = s.workload.unit;
    const first = s.workload !== previous;
    previous = s.workload;
    rows.push([
      first
        ? `${s.workload.title} [${unit}${s.workload.clock === "wall" ? ", wall-clock" : ""}]`
        : "",
      s.implementation,
      s.failed ? "failed" : formatValue(s.median, unit),
      s.failed ? "" : `${formatValue(s.min, unit)} – ${formatValue(s.max, unit)}`,
      first ? "1.00 (baseline)" : formatRatio(s),
      verdict(s),
      s.failed || s.workload.clock === "wall" ? "" : formatValue(s.wallMedian, unit),
    ]);
  }
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? "").length)));
  const right = new Set([2, 3, 4, 6]);
  const line = (cells: readonly string[]): string =>
    `| ${cells
      .map((cell, c) =>
        right.has(c) ? cell.padStart(widths[c] ?? 0) : cell.padEnd(widths[c] ?? 0),
      )
      .join(" | ")} |`;
  const rule = `|${widths.map((w, c) => (right.has(c) ? `${"-".repeat(w + 1)}:` : "-".repeat(w + 2))).join("|")}|`;
  return [line(header), rule, ...rows.map(line)].join("\n");
}
