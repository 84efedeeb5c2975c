import { describe, expect, it } from "vitest";
import { median } from "./harness/stats.js";
import { pool, targetOf } from "./pool-ratios.js";

const base = "ws + bufferutil + utf-8-validate";
const ours = "netsockets MessageWebSocket";

/** The lines one run writes for one workload: a sample per implementation and round, a summary. */
function run(runId: string, workload: string, verdict: string, rounds: [number, number][]) {
  const samples = rounds.flatMap(([baseline, mine], i) => [
    {
      kind: "sample" as const,
      runId,
      workload,
      implementation: base,
      round: i + 1,
      value: baseline,
    },
    { kind: "sample" as const, runId, workload, implementation: ours, round: i + 1, value: mine },
  ]);
  const ratio =
    median(rounds.map(([, mine]) => mine)) / median(rounds.map(([baseline]) => baseline));
  return [
    ...samples,
    { kind: "summary" as const, runId, workload, implementation: base, baseline: base, ratio: 1 },
    {
      kind: "summary" as const,
      runId,
      workload,
      implementation: ours,
      baseline: base,
      ratio,
      verdict,
    },
  ];
}

describe("pool-ratios", () => {
  it("reads the target from a verdict", () => {
    expect(targetOf("met (≥ 1.5×)")).toEqual({ atLeast: true, ratio: 1.5 });
    expect(targetOf("MISS (≤ 0.8×)")).toEqual({ atLeast: false, ratio: 0.8 });
    expect(targetOf("~ (≥ 1×, within 5 %)")).toEqual({ atLeast: true, ratio: 1 });
    expect(targetOf("reported")).toBeUndefined();
  });

  it("pairs each round with the baseline's same round and counts the rounds that met", () => {
    const lines = [
      ...run("A", "w", "met (≥ 1×)", [
        [100, 120],
        [200, 150],
        [100, 100],
      ]),
      ...run("B", "w", "MISS (≥ 1×)", [
        [100, 90],
        [50, 60],
      ]),
      ...run("C", "w", "met (≥ 1×)", [[100, 500]]),
    ];
    const [row] = pool(lines, ["B", "A"]);
    expect(row?.runRatios.map((r) => Number(r.toFixed(3)))).toEqual([1, 1.2]);
    expect(row?.roundRatios).toEqual([0.9, 1.2, 1.2, 0.75, 1]);
    expect(row?.roundsMet).toBe(3);
    expect(row?.target).toBe("≥ 1×");
  });

  it("judges a lower-is-better target the other way", () => {
    const lines = run("A", "idle", "met (≤ 0.8×)", [
      [4, 3],
      [4, 3.6],
    ]);
    expect(pool(lines, ["A"])[0]?.roundsMet).toBe(1);
  });
});
