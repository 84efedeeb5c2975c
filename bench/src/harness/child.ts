/**
 * The child process entry: runs one implementation of one workload and prints one JSON line
 * ({@link ChildResult}) on stdout. The parent starts it as
 * `node --import tsx [--conditions=@netsockets/source] src/harness/child.ts '<spec JSON>'`
 * with the implementation's environment, so each measurement starts from a cold, private heap
 * and JIT and sees only its own modules (e.g. ws with or without bufferutil).
 */
import { loadSuite } from "./discover.js";
import { type Batch, measure, timings } from "./measure.js";
import { median } from "./stats.js";
import { type ChildResult, type RunMode, unitScale } from "./types.js";

/** What the parent asks a child to run. */
export interface ChildSpec {
  /** Suite file, relative to the bench folder. */
  readonly file: string;
  readonly workload: string;
  readonly implementation: string;
  readonly mode: RunMode;
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? "") as ChildSpec;
  const suite = await loadSuite(spec.file);
  const workload = suite.workloads.find((w) => w.id === spec.workload);
  const impl = workload?.implementations.find((i) => i.name === spec.implementation);
  if (workload === undefined || impl === undefined) {
    throw new Error(`no ${spec.workload} / ${spec.implementation} in ${spec.file}`);
  }
  const body = await impl.setup({ mode: spec.mode, check: false });
  const batches = await measure(body, { ...timings[spec.mode], ...workload.timing?.[spec.mode] });
  // The timed batches count what they delivered; this makes sure it was all of it.
  body.verify?.();
  const figure = body.figure?.();
  const extra = body.extra?.();
  await body.dispose?.();
  const scale = unitScale(workload.unit);
  const clock = workload.clock ?? "cpu";
  const sum = (f: (b: Batch) => number): number => batches.reduce((t, b) => t + f(b), 0);
  // A batch too short for the CPU clock's microseconds counts as one microsecond.
  const cpuRate = median(batches.map((b) => b.work / Math.max(b.cpu, 1e-6))) / scale;
  const wallRate = median(batches.map((b) => b.work / b.wall)) / scale;
  const result: ChildResult = {
    suite: suite.name,
    workload: workload.id,
    implementation: impl.name,
    unit: workload.unit,
    value: figure ?? (clock === "cpu" ? cpuRate : wallRate),
    clock,
    cpuRate,
    wallRate,
    mean: sum((b) => b.work) / sum((b) => b.wall) / scale,
    batches: batches.length,
    seconds: sum((b) => b.wall),
    cpuSeconds: sum((b) => b.cpu),
    mode: spec.mode,
    node: process.version,
    pid: process.pid,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    ...(extra === undefined ? {} : { extra }),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
