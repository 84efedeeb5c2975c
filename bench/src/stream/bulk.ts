// One-way bulk transfer over loopback, client → server, each end in its own process:
// StreamWebSocket, ws with bufferutil (binary 64 KiB messages) and raw node:net (no framing),
// interleaved rounds, medians and ratios. A standalone script (not a harness suite: it needs two
// processes per measurement):
//
//   pnpm --filter @netsockets/bench exec tsx src/stream/bulk.ts [--mib 1024] [--rounds 5] [--profile]
//
// --profile writes V8 CPU profiles of the StreamWebSocket ends to results/profiles/<end>/, one
// per thread (the main thread's is the largest; read it with src/profile-top.ts). MB/s is 10^6 payload bytes per second, timed at the receiver from the
// first byte to the last.
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { packageConditions } from "../harness/source-mode.js";

const here = dirname(fileURLToPath(import.meta.url));
const benchDir = join(here, "..", "..");
const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(args[i + 1]);
};
const mib = option("mib", 1024);
const rounds = option("rounds", 5);
const profile = args.includes("--profile");
const total = mib * 1024 * 1024;
const impls = ["ws", "stream", "tcp"] as const;
const names: Record<(typeof impls)[number], string> = {
  ws: "ws + bufferutil (64 KiB messages)",
  stream: "StreamWebSocket (1 MiB writes)",
  tcp: "raw node:net (no framing)",
};

function peer(
  argv: string[],
  name: string,
): { lines: AsyncIterator<string>; done: Promise<number> } {
  const env = { ...process.env };
  delete env.WS_NO_BUFFER_UTIL;
  const node = ["--import", "tsx", ...packageConditions];
  if (profile && argv[1] === "stream") {
    // One folder per child: with tsx's loader thread Node writes one profile per thread, and a
    // shared --cpu-prof-name would let the loader's overwrite the main thread's.
    const dir = join(benchDir, "results", "profiles", name);
    mkdirSync(dir, { recursive: true });
    node.push("--cpu-prof", `--cpu-prof-dir=${dir}`);
  }
  const child = spawn(process.execPath, [...node, join(here, "bulk-peer.ts"), ...argv], {
    cwd: benchDir,
    env,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const done = new Promise<number>((resolve) => child.on("exit", (code) => resolve(code ?? 1)));
  return { lines, done };
}

interface Sample {
  readonly mbps: number;
  /** CPU ms per GiB, sender and receiver. */
  readonly sendCpu: number;
  readonly receiveCpu: number;
}

/** The next JSON line a child printed (other output is passed through); fails if it exited. */
async function nextJson<T>(lines: AsyncIterator<string>, what: string): Promise<T> {
  for (;;) {
    const line = await lines.next();
    if (line.done) throw new Error(`the ${what} exited without reporting`);
    if (line.value.startsWith("{")) return JSON.parse(line.value) as T;
    process.stderr.write(`${what}: ${line.value}\n`);
  }
}

async function measure(impl: string, round: number): Promise<Sample> {
  const receiver = peer(["receive", impl], `bulk-receive-${impl}-${round}`);
  const { port } = await nextJson<{ port: number }>(receiver.lines, `${impl} receiver`);
  const sender = peer(["send", impl, String(port), String(total)], `bulk-send-${impl}-${round}`);
  const result = await nextJson<{ bytes: number; ms: number; cpuMs: number }>(
    receiver.lines,
    `${impl} receiver`,
  );
  const sent = await nextJson<{ cpuMs: number }>(sender.lines, `${impl} sender`);
  await Promise.all([receiver.done, sender.done]);
  if (result.bytes !== total) {
    throw new Error(`${impl}: received ${result.bytes} of ${total} bytes`);
  }
  const gib = total / 2 ** 30;
  return {
    mbps: total / 1e6 / (result.ms / 1000),
    sendCpu: sent.cpuMs / gib,
    receiveCpu: result.cpuMs / gib,
  };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

console.log(
  `node ${process.version}, ${cpus().length} × ${cpus()[0]?.model}, load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);
console.log(
  `one-way ${mib} MiB client → server over 127.0.0.1, ${rounds} interleaved rounds${profile ? " (profiling)" : ""}`,
);
const results: Record<string, number[]> = { ws: [], stream: [], tcp: [] };
const cpu: Record<string, { send: number[]; receive: number[] }> = {
  ws: { send: [], receive: [] },
  stream: { send: [], receive: [] },
  tcp: { send: [], receive: [] },
};
for (let round = 1; round <= rounds; round++) {
  for (const impl of impls) {
    const sample = await measure(impl, round);
    results[impl]?.push(sample.mbps);
    cpu[impl]?.send.push(sample.sendCpu);
    cpu[impl]?.receive.push(sample.receiveCpu);
    process.stderr.write(
      `round ${round}: ${impl} ${sample.mbps.toFixed(0)} MB/s, CPU/GiB send ${sample.sendCpu.toFixed(0)} ms, receive ${sample.receiveCpu.toFixed(0)} ms\n`,
    );
  }
}
const m = Object.fromEntries(impls.map((impl) => [impl, median(results[impl] ?? [])])) as Record<
  (typeof impls)[number],
  number
>;
console.log("");
console.log(
  "| implementation | median MB/s | min – max | vs ws+bufferutil | vs raw TCP | CPU ms/GiB send | CPU ms/GiB receive |",
);
console.log("|---|---|---|---|---|---|---|");
for (const impl of impls) {
  const values = results[impl] ?? [];
  const c = cpu[impl] ?? { send: [], receive: [] };
  console.log(
    `| ${names[impl]} | ${m[impl].toFixed(0)} | ${Math.min(...values).toFixed(0)} – ${Math.max(...values).toFixed(0)} | ${(m[impl] / m.ws).toFixed(2)} | ${(m[impl] / m.tcp).toFixed(2)} | ${median(c.send).toFixed(0)} | ${median(c.receive).toFixed(0)} |`,
  );
}
console.log(
  `\nload at the end ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);
