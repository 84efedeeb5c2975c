/**
 * Handshakes (workload 6's shape): open a connection, close it with the closing handshake, over
 * and over, `concurrency` at a time, with the CPU time of both ends per connection.
 *
 *   node --import tsx probes/handshake-cpu.ts [impl] [count] [concurrency] [warm]
 *
 * `impl`: `netsockets` or `ws` at both ends; default 6000 connections, 50 at a time, after 3000
 * unmeasured ones (the JIT takes thousands of connections to settle on this path).
 */
import { startPeer } from "../src/network/peer-process.js";
import { openAndClose } from "../src/network/workloads.js";
import { countArg, cpuPer, implArg } from "./probe.js";

const impl = implArg(2, "netsockets");
const count = countArg(3, 6000);
const concurrency = countArg(4, 50);
const warm = countArg(5, 3000, 0);

const peer = await startPeer({ impl, role: "echo" });

await openAndClose(impl, peer.port, warm, concurrency);
const serverBefore = await peer.cpu();
const clientBefore = process.cpuUsage();
const started = process.hrtime.bigint();
await openAndClose(impl, peer.port, count, concurrency);
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const clientAfter = process.cpuUsage();
const serverAfter = await peer.cpu();
console.log(
  `${impl}, ${concurrency} at a time: ${(count / seconds).toFixed(0)} handshakes/s; ` +
    `client ${cpuPer(clientBefore, clientAfter, count, "conn")}; ` +
    `server ${cpuPer(serverBefore, serverAfter, count, "conn")}`,
);
await peer.stop();
