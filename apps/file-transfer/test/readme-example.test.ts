// The "In code" example of README.md, verbatim between the region markers (the last test checks
// that), run on a generated 3 MiB + 5 byte file.
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it, vi } from "vitest";
import { expectMarkdownShowsRegion } from "../../../tests/support/readme.js";
import { clearProxyEnvironment } from "../../../tests/support/servers.js";
import { writeGeneratedFile } from "./generated-file.js";

// The example talks to 127.0.0.1: a proxy set in the machine's environment must not take it.
clearProxyEnvironment();

// #region readme
import { sendFile, startReceiver } from "@netsockets-apps/file-transfer";

/** Sends `file` to a receiver on this machine that stores it in the directory `inbox`. */
export async function sendToLocalInbox(file: string, inbox: string) {
  const receiver = await startReceiver({
    dir: inbox,
    port: 0, // a free port
    onTransfer: (t) => console.log("received:", t.name, t.ok), // received: movie.bin true
  });
  const percents: number[] = [];
  const result = await sendFile(file, receiver.url, {
    // `sent`: handed to the kernel; `confirmed`: hashed and written by the receiver; of `total`
    onProgress: (_sent, confirmed, total) => percents.push(Math.floor((100 * confirmed) / total)),
  });
  console.log(result.ok, result.confirmed, result.errorStatus); // true 50000000 null
  await receiver.close();
  return { result, percents };
}
// #endregion readme

const root = mkdtempSync(join(tmpdir(), "file-transfer-readme-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

it("sends the file, which arrives intact under its name, with progress up to 100 %", async () => {
  const size = 3 * 1024 * 1024 + 5;
  const file = join(root, "movie.bin");
  const sha256 = await writeGeneratedFile(file, size, 7);
  const inbox = join(root, "inbox");
  mkdirSync(inbox);
  const lines: unknown[][] = [];
  let sawReceived: () => void = () => {};
  const received = new Promise<void>((resolve) => {
    sawReceived = resolve;
  });
  const logged = vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => {
    lines.push(args);
    if (args[0] === "received:") sawReceived();
  });
  try {
    const { result, percents } = await sendToLocalInbox(file, inbox);
    await received; // the receiver reports after its final status went out
    expect(result).toMatchObject({ ok: true, confirmed: size, errorStatus: null, sha256 });
    expect(lines).toContainEqual([true, size, null]);
    expect(lines).toContainEqual(["received:", "movie.bin", true]);
    expect(percents.at(-1)).toBe(100);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
  } finally {
    logged.mockRestore();
  }
  const arrived = readFileSync(join(inbox, "movie.bin"));
  expect(createHash("sha256").update(arrived).digest("hex")).toBe(sha256);
});

it("README.md shows this example verbatim", () => {
  expectMarkdownShowsRegion(
    new URL("../README.md", import.meta.url),
    new URL(import.meta.url),
    "readme",
    "## In code",
  );
});
