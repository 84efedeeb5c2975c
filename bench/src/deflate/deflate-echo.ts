// Compressed echo benchmark: 16 KiB JSON text messages, client and server of the same
// implementation over loopback, permessage-deflate on both ways (context takeover, zlib's
// default level, threshold 1024), netsockets (@netsockets/node driver + PerMessageDeflate) vs ws.
//
//   pnpm build && pnpm --filter @netsockets/bench exec tsx src/deflate/deflate-echo.ts [--rounds 5] [--seconds 3] [--window 16]
//
// One fresh child process per implementation × round, interleaved (ours, ws, ours, ws, …); each
// child echoes as many messages as it can in `--seconds` with `--window` messages in flight and
// prints one JSON line: messages/s (wall clock, both ends in the child), the client's bytes on
// the wire per message (sent + received, framing and handshake included) and peak RSS. The
// parent prints the medians and the ratio ours / ws.
import { execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import os from "node:os";
import { fileURLToPath } from "node:url";
import {
  createDriver,
  nodeConnectionOptions,
  openWebSocketTransport,
  PerMessageDeflate,
  parametersOfAnswer,
  perMessageDeflateNegotiator,
  UpgradeServer,
} from "@netsockets/node";
import { Connection, MessageAssembler } from "@netsockets/protocol";
import WebSocket, { WebSocketServer } from "ws";
import { packageConditions } from "../harness/source-mode.js";

interface Result {
  readonly impl: string;
  readonly messagesPerSecond: number;
  readonly wireBytesPerMessage: number;
  readonly maxRss: number;
}

const args = process.argv.slice(2);
function option(name: string, fallback: number): number {
  const at = args.indexOf(`--${name}`);
  return at === -1 ? fallback : Number(args[at + 1]);
}

/** A 16 KiB JSON document, varied per message index so context takeover is realistic. */
function jsonMessage(index: number): string {
  const rows: unknown[] = [];
  let text = "";
  for (let i = 0; text.length < 16 * 1024; i++) {
    rows.push({
      id: index * 1000 + i,
      user: `user-${(index * 7 + i) % 97}`,
      active: i % 3 === 0,
      score: ((index + i) * 37) % 1000,
      tags: ["alpha", "beta", "gamma"].slice(0, 1 + (i % 3)),
    });
    text = JSON.stringify(rows);
  }
  return text.slice(0, 16 * 1024);
}
const MESSAGES = Array.from({ length: 64 }, (_, i) => jsonMessage(i));

function peakRss(): number {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"))?.[1];
    if (kb !== undefined) return Number(kb) * 1024;
  } catch {}
  return process.resourceUsage().maxRSS * 1024;
}

const LIMIT = 64 << 20;

async function runOurs(seconds: number, window: number): Promise<Result> {
  const server = new UpgradeServer({
    negotiateExtensions: perMessageDeflateNegotiator(),
    onConnection: (upgrade) => {
      const parameters = parametersOfAnswer(upgrade.extensions);
      const deflate =
        parameters === null
          ? undefined
          : new PerMessageDeflate("server", parameters, { maxMessageSize: LIMIT });
      const connection = new Connection(
        nodeConnectionOptions("server", {
          limits: { maxMessageSize: LIMIT },
          extensions: deflate === undefined ? [] : [deflate],
        }),
      );
      const assembler = new MessageAssembler({ maxMessageSize: LIMIT });
      const driver = upgrade.start(connection, {
        onData(bytes, info) {
          const message = assembler.push({ type: "data", data: bytes, ...info });
          if (message !== undefined && driver.state === "open") {
            driver.sendText(Uint8Array.from(message.data)).catch(() => {});
          }
        },
        onClose: () => {},
        onError: () => {},
      });
      driver.done.then(() => deflate?.close());
    },
  });
  const { port } = await server.listen({ host: "127.0.0.1", port: 0 });
  const transport = await openWebSocketTransport(`ws://127.0.0.1:${port}/`, {
    perMessageDeflate: {},
    proxy: false,
  });
  if (transport.perMessageDeflate === null) throw new Error("deflate not negotiated");
  const deflate = new PerMessageDeflate("client", transport.perMessageDeflate, {
    maxMessageSize: LIMIT,
  });
  const connection = new Connection(
    nodeConnectionOptions("client", { limits: { maxMessageSize: LIMIT }, extensions: [deflate] }),
  );
  let received = 0;
  let sent = 0;
  let stopAt = 0;
  let finish: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const encoder = new TextEncoder();
  const payloads = MESSAGES.map((m) => encoder.encode(m));
  const sendNext = () => {
    driver.sendText(payloads[sent++ % payloads.length] as Uint8Array).catch(() => {});
  };
  const driver = createDriver(
    transport.socket,
    connection,
    {
      onData(_bytes, info) {
        if (!info.messageFinished) return;
        received++;
        if (performance.now() < stopAt) sendNext();
        else if (received === sent) finish();
      },
      onClose: () => {},
      onError: () => {},
    },
    { head: transport.head, extensions: [deflate] },
  );
  const start = performance.now();
  stopAt = start + seconds * 1000;
  for (let i = 0; i < window; i++) sendNext();
  await done;
  const elapsed = (performance.now() - start) / 1000;
  const wire = transport.socket.bytesWritten + transport.socket.bytesRead;
  const result = {
    impl: "netsockets",
    messagesPerSecond: received / elapsed,
    wireBytesPerMessage: wire / received,
    maxRss: peakRss(),
  };
  driver.close(1000);
  await driver.done;
  await server.close({ timeoutMs: 1000 });
  return result;
}

async function runWs(seconds: number, window: number): Promise<Result> {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: true });
  wss.on("connection", (socket) => {
    socket.on("message", (data, isBinary) => socket.send(data, { binary: isBinary }));
  });
  await once(wss, "listening");
  const port = (wss.address() as AddressInfo).port;
  const client = new WebSocket(`ws://127.0.0.1:${port}/`, { perMessageDeflate: true });
  await once(client, "open");
  if (!client.extensions.includes("permessage-deflate")) throw new Error("deflate not negotiated");
  let received = 0;
  let sent = 0;
  let stopAt = 0;
  let finish: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const sendNext = () => client.send(MESSAGES[sent++ % MESSAGES.length] as string);
  client.on("message", () => {
    received++;
    if (performance.now() < stopAt) sendNext();
    else if (received === sent) finish();
  });
  const start = performance.now();
  stopAt = start + seconds * 1000;
  for (let i = 0; i < window; i++) sendNext();
  await done;
  const elapsed = (performance.now() - start) / 1000;
  const socket = (client as unknown as { _socket: { bytesWritten: number; bytesRead: number } })
    ._socket;
  const result = {
    impl: "ws",
    messagesPerSecond: received / elapsed,
    wireBytesPerMessage: (socket.bytesWritten + socket.bytesRead) / received,
    maxRss: peakRss(),
  };
  client.close(1000);
  await once(client, "close");
  await new Promise((resolve) => wss.close(resolve));
  return result;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

async function parent(): Promise<void> {
  const rounds = option("rounds", 5);
  const seconds = option("seconds", 3);
  const window = option("window", 16);
  let cpu = "";
  try {
    cpu = /Model name:\s+(.*)/.exec(execFileSync("lscpu", { encoding: "utf8" }))?.[1] ?? "";
  } catch {}
  console.log(`command: ${process.argv.slice(1).join(" ")}`);
  console.log(
    `node ${process.version}, zlib ${process.versions.zlib}, ${cpu || os.cpus()[0]?.model} × ${os.cpus().length}, load ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
  const results: Result[] = [];
  for (let round = 1; round <= rounds; round++) {
    for (const impl of ["netsockets", "ws"]) {
      const child = spawn(
        process.execPath,
        [
          "--import",
          "tsx",
          ...packageConditions,
          fileURLToPath(import.meta.url),
          "--child",
          impl,
          "--seconds",
          String(seconds),
          "--window",
          String(window),
        ],
        { stdio: ["ignore", "pipe", "inherit"] },
      );
      let out = "";
      child.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString();
      });
      await once(child, "close");
      const result = JSON.parse(out.trim().split("\n").pop() as string) as Result;
      results.push(result);
      console.error(
        `round ${round} ${impl}: ${result.messagesPerSecond.toFixed(0)} msgs/s, ${result.wireBytesPerMessage.toFixed(0)} B/msg on the wire`,
      );
    }
  }
  const row = (impl: string) => {
    const mine = results.filter((r) => r.impl === impl);
    return {
      rate: median(mine.map((r) => r.messagesPerSecond)),
      min: Math.min(...mine.map((r) => r.messagesPerSecond)),
      max: Math.max(...mine.map((r) => r.messagesPerSecond)),
      wire: median(mine.map((r) => r.wireBytesPerMessage)),
      rss: median(mine.map((r) => r.maxRss)) / (1 << 20),
    };
  };
  const ws = row("ws");
  console.log(
    "\n| impl | msgs/s (median) | min – max | wire bytes / echoed msg (both ways) | peak RSS | ratio |",
  );
  console.log("|---|---|---|---|---|---|");
  for (const impl of ["ws", "netsockets"]) {
    const r = row(impl);
    console.log(
      `| ${impl} | ${r.rate.toFixed(0)} | ${r.min.toFixed(0)} – ${r.max.toFixed(0)} | ${r.wire.toFixed(0)} (of ${2 * 16 * 1024} plain) | ${r.rss.toFixed(0)} MiB | ${(r.rate / ws.rate).toFixed(2)} |`,
    );
  }
  console.log(
    `load at end ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
}

const childAt = args.indexOf("--child");
if (childAt === -1) {
  await parent();
} else {
  const impl = args[childAt + 1];
  const seconds = option("seconds", 3);
  const window = option("window", 16);
  const result = impl === "ws" ? await runWs(seconds, window) : await runOurs(seconds, window);
  console.log(JSON.stringify(result));
  process.exit(0);
}
