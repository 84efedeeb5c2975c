/**
 * Keeps the benchmarks honest without timing anything: every implementation of every workload
 * of every suite runs a few batches in check mode, where each delivered payload is compared
 * with the one sent; then one workload goes through the real child-process path.
 */
import { describe, expect, it, vi } from "vitest";
import { findSuiteFiles, loadSuite } from "./harness/discover.js";
import { measure } from "./harness/measure.js";
import { parseOptions, roundOrder, roundsOf } from "./harness/options.js";
import { formatRatio, renderTable, type Summary, summarize, verdict } from "./harness/report.js";
import { runChild } from "./harness/run-child.js";
import { median } from "./harness/stats.js";
import type { ChildResult } from "./harness/types.js";
import { topFunctions } from "./profile-top.js";
import { wsInternals } from "./protocol/ws-internals.js";

const files = await findSuiteFiles();
const suites = await Promise.all(
  files.map(async (file) => ({ file, suite: await loadSuite(file) })),
);

describe.each(suites)("$suite.name ($file)", ({ suite }) => {
  const cases = suite.workloads.flatMap((workload) =>
    workload.implementations.map((impl) => ({ label: `${workload.id} / ${impl.name}`, impl })),
  );
  it.each(cases)("$label delivers what was sent", async ({ impl }) => {
    const body = await impl.setup({ mode: "quick", check: true });
    for (let batch = 0; batch < 3; batch++) {
      body.prepare?.();
      const work = await body.run();
      expect(work).toBeGreaterThan(0);
      body.verify?.();
    }
    await body.dispose?.();
  });
});

describe("harness", () => {
  it("finds the protocol suite", () => {
    expect(files).toContain("src/protocol/protocol.bench.ts");
  });

  it("takes a workload's rounds before its suite's, and --rounds before both", () => {
    const full = parseOptions(["--full"]);
    const quick = parseOptions(["--quick"]);
    const given = parseOptions(["--full", "--rounds", "2"]);
    const suite = { rounds: { quick: 1, full: 3 } };
    const own = { rounds: { full: 7 } };
    expect(roundsOf(full, suite, own)).toBe(7);
    expect(roundsOf(full, suite, {})).toBe(3);
    expect(roundsOf(quick, suite, own)).toBe(1);
    expect(roundsOf(full, {}, {})).toBe(5);
    expect(roundsOf(given, suite, own)).toBe(2);
  });

  it("runs the implementations forward in odd rounds and reversed in even ones", () => {
    const list = ["ws", "ours", "tcp"] as const;
    expect(roundOrder(list, 1)).toEqual(["ws", "ours", "tcp"]);
    expect(roundOrder(list, 2)).toEqual(["tcp", "ours", "ws"]);
    expect(roundOrder(list, 3)).toEqual(["ws", "ours", "tcp"]);
    // The first and the last trade places round by round; the middle one stays.
    const firsts = [1, 2, 3, 4].map((round) => roundOrder(list, round)[0]);
    expect(firsts).toEqual(["ws", "tcp", "ws", "tcp"]);
    expect(list).toEqual(["ws", "ours", "tcp"]);
  });

  it("runs the network suite's noisy rows over more rounds in full mode only", () => {
    const suite = suites.find((s) => s.suite.name === "network")?.suite;
    if (suite === undefined) throw new Error("no network suite");
    const full = parseOptions(["--full"]);
    const quick = parseOptions(["--quick"]);
    const rounds = (id: string, options = full): number =>
      roundsOf(options, suite, suite.workloads.find((w) => w.id === id) ?? {});
    expect(rounds("net-many-connections")).toBe(7);
    expect(rounds("net-handshakes-sequential")).toBe(3);
    expect(rounds("net-handshakes-concurrent")).toBe(5);
    expect(rounds("net-bulk")).toBe(3);
    expect(rounds("net-many-connections", quick)).toBe(1);
  });

  it("measures only run(), for at least minBatches", async () => {
    let prepared = 0;
    const batches = await measure(
      {
        prepare: () => {
          prepared++;
        },
        run: () => 10,
      },
      { warmupMs: 0, measureMs: 0, minBatches: 4, minBatchMs: 1 },
    );
    expect(batches.map((b) => b.work)).toEqual([10, 10, 10, 10]);
    for (const b of batches) {
      expect(b.wall).toBeGreaterThan(0);
      expect(b.cpu).toBeGreaterThanOrEqual(0);
    }
    expect(prepared).toBe(6); // two warm-up batches, four timed ones
  });

  it("runs at least warmupBatches untimed batches before the timed ones", async () => {
    let runs = 0;
    const batches = await measure(
      {
        prepare: () => {},
        run: () => ++runs,
      },
      { warmupMs: 0, warmupBatches: 5, measureMs: 0, minBatches: 3, minBatchMs: 1 },
    );
    // Runs 1–5 warm up untimed; the timed batches are runs 6, 7 and 8.
    expect(batches.map((b) => b.work)).toEqual([6, 7, 8]);
  });

  it("repeats a body without prepare() until a batch lasts minBatchMs", async () => {
    // A run that takes 1/16 ms (exact in binary) on the clock the harness sizes batches with: a fake clock, so a
    // preempted run on a busy machine cannot make the batch size come out differently.
    let now = 1_000;
    const clock = vi.spyOn(performance, "now").mockImplementation(() => now);
    try {
      const batches = await measure(
        {
          run: () => {
            now += 0.0625;
            return 1;
          },
        },
        { warmupMs: 0, measureMs: 0, minBatches: 2, minBatchMs: 2 },
      );
      expect(batches).toHaveLength(2);
      // ceil(2 ms / 0.0625 ms) runs per batch.
      for (const b of batches) expect(b.work).toBe(32);
    } finally {
      clock.mockRestore();
    }
  });

  it("computes medians and ratios against the first implementation", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    const workload = {
      id: "w",
      title: "w",
      unit: "MB/s" as const,
      implementations: [
        { name: "base", setup: () => ({ run: () => 1 }) },
        { name: "ours", ours: true, setup: () => ({ run: () => 1 }) },
      ],
    };
    const sample = (implementation: string, value: number) =>
      ({ implementation, value, wallRate: value / 2 }) as ChildResult;
    const rows = summarize(
      workload,
      new Map([
        ["base", [sample("base", 100), sample("base", 300), sample("base", 200)]],
        ["ours", [sample("ours", 150), sample("ours", 90)]],
      ]),
    );
    expect(rows.map((r) => [r.median, r.ratio, r.wallMedian])).toEqual([
      [200, 1, 100],
      [120, 0.6, 60],
    ]);
    expect(renderTable(rows)).toContain("| MISS (≥ 1×)");
  });

  it("judges our rows against each workload's own target", () => {
    const judged = (ratio: number, target: number | null | undefined, lowerIsBetter = false) =>
      verdict({
        implementation: "ours",
        ours: true,
        failed: false,
        ratio,
        workload: {
          id: "w",
          title: "w",
          unit: "ops/s",
          implementations: [],
          target,
          lowerIsBetter,
        },
      } as unknown as Summary);
    expect(judged(1.2, undefined)).toBe("met (≥ 1×)");
    // 1.5× ws is not 3×: the default "as fast as the baseline" would have called it met.
    expect(judged(1.5, 3)).toBe("MISS (≥ 3×)");
    expect(judged(2.9, 3)).toBe("~ (≥ 3×, within 5 %)");
    expect(judged(3.004, 3)).toBe("met (≥ 3×)");
    // Memory: at most 0.8 of the baseline's figure.
    expect(judged(0.92, 0.8, true)).toBe("MISS (≤ 0.8×)");
    expect(judged(0.83, 0.8, true)).toBe("~ (≤ 0.8×, within 5 %)");
    expect(judged(0.8, 0.8, true)).toBe("met (≤ 0.8×)");
    expect(judged(0.5, null)).toBe("reported");
    // The exact ratio decides, not the two decimals the table would print.
    expect(judged(1.4953, 1.5)).toBe("~ (≥ 1.5×, within 5 %)");
    expect(judged(0.8049, 0.8, true)).toBe("~ (≤ 0.8×, within 5 %)");
    expect(judged(0.7951, 0.8, true)).toBe("met (≤ 0.8×)");
  });

  it("prints a third decimal where two would put a ratio on the wrong side of its target", () => {
    const row = (ratio: number, target?: number | null, lowerIsBetter = false) =>
      formatRatio({ ratio, workload: { target, lowerIsBetter } as Summary["workload"] });
    expect(row(1.4953, 1.5)).toBe("1.495");
    expect(row(1.5063, 1.5)).toBe("1.51");
    expect(row(0.9972, undefined)).toBe("0.997");
    expect(row(0.8049, 0.8, true)).toBe("0.805");
    expect(row(0.7341, 0.8, true)).toBe("0.73");
    expect(row(0.9972, null)).toBe("1.00");
    expect(row(Number.NaN, 1)).toBe("—");
  });

  it("ranks profile functions by self time", () => {
    const frame = (functionName: string) => ({ functionName, url: "", lineNumber: 0 });
    const rows = topFunctions({
      nodes: [
        { id: 1, callFrame: frame("a") },
        { id: 2, callFrame: frame("b") },
      ],
      samples: [1, 2, 2, 2],
      timeDeltas: [1000, 1000, 1000, 1000],
    });
    expect(rows.map((r) => [r.name, r.ms, r.share])).toEqual([
      ["b", 3, 0.75],
      ["a", 1, 0.25],
    ]);
  });

  it("loads ws's buffer-util with bufferutil in this process", () => {
    expect(wsInternals().usesBufferUtil).toBe(true);
  });

  it("runs a child with the implementation's environment and reads its JSON line", async () => {
    // "ws, no bufferutil" refuses to run when WS_NO_BUFFER_UTIL did not reach the child.
    const result = await runChild(
      {
        file: "src/protocol/protocol.bench.ts",
        workload: "unmask-1mib",
        implementation: "ws, no bufferutil",
        mode: "quick",
      },
      { env: { WS_NO_BUFFER_UTIL: "1" } },
    );
    expect(result).toMatchObject({
      suite: "protocol",
      workload: "unmask-1mib",
      unit: "MB/s",
      mode: "quick",
      clock: "cpu",
    });
    expect(result.value).toBe(result.cpuRate);
    expect(result.value).toBeGreaterThan(0);
    expect(result.batches).toBeGreaterThanOrEqual(3);
  });
});
