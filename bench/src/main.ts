/**
 * `pnpm bench`: runs every selected workload × implementation in fresh child processes,
 * interleaved (A B C, C B A, A B C, … for N rounds, so drift on a shared machine hits everyone
 * alike and the baseline does not always run first),
 * takes each implementation's median, prints a table with ratios against the first
 * implementation (the baseline) and appends every result to results/<suite>.jsonl.
 */
import { appendFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { ChildSpec } from "./harness/child.js";
import { compileBench } from "./harness/compile.js";
import { benchRoot, loadSuites } from "./harness/discover.js";
import { loadAverage, machineInfo } from "./harness/machine.js";
import { timings } from "./harness/measure.js";
import { type Options, parseOptions, roundOrder, roundsOf, usage } from "./harness/options.js";
import { formatValue, renderTable, type Summary, summarize, verdict } from "./harness/report.js";
import { childArgs, runChild } from "./harness/run-child.js";
import { fromSource } from "./harness/source-mode.js";
import type { ChildResult, Implementation, Workload } from "./harness/types.js";

function selected(options: Options, suiteName: string, workload: Workload): boolean {
  if (options.filters.length === 0) return true;
  const haystack = `${suiteName} ${workload.id}`.toLowerCase();
  return options.filters.some((f) => haystack.includes(f));
}

function selectedImpls(options: Options, workload: Workload): Implementation[] {
  return workload.implementations.filter(
    (impl, i) =>
      i === 0 ||
      options.impls.length === 0 ||
      options.impls.some((f) => impl.name.toLowerCase().includes(f)),
  );
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const options = parseOptions(argv);
  if (options.help) {
    console.log(usage);
    return;
  }
  const suites = await loadSuites();
  const plan = suites.flatMap(({ file, suite }) =>
    suite.workloads
      .filter((w) => selected(options, suite.name, w))
      .map((workload) => ({
        file,
        suite,
        workload: { ...workload, implementations: selectedImpls(options, workload) },
      })),
  );
  if (options.list) {
    for (const { file, suite } of suites) {
      console.log(`${suite.name} (${file}): ${suite.description}`);
      for (const w of suite.workloads) {
        console.log(`  ${w.id}: ${w.title} [${w.unit}]`);
        for (const impl of w.implementations) {
          const env = Object.entries(impl.env ?? {}).map(([k, v]) => `${k}=${v} `);
          console.log(`    ${impl.ours === true ? "*" : "-"} ${env.join("")}${impl.name}`);
        }
      }
    }
    return;
  }

  const machine = machineInfo();
  const date = new Date().toISOString();
  const viaPnpm = process.env.npm_lifecycle_event === "bench" ? " (pnpm bench)" : "";
  const command = ["tsx src/main.ts", ...argv].join(" ");
  const timing = timings[options.mode];
  console.log(`command: ${command}${viaPnpm}, in bench/`);
  // The children run the bench compiled (unless in source mode): compile it now, from this
  // checkout's sources, so no stale build can be measured.
  const compiledFiles = fromSource ? 0 : await compileBench();
  const childCommand = childArgs({ file: "", workload: "", implementation: "", mode: options.mode })
    .slice(0, -1)
    .join(" ");
  console.log(
    `child:   node ${childCommand} '<spec JSON>'${fromSource ? " (source mode)" : ` (bench compiled to build/: ${compiledFiles} files)`}`,
  );
  console.log(`node:    ${machine.node} (V8 ${machine.v8}), ${machine.platform}`);
  console.log(`cpu:     ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB`);
  console.log(`date:    ${date}, load average ${loadAverage()}`);
  console.log(
    `mode:    ${options.mode}: ${options.rounds} interleaved rounds${options.roundsGiven ? "" : " (unless a suite or workload sets its own)"}, ${timing.warmupMs} ms warm-up + ${timing.measureMs} ms (≥ ${timing.minBatches} batches) per child`,
  );
  console.log(
    "figures: median per-batch rate per CPU-second of the child (user + system), unless a row says wall-clock; median over rounds",
  );
  console.log("");

  const resultsDir = join(benchRoot, "results");
  mkdirSync(resultsDir, { recursive: true });
  const profileDir = options.profile ? join(resultsDir, "profiles") : undefined;
  const runId = date;
  const summaries: Summary[] = [];
  let failures = 0;

  for (const { file, suite, workload } of plan) {
    const results = new Map<string, ChildResult[]>();
    const resultsFile = join(resultsDir, `${slug(suite.name)}.jsonl`);
    const rounds = roundsOf(options, suite, workload);
    for (let round = 1; round <= rounds; round++) {
      const line: string[] = [];
      for (const impl of roundOrder(workload.implementations, round)) {
        const spec: ChildSpec = {
          file,
          workload: workload.id,
          implementation: impl.name,
          mode: options.mode,
        };
        try {
          const result = await runChild(spec, {
            env: impl.env,
            profileDir,
            profileName: `${workload.id}.${slug(impl.name)}.${round}.cpuprofile`,
          });
          results.set(impl.name, [...(results.get(impl.name) ?? []), result]);
          appendFileSync(
            resultsFile,
            `${JSON.stringify({ kind: "sample", runId, round, command, ...result })}\n`,
          );
          line.push(`${impl.name} ${formatValue(result.value, workload.unit)}`);
        } catch (error) {
          failures++;
          console.error(error instanceof Error ? error.message : String(error));
          line.push(`${impl.name} failed`);
        }
      }
      console.error(`${workload.id} ${round}/${rounds}: ${line.join(", ")}`);
    }
    const rows = summarize(workload, results);
    summaries.push(...rows);
    for (const s of rows) {
      appendFileSync(
        resultsFile,
        `${JSON.stringify({
          kind: "summary",
          runId,
          command,
          mode: options.mode,
          rounds,
          machine,
          suite: suite.name,
          workload: workload.id,
          title: workload.title,
          unit: workload.unit,
          implementation: s.implementation,
          baseline: workload.implementations[0]?.name,
          median: s.median,
          min: s.min,
          max: s.max,
          ratio: s.ratio,
          wallMedian: s.wallMedian,
          values: s.values,
          ...(s.ours ? { verdict: verdict(s) } : {}),
        })}\n`,
      );
    }
  }

  console.log("");
  console.log(renderTable(summaries));
  console.log("");
  console.log(
    `load average at the end: ${loadAverage()}; results appended to bench/results/*.jsonl${profileDir === undefined ? "" : "; profiles in bench/results/profiles/"}`,
  );
  if (failures > 0) {
    console.error(`${failures} child run(s) failed`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
