import { type ChildProcess, fork } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { rawRequest, upgradeRequest } from "../server/raw-http.js";

// Memory is checked as the peak RSS of a forked child with headroom (the parent sends as fast
// as it can and buffers whatever the child does not take).

interface Report {
  maxRss: number;
  rss: number;
  bytesReceived: number;
  messages: number;
}

const MiB = 1024 * 1024;
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill();
});

async function startChild(): Promise<{ child: ChildProcess; port: number; startRss: number }> {
  const child = fork(fileURLToPath(new URL("./fixtures/memory-server.ts", import.meta.url)), [], {
    execArgv: ["--import", "tsx", "--conditions=@netsockets/source"],
    cwd: fileURLToPath(new URL("../..", import.meta.url)),
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  children.push(child);
  const [hello] = (await once(child, "message")) as [{ port: number; rss: number }];
  return { child, port: hello.port, startRss: hello.rss };
}

async function report(child: ChildProcess): Promise<Report> {
  const reply = once(child, "message") as Promise<[Report]>;
  child.send("report");
  return (await reply)[0];
}

describe("bounded memory", () => {
  it("a paused consumer holds a bounded amount while the peer pushes 128 MiB", async () => {
    const { child, port, startRss } = await startChild();
    const client = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: false });
    client.on("error", () => {});
    await once(client, "open");
    const chunk = Buffer.alloc(2 * MiB, 7);
    const total = 64;
    for (let i = 0; i < total; i++) client.send(chunk);
    // Wait until the kernel buffers are full: the rest stays in the sender.
    let last = -1;
    for (let i = 0; i < 200 && client.bufferedAmount !== last; i++) {
      last = client.bufferedAmount;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(client.bufferedAmount).toBeGreaterThan(96 * MiB);
    const paused = await report(child);
    expect(paused.messages).toBe(0);
    expect(paused.bytesReceived).toBeLessThan(MiB);
    expect(paused.maxRss - startRss).toBeLessThan(24 * MiB);
    child.send("resume");
    let done = await report(child);
    while (done.messages < total) {
      await new Promise((r) => setTimeout(r, 20));
      done = await report(child);
    }
    expect(done.bytesReceived).toBeGreaterThan(total * 2 * MiB);
    client.terminate();
  });

  it("hostile handshakes (10 MB header, 2,000 headers, many at once) stay bounded", async () => {
    const { child, port, startRss } = await startChild();
    const many: string[] = [];
    for (let i = 0; i < 2000; i++) many.push(`x${i}: y`);
    const requests = [
      upgradeRequest({ "x-big": "a".repeat(10 * MiB) }),
      `GET / HTTP/1.1\r\nhost: h\r\n${many.join("\r\n")}\r\nupgrade: websocket\r\n\r\n`,
    ];
    for (let round = 0; round < 4; round++) {
      const answers = await Promise.all(
        Array.from({ length: 10 }, (_, i) => rawRequest(port, requests[i % 2] as string)),
      );
      for (const answer of answers) expect([0, 431]).toContain(answer.status);
    }
    const after = await report(child);
    expect(after.maxRss - startRss).toBeLessThan(24 * MiB);
    // Still serving: a well-behaved client is upgraded.
    const client = new WebSocket(`ws://127.0.0.1:${port}`);
    await once(client, "open");
    client.terminate();
  });
});
