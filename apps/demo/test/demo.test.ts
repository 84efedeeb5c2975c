import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { DEFAULT_CANCEL_AFTER_MS, runDemo } from "../src/demo.js";
import { startLocalEchoServer } from "../src/local-echo-server.js";
import { messageWebSocketSample } from "../src/samples.js";
import { makeSelfSignedCertificate } from "../src/self-signed-certificate.js";

const FINGERPRINT = /^(?:[0-9A-F]{2}:){31}[0-9A-F]{2}$/;

/** Runs the demo in this process and returns the lines it printed. */
async function demoLines(cancelAfterMs: number): Promise<string[]> {
  const lines: string[] = [];
  await runDemo({ cancelAfterMs, log: (line) => lines.push(line) });
  return lines;
}

/** `expected` appear in `lines` in this order (other lines may come between). */
function expectInOrder(lines: readonly string[], expected: readonly (string | RegExp)[]): void {
  let at = 0;
  for (const want of expected) {
    const found = lines.findIndex(
      (line, i) => i >= at && (typeof want === "string" ? line === want : want.test(line)),
    );
    expect(
      found,
      `${String(want)} after line ${at} in:\n${lines.join("\n")}`,
    ).toBeGreaterThanOrEqual(0);
    at = found + 1;
  }
}

describe("runDemo", () => {
  it("runs every reference sample against the local echo server and prints the sample lines", async () => {
    const lines = await demoLines(200);
    const pin = /^Generated a self-signed certificate for localhost, SHA-256 (\S+)$/.exec(
      lines[0] ?? "",
    )?.[1];
    expect(pin).toMatch(FINGERPRINT);
    expectInOrder(lines, [
      /^Echo server listening on ws:\/\/127\.0\.0\.1:\d+\/ and wss:\/\/127\.0\.0\.1:\d+\/$/,
      // §4 + §10 over wss://, trusted through the pin
      `Server certificate pinned: SHA-256 ${pin}`,
      /^Connected to wss:\/\/127\.0\.0\.1:\d+\/ \(server certificate: CN=netsockets demo\)$/,
      "Sending message using MessageWebSocket: Hello, World!",
      "Message received from MessageWebSocket: Hello, World!",
      'MessageWebSocket_Closed; Code: 1005, Reason: ""',
      // §8 over ws://
      "StreamWebSocket Control.NoDelay = false (set before ConnectAsync)",
      /^Connected to ws:\/\//,
      "Setting NoDelay after ConnectAsync fails: ERR_INVALID_STATE (HRESULT 0x8000000e)",
      "Sending data using StreamWebSocket: 10 bytes",
      "Data received from StreamWebSocket: 10 bytes (00:01:02:03:04:05:06:07:08:09)",
      'StreamWebSocket_Closed; Code: 1005, Reason: ""',
      // §8 over wss://
      `Server certificate pinned: SHA-256 ${pin}`,
      /^Connected to wss:\/\//,
      "Data received from StreamWebSocket: 10 bytes (00:01:02:03:04:05:06:07:08:09)",
      'StreamWebSocket_Closed; Code: 1005, Reason: ""',
      // §17.1
      /^Connecting to ws:\/\/127\.0\.0\.1:\d+\/ \(a server that never answers\), cancelling after 200 ms$/,
      /^ConnectAsync cancelled after \d+ ms: operationCanceled$/,
      // §11
      "Error: cannotConnect (14)",
      "Cannot connect to the server. Please make sure the server is running.",
      "Error: notFound (404)",
      "Echo server closed.",
    ]);
    const cancelled = lines.find((line) => line.startsWith("ConnectAsync cancelled after"));
    const elapsed = Number(/after (\d+) ms/.exec(cancelled ?? "")?.[1]);
    // The abort came from the demo's timer, not at once: libuv arms timers from the loop's cached
    // clock, so on a loaded machine one may fire up to a loop iteration "early" by the wall clock —
    // hence half the delay, not all of it.
    expect(elapsed).toBeGreaterThanOrEqual(100);
    expect(lines.at(-1)).toBe("Echo server closed.");
  });

  it("cancels after 5 s by default, as the reference's example", () => {
    expect(DEFAULT_CANCEL_AFTER_MS).toBe(5000);
  });

  it("the pin is what trusts the server: another certificate's SHA-256 is rejected", async () => {
    const certificate = await makeSelfSignedCertificate();
    const other = await makeSelfSignedCertificate();
    expect(other.sha256).not.toBe(certificate.sha256);
    const server = await startLocalEchoServer(certificate);
    try {
      const lines: string[] = [];
      const error = await messageWebSocketSample(server.tlsUrl, other.sha256, (line) =>
        lines.push(line),
      ).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "ERR_SERVER_CERTIFICATE_REJECTED" });
      expect(lines).toEqual([`Server certificate rejected: SHA-256 ${certificate.sha256}`]);
    } finally {
      await server.close();
    }
  });
});

describe("src/main.ts in a child process", () => {
  const main = fileURLToPath(new URL("../src/main.ts", import.meta.url));
  const run = (env: Record<string, string>) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(
        process.execPath,
        ["--import", "tsx", "--conditions=@netsockets/source", main],
        { env: { ...process.env, ...env }, cwd: fileURLToPath(new URL("..", import.meta.url)) },
      );
      let stdout = "";
      let stderr = "";
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
      child.once("close", (code) => resolve({ code, stdout, stderr }));
    });

  it("exits 0 by itself — no socket, listener or timer left open — after the last line", async () => {
    // The process is never ended with process.exit: it ends only when nothing is left open.
    const { code, stdout, stderr } = await run({ NETSOCKETS_DEMO_CANCEL_MS: "100" });
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toContain("Message received from MessageWebSocket: Hello, World!\n");
    expect(stdout.trimEnd().split("\n").at(-1)).toBe("Echo server closed.");
  });

  it("refuses a NETSOCKETS_DEMO_CANCEL_MS that is not a number of milliseconds (exit 1)", async () => {
    const { code, stderr } = await run({ NETSOCKETS_DEMO_CANCEL_MS: "soon" });
    expect(code).toBe(1);
    expect(stderr).toContain("NETSOCKETS_DEMO_CANCEL_MS: not a number of milliseconds: soon");
  });
});
