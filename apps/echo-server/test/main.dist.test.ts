import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { MessageWebSocket } from "netsockets";
import { afterEach, expect, it } from "vitest";
import { makeAuthority } from "../../../tests/support/certs.js";

const main = fileURLToPath(new URL("../dist/main.js", import.meta.url));
let child: ChildProcessWithoutNullStreams | undefined;
afterEach(() => {
  child?.kill("SIGKILL");
  child = undefined;
});

/** Spawns the built CLI and resolves with the `listening` URLs it prints. */
function start(args: string[], lines: number): Promise<string[]> {
  const proc = spawn(process.execPath, [main, ...args]);
  child = proc;
  const urls: string[] = [];
  return new Promise((resolve, reject) => {
    proc.once("exit", (code) => reject(new Error(`exited with ${code} before listening`)));
    createInterface({ input: proc.stdout }).on("line", (line) => {
      const match = /^listening (\S+)$/.exec(line);
      if (match?.[1] !== undefined) urls.push(match[1]);
      if (urls.length === lines) resolve(urls);
    });
  });
}

async function echoOnce(
  url: string,
  ca?: string,
): Promise<{ reply: string; code: Promise<number> }> {
  const socket = new MessageWebSocket(ca === undefined ? {} : { ca });
  const reply = new Promise<string>((resolve) =>
    socket.addEventListener("messagereceived", (args) => {
      const reader = args.getDataReader();
      resolve(reader.readString(reader.unconsumedBufferLength));
    }),
  );
  const code = new Promise<number>((resolve) =>
    socket.addEventListener("closed", (args) => resolve(args.code)),
  );
  await socket.connectAsync(url);
  await socket.sendAsync("Hello, World!");
  return { reply: await reply, code };
}

it("node dist/main.js serves ws:// and wss://, prints both, and SIGTERM closes with 1001, exit 0", async () => {
  const authority = await makeAuthority("echo-server dist CA");
  const issued = await authority.issue({ commonName: "localhost", ips: ["127.0.0.1"] });
  const dir = mkdtempSync(join(tmpdir(), "echo-server-"));
  writeFileSync(join(dir, "cert.pem"), issued.cert);
  writeFileSync(join(dir, "key.pem"), issued.key);
  const args = [
    "--port",
    "0",
    "--tls-port",
    "0",
    "--cert",
    join(dir, "cert.pem"),
    "--key",
    join(dir, "key.pem"),
  ];
  const [ws, wss] = await start(args, 2);
  expect(ws).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/$/);
  expect(wss).toMatch(/^wss:\/\/127\.0\.0\.1:\d+\/$/);
  const plain = await echoOnce(ws as string);
  const secure = await echoOnce(wss as string, authority.cert);
  expect(plain.reply).toBe("Hello, World!");
  expect(secure.reply).toBe("Hello, World!");
  const proc = child as ChildProcessWithoutNullStreams;
  const exited = new Promise<number | null>((resolve) => proc.once("exit", resolve));
  proc.kill("SIGTERM");
  expect(await plain.code).toBe(1001);
  expect(await secure.code).toBe(1001);
  expect(await exited).toBe(0);
});

it("refuses --tls-port without --cert/--key with exit code 2", async () => {
  const proc = spawn(process.execPath, [main, "--port", "0", "--tls-port", "0"]);
  const code = await new Promise<number | null>((resolve) => proc.once("exit", resolve));
  expect(code).toBe(2);
});

it("Ctrl-C (SIGINT) closes open connections with 1001 and exits 0", async () => {
  const [ws] = await start(["--port", "0", "--host", "127.0.0.1"], 1);
  const plain = await echoOnce(ws as string);
  expect(plain.reply).toBe("Hello, World!");
  const proc = child as ChildProcessWithoutNullStreams;
  const exited = new Promise<number | null>((resolve) => proc.once("exit", resolve));
  proc.kill("SIGINT");
  expect(await plain.code).toBe(1001);
  expect(await exited).toBe(0);
});
