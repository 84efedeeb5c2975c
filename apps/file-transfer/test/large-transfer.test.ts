import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { runCli } from "../src/cli.js";
import type { ReceivedTransfer } from "../src/index.js";
import { sendFile } from "../src/sender.js";
import { exited, forkReceiver, nextMessage } from "./child.js";
import { hashOfFile, writeGeneratedFile } from "./generated-file.js";

const MiB = 1024 * 1024;
const seed = Number(process.env.NETSOCKETS_SEED ?? 20261126);
console.log(`file-transfer: generated content seed ${seed}`);

const root = mkdtempSync(join(tmpdir(), "file-transfer-large-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Collects what is written, for the CLI's stdout/stderr. */
const capture = () => {
  const out = { text: "", isTTY: false, write: (s: string) => (out.text += s) };
  return out;
};

it("256 MiB: hashed on both ends, renamed after the hash matched, receiver peak RSS bounded", async () => {
  const source = join(root, "big.bin");
  const expected = await writeGeneratedFile(source, 256 * MiB, seed);
  const dir = join(root, "in");
  mkdirSync(dir);
  const child = forkReceiver(dir);
  try {
    const ready = await nextMessage<{ port: number; maxRssKiB: number }>(child, "ready");
    const done = nextMessage<{ transfer: ReceivedTransfer; maxRssKiB: number }>(child, "done");
    const started = performance.now();
    const sent = await sendFile(source, `ws://127.0.0.1:${ready.port}/`, {
      socketOptions: { proxy: false },
    });
    const seconds = (performance.now() - started) / 1000;
    const { transfer, maxRssKiB } = await done;
    const growth = (maxRssKiB - ready.maxRssKiB) * 1024;
    console.log(
      `256 MiB in ${seconds.toFixed(1)} s (hash + send + verify); receiver peak RSS growth ${(growth / MiB).toFixed(1)} MiB`,
    );
    expect(sent.ok).toBe(true);
    expect(sent.sha256).toBe(expected);
    expect(sent.confirmed).toBe(256 * MiB);
    expect(transfer.ok).toBe(true);
    expect(transfer.sha256).toBe(expected);
    expect(transfer.path).toBe(join(dir, "big.bin"));
    expect(readdirSync(dir)).toEqual(["big.bin"]); // no .part left
    expect(statSync(join(dir, "big.bin")).size).toBe(256 * MiB);
    expect(await hashOfFile(join(dir, "big.bin"))).toBe(expected);
    // Garbage the collector has not reclaimed yet makes up most of it; a leak of the body would be ≥ 256 MiB.
    expect(growth).toBeLessThan(128 * MiB);
  } finally {
    child.send("exit");
    await exited(child);
  }
}, 60_000);

it("a receiver killed mid-transfer: the sender prints connectionReset/connectionAborted and the bytes confirmed", async () => {
  const source = join(root, "killed.bin");
  await writeGeneratedFile(source, 64 * MiB, seed + 1);
  const dir = join(root, "killed");
  mkdirSync(dir);
  const child = forkReceiver(dir, 12 * MiB);
  try {
    const ready = await nextMessage<{ port: number }>(child, "ready");
    const stdout = capture();
    const stderr = capture();
    const code = await runCli(["send", source, `ws://127.0.0.1:${ready.port}/`], {
      stdout,
      stderr,
      sendOptions: { socketOptions: { proxy: false } },
    });
    await exited(child);
    expect(child.signalCode).toBe("SIGKILL");
    expect(code).toBe(1);
    expect(stdout.text).toBe("");
    const match =
      /send failed: (connectionReset|connectionAborted) \(.*\): (\d+) bytes sent, (\d+) bytes confirmed by the receiver\n$/.exec(
        stderr.text,
      );
    expect(match, stderr.text).not.toBeNull();
    const confirmed = Number(match?.[3]);
    // Progress records come every 4 MiB; the receiver died at 12 MiB, so 4–12 MiB were confirmed.
    expect(confirmed).toBeGreaterThanOrEqual(4 * MiB);
    expect(confirmed).toBeLessThanOrEqual(12 * MiB);
    expect(Number(match?.[2])).toBeGreaterThanOrEqual(confirmed);
    // The receiver died: its .part file stays (nobody is left to delete it), never the final name.
    expect(readdirSync(dir)).toEqual(["killed.bin.part"]);
  } finally {
    child.kill("SIGKILL");
    await exited(child);
  }
}, 60_000);
