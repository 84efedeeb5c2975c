import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const main = fileURLToPath(new URL("../dist/main.js", import.meta.url));

it("node dist/main.js runs every sample and exits 0 by itself", async () => {
  const child = spawn(process.execPath, [main], {
    env: { ...process.env, NETSOCKETS_DEMO_CANCEL_MS: "250" },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
  expect(stderr).toBe("");
  expect(code).toBe(0);
  for (const line of [
    "Sending message using MessageWebSocket: Hello, World!",
    "Message received from MessageWebSocket: Hello, World!",
    "StreamWebSocket Control.NoDelay = false (set before ConnectAsync)",
    "Data received from StreamWebSocket: 10 bytes (00:01:02:03:04:05:06:07:08:09)",
    "Error: cannotConnect (14)",
    "Echo server closed.",
  ]) {
    expect(stdout).toContain(`${line}\n`);
  }
  expect(stdout).toMatch(/^Server certificate pinned: SHA-256 [0-9A-F:]{95}$/m);
  expect(stdout).toMatch(/^ConnectAsync cancelled after \d+ ms: operationCanceled$/m);
});
