/**
 * Many connections doing round trips of 128-byte text (workload 3's shape), one server
 * implementation against one client implementation, with the CPU time of both ends per message.
 *
 *   node --import tsx probes/echo-cpu.ts [server] [client] [connections] [roundTrips] [bytes]
 *
 * `server`, `client`: `netsockets` or `ws` (default `netsockets netsockets`); 200 connections ×
 * 500 round trips. `bytes`: binary messages of that size instead of 128-byte text (workload 4's
 * shape is `1 200 1048576`; the server then allows 2 MiB messages, as the suite's large echo).
 * The exchange runs twice and the second is reported (the first warms the JIT).
 * Prefix `taskset -c 0` to put both processes on one core, where the total CPU decides the rate.
 */
import { connectClient } from "../src/network/impls.js";
import { startPeer } from "../src/network/peer-process.js";
import { countArg, cpuPer, implArg } from "./probe.js";

const server = implArg(2, "netsockets");
const client = implArg(3, "netsockets");
const connections = countArg(4, 200);
const roundTrips = countArg(5, 500);
const bytes = process.argv[6] === undefined ? undefined : countArg(6, 0);

const peer = await startPeer({
  impl: server,
  role: "echo",
  ...(bytes === undefined ? {} : { maxMessageSize: 2 * 1024 * 1024 }),
});
const message: string | Uint8Array =
  bytes === undefined ? "x".repeat(128) : new Uint8Array(bytes).fill(0x5a);
let outstanding = 0;
let finish: (() => void) | undefined;
/** Per connection: sets its round trips to `roundTrips` and sends the first message. */
const starters: (() => void)[] = [];
const conns = [];
for (let i = 0; i < connections; i++) {
  let left = 0;
  const conn = await connectClient(client, peer.port, () => {
    if (--outstanding === 0) finish?.();
    if (--left > 0) conn.send(message);
  });
  starters.push(() => {
    left = roundTrips;
    conn.send(message);
  });
  conns.push(conn);
}

/** One exchange: every connection does `roundTrips` round trips; resolves when all are back. */
async function exchange(): Promise<void> {
  outstanding = connections * roundTrips;
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  for (const start of starters) start();
  await done;
}

await exchange();
const serverBefore = await peer.cpu();
const clientBefore = process.cpuUsage();
const started = process.hrtime.bigint();
await exchange();
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const clientAfter = process.cpuUsage();
const serverAfter = await peer.cpu();
const messages = connections * roundTrips;
console.log(
  `server ${server}, client ${client}: ${(messages / seconds).toFixed(0)} msg/s; ` +
    `client ${cpuPer(clientBefore, clientAfter, messages, "msg")}; ` +
    `server ${cpuPer(serverBefore, serverAfter, messages, "msg")}`,
);
await Promise.all(conns.map((c) => c.close()));
await peer.stop();
