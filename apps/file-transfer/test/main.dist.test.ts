import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterAll, expect, it } from "vitest";
import { writeGeneratedFile } from "./generated-file.js";

const main = fileURLToPath(new URL("../dist/main.js", import.meta.url));
const root = mkdtempSync(join(tmpdir(), "file-transfer-dist-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Runs the built CLI to its end: exit code, stdout, stderr. */
function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = spawn(process.execPath, [main, ...args]);
  let stdout = "";
  let stderr = "";
  proc.stdout.on("data", (d) => (stdout += d));
  proc.stderr.on("data", (d) => (stderr += d));
  return new Promise((resolve) => proc.once("close", (code) => resolve({ code, stdout, stderr })));
}

it("node dist/main.js receive --once and send: the file arrives verified, both exit 0", async () => {
  const dir = join(root, "in");
  mkdirSync(dir);
  const file = join(root, "sample.bin");
  const sha = await writeGeneratedFile(file, 5 * 1024 * 1024 + 3, 42);
  const receiver = spawn(process.execPath, [
    main,
    "receive",
    "--port",
    "0",
    "--dir",
    dir,
    "--once",
  ]);
  let receiverOut = "";
  const exited = new Promise<number | null>((resolve) => receiver.once("close", resolve));
  const url = await new Promise<string>((resolve, reject) => {
    receiver.once("exit", (code) => reject(new Error(`receiver exited with ${code}`)));
    createInterface({ input: receiver.stdout }).on("line", (line) => {
      receiverOut += `${line}\n`;
      const match = /^listening (\S+)$/.exec(line);
      if (match?.[1] !== undefined) resolve(match[1]);
    });
  });
  expect(url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/$/);
  const sent = await run(["send", file, url]);
  expect(sent.code).toBe(0);
  expect(sent.stdout).toBe(
    `sent sample.bin: 5242883 bytes (5.0 MiB), sha256 ${sha}, confirmed by the receiver\n`,
  );
  expect(sent.stderr).toMatch(/send sample\.bin \[#+\] 100\.0%/); // not a TTY: plain lines
  expect(await exited).toBe(0);
  expect(receiverOut).toContain(`sha256 ${sha} verified`);
  expect(readFileSync(join(dir, "sample.bin")).equals(readFileSync(file))).toBe(true);
});

it("a bad command line exits 2", async () => {
  const result = await run(["send"]);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain("usage:");
});
