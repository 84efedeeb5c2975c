/**
 * `tsx src/pool-ratios.ts [--suite network] <runId> [runId …]`: the ratios of several full runs
 * of one suite side by side, from `results/<suite>.jsonl` (each run's `runId` is its start time,
 * printed as the run's `date:` line): per workload and implementation of ours, each run's ratio
 * and, round by round, our figure over the baseline's figure of the same round — with how many
 * rounds met the target. On a noisy machine the runs of one code disagree; the rounds pooled over
 * several runs say where the code stands. A diagnostic for RESULTS.md, not a verdict: the issue's
 * targets count full runs.
 */
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { median } from "./harness/stats.js";

/** The fields of a `results/*.jsonl` line that this reads. */
interface Line {
  readonly kind: "sample" | "summary";
  readonly runId: string;
  readonly workload: string;
  readonly implementation: string;
  readonly baseline?: string;
  readonly round?: number;
  readonly value?: number;
  readonly ratio?: number;
  readonly verdict?: string;
}

/** A target as the verdict states it: `≥ 1.5×` or `≤ 0.8×`; undefined for `reported`. */
export function targetOf(verdict: string): { atLeast: boolean; ratio: number } | undefined {
  const match = /([≥≤]) ([\d.]+)×/.exec(verdict);
  if (match === null) return undefined;
  return { atLeast: match[1] === "≥", ratio: Number(match[2]) };
}

/** One row per workload × implementation of ours (rows that have a verdict). */
export interface PooledRow {
  readonly workload: string;
  readonly implementation: string;
  readonly target: string;
  /** Each run's ratio, in the order the runs were given. */
  readonly runRatios: readonly number[];
  /** Ours over the baseline, round by round, all runs together. */
  readonly roundRatios: readonly number[];
  /** Rounds whose ratio met the target. */
  readonly roundsMet: number;
}

/** Pools the runs `runIds` of the lines `lines`. */
export function pool(lines: readonly Line[], runIds: readonly string[]): PooledRow[] {
  const rows = new Map<string, { summary: Line; runRatios: number[]; roundRatios: number[] }>();
  const sampleValue = new Map<string, number>();
  for (const line of lines) {
    if (!runIds.includes(line.runId)) continue;
    if (line.kind === "sample" && line.value !== undefined) {
      sampleValue.set(
        `${line.runId}|${line.workload}|${line.implementation}|${line.round}`,
        line.value,
      );
    }
  }
  for (const runId of runIds) {
    for (const line of lines) {
      if (line.runId !== runId || line.kind !== "summary") continue;
      if (line.verdict === undefined || line.verdict === "reported") continue;
      const key = `${line.workload}|${line.implementation}`;
      let row = rows.get(key);
      if (row === undefined) {
        row = { summary: line, runRatios: [], roundRatios: [] };
        rows.set(key, row);
      }
      row.runRatios.push(line.ratio ?? Number.NaN);
      for (let round = 1; ; round++) {
        const ours = sampleValue.get(`${runId}|${line.workload}|${line.implementation}|${round}`);
        const base = sampleValue.get(`${runId}|${line.workload}|${line.baseline}|${round}`);
        if (ours === undefined || base === undefined) break;
        row.roundRatios.push(ours / base);
      }
    }
  }
  return [...rows.values()].map(({ summary, runRatios, roundRatios }) => {
    const target = targetOf(summary.verdict ?? "");
    const meets = (ratio: number) =>
      target === undefined || (target.atLeast ? ratio >= target.ratio : ratio <= target.ratio);
    return {
      workload: summary.workload,
      implementation: summary.implementation,
      target: target === undefined ? "" : `${target.atLeast ? "≥" : "≤"} ${target.ratio}×`,
      runRatios,
      roundRatios,
      roundsMet: roundRatios.filter(meets).length,
    };
  });
}

function main(): void {
  const args = process.argv.slice(2);
  let suite = "network";
  if (args[0] === "--suite") {
    suite = args[1] ?? suite;
    args.splice(0, 2);
  }
  if (args.length === 0) {
    console.error("usage: tsx src/pool-ratios.ts [--suite network] <runId> [runId …]");
    process.exitCode = 1;
    return;
  }
  const lines = readFileSync(`results/${suite}.jsonl`, "utf8")
    .split("\n")
    .filter((text) => text.trim() !== "")
    .map((text) => JSON.parse(text) as Line);
  console.log(
    "| workload | implementation | target | each run | rounds: median (min – max) | rounds met |",
  );
  console.log("|---|---|---|---|---|---|");
  for (const row of pool(lines, args)) {
    const r = row.roundRatios;
    console.log(
      `| ${row.workload} | ${row.implementation} | ${row.target} | ${row.runRatios
        .map((x) => x.toFixed(2))
        .join(" / ")} | ${median(r).toFixed(2)} (${Math.min(...r).toFixed(2)} – ${Math.max(
        ...r,
      ).toFixed(2)}) | ${row.roundsMet} of ${r.length} |`,
    );
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href)
  main();
