import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterEach, expect, it } from "vitest";
import { autobahnCases } from "../../../packages/message/test/conformance/autobahn-cases.js";
import { runCaseScript } from "../../../packages/message/test/conformance/case-runner.js";
import {
  type FakeFuzzingServer,
  startFakeFuzzingServer,
} from "../../../packages/message/test/conformance/fake-fuzzing-server.js";
import { rawClientConnect } from "../../../packages/message/test/conformance/raw-peer.js";

const dist = (name: string) => fileURLToPath(new URL(`../dist/${name}`, import.meta.url));
let fuzzer: FakeFuzzingServer | undefined;
let child: ChildProcessWithoutNullStreams | undefined;
afterEach(async () => {
  child?.kill("SIGKILL");
  child = undefined;
  await fuzzer?.close();
  fuzzer = undefined;
});

/** Runs a built script to its exit; resolves with the exit code and stdout lines. */
function run(args: string[]): Promise<{ code: number | null; lines: string[] }> {
  const proc = spawn(process.execPath, args);
  child = proc;
  const lines: string[] = [];
  createInterface({ input: proc.stdout }).on("line", (line) => lines.push(line));
  return new Promise((resolve) => proc.once("exit", (code) => resolve({ code, lines })));
}

it("node dist/client.js --url … --agent netsockets --cases … drives the fuzzing server", async () => {
  // The quick spec of peers.md §4.4: everything but 9.* (12.* and 13.* are not in the table).
  fuzzer = await startFakeFuzzingServer({ cases: ["*"], excludeCases: ["9.*"] });
  const count = fuzzer.cases.length;
  const { code, lines } = await run([
    dist("client.js"),
    "--url",
    fuzzer.url,
    "--agent",
    "netsockets",
    "--cases",
    `1-40,150-`,
  ]);
  expect(code).toBe(0);
  const numbers = [
    ...Array.from({ length: 40 }, (_, i) => i + 1),
    ...Array.from({ length: count - 149 }, (_, i) => 150 + i),
  ];
  const verdicts = await Promise.all(
    numbers.map((n) =>
      (fuzzer as FakeFuzzingServer).verdict("netsockets", fuzzer?.cases[n - 1]?.id ?? ""),
    ),
  );
  expect(verdicts.filter((v) => v.behavior !== "OK" || v.behaviorClose !== "OK")).toEqual([]);
  expect(fuzzer.verdicts.get("netsockets")?.size).toBe(numbers.length);
  expect(fuzzer.reportsUpdated).toEqual(["netsockets"]);
  expect(lines.filter((l) => l.startsWith("case "))).toHaveLength(numbers.length);
  expect(lines.at(-1)).toMatch(new RegExp(`^ran ${numbers.length} of ${count} cases`));
});

it("node dist/client.js --partial echoes fragment by fragment, every case OK", async () => {
  fuzzer = await startFakeFuzzingServer({ cases: ["5.*", "6.4.*", "9.3.1", "10.1.1"] });
  const { code } = await run([
    dist("client.js"),
    "--url",
    fuzzer.url,
    "--agent",
    "partial",
    "--partial",
  ]);
  expect(code).toBe(0);
  const verdicts = await Promise.all(
    fuzzer.cases.map((c) => (fuzzer as FakeFuzzingServer).verdict("partial", c.id)),
  );
  expect(verdicts.filter((v) => v.behavior !== "OK" || v.behaviorClose !== "OK")).toEqual([]);
});

it("node dist/server.js is an echo server the fuzzer's cases pass against; SIGTERM exits 0", async () => {
  const proc = spawn(process.execPath, [dist("server.js"), "--port", "0"]);
  child = proc;
  const url = await new Promise<string>((resolve) =>
    createInterface({ input: proc.stdout }).on("line", (line) => {
      const match = /^listening (\S+)$/.exec(line);
      if (match?.[1] !== undefined) resolve(match[1]);
    }),
  );
  const port = Number(new URL(url).port);
  for (const c of autobahnCases.filter((c) => /^(1\.1|3|5|6\.4|7\.9)\./.test(`${c.id}.`))) {
    const verdict = await runCaseScript(c.id, await rawClientConnect(port), c.build(), "client");
    expect(verdict.failures, c.id).toEqual([]);
  }
  const exited = new Promise<number | null>((resolve) => proc.once("exit", resolve));
  proc.kill("SIGTERM");
  expect(await exited).toBe(0);
});
