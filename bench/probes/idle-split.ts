/**
 * Idle memory (workload 7) once, split: the server's RSS growth per connection beside its live
 * heap and the physical growth of V8's young and old generations.
 *
 *   node --import tsx probes/idle-split.ts [impl] [connections] [churnObjects]
 *
 * `impl`: `netsockets` or `ws` at both ends; default 5000 connections. `churnObjects` makes the
 * server allocate that many short-lived objects (40–50 bytes each) per accepted connection, to
 * show how allocation while connections open moves the figure (default 0).
 */
import { idleMemory } from "../src/network/workloads.js";
import { countArg, implArg } from "./probe.js";

const impl = implArg(2, "netsockets");
const connections = countArg(3, 5000);
const churnObjects = countArg(4, 0, 0);

const body = await idleMemory(impl, { mode: "full", check: false }, connections, churnObjects);
const kib = body.extra?.() ?? {};
const rss = kib.rssPerConnKiB ?? Number.NaN;
const young = kib.newSpacePerConnKiB ?? Number.NaN;
const old = kib.oldSpacePerConnKiB ?? Number.NaN;
console.log(
  `${impl}, ${connections} connections, churn ${churnObjects}: KiB per connection: ` +
    `RSS ${rss.toFixed(2)} = young ${young.toFixed(2)} + old ${old.toFixed(2)} + ` +
    `rest ${(rss - young - old).toFixed(2)}; live heap ${(kib.heapPerConnKiB ?? Number.NaN).toFixed(2)}; ` +
    `external ${(kib.externalPerConnKiB ?? Number.NaN).toFixed(2)} (ArrayBuffers ` +
    `${(kib.arrayBuffersPerConnKiB ?? Number.NaN).toFixed(2)}); ` +
    `just opened: RSS ${(kib.rssJustOpenedPerConnKiB ?? Number.NaN).toFixed(2)}, young ` +
    `${(kib.newSpaceJustOpenedPerConnKiB ?? Number.NaN).toFixed(2)}`,
);
await body.dispose?.();
