/**
 * One-way bulk in 64 KiB binary messages (workload 5's shape) with the CPU time of both ends per
 * MiB; the server counts the bytes without reading them, as the suite's sink does.
 *
 *   node --import tsx probes/bulk-cpu.ts [impl] [MiB] [clientImpl]
 *
 * `impl`: `netsockets` (MessageWebSocket at both ends) or `ws`; default 1024 MiB, 16 messages in
 * flight. `clientImpl` (default: `impl`) holds the sending end fixed while the server varies.
 */
import { connectClient } from "../src/network/impls.js";
import { startPeer } from "../src/network/peer-process.js";
import { sendWindowed } from "../src/network/workloads.js";
import { countArg, cpuPer, implArg } from "./probe.js";

const impl = implArg(2, "netsockets");
const mib = countArg(3, 1024);
const clientImpl = implArg(4, impl);
const chunk = 64 * 1024;
const total = mib * 1024 * 1024;
const inFlight = 16;

// The server sends its one ack once it has counted every byte.
const peer = await startPeer({ impl, role: "sink", ackBytes: total, maxMessageSize: chunk });
let acked: (() => void) | undefined;
const done = new Promise<void>((resolve) => {
  acked = resolve;
});
const conn = await connectClient(clientImpl, peer.port, () => acked?.());
const data = new Uint8Array(chunk).fill(7);

const serverBefore = await peer.cpu();
const clientBefore = process.cpuUsage();
const started = process.hrtime.bigint();
await sendWindowed(conn, data, total, inFlight);
await done;
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const clientAfter = process.cpuUsage();
const serverAfter = await peer.cpu();
console.log(
  `${impl}${clientImpl === impl ? "" : ` (client ${clientImpl})`}: ${(total / 1e6 / seconds).toFixed(0)} MB/s; ` +
    `client ${cpuPer(clientBefore, clientAfter, mib, "MiB")}; ` +
    `server ${cpuPer(serverBefore, serverAfter, mib, "MiB")}`,
);
await conn.close();
await peer.stop();
