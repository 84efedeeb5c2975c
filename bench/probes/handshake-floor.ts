/**
 * The floor under workload 6a: how fast sequential handshakes can go in Node at all. A minimal
 * WebSocket handshake written directly on `node:net` — the same bytes on the wire as ours (a
 * 154-byte request, a 101 with its accept key, a masked close frame, the close frame back and
 * the server's FIN), with no validation, no options, no events, no timers — is measured
 * interleaved with netsockets and ws, in rounds, as the suite measures 6a. A stack on Node's
 * `net` sockets has little room above the floor: what is left is system calls and Node's own.
 *
 *   node --import tsx probes/handshake-floor.ts [rounds] [count] [warm]
 *
 * Per round (default 5) and implementation, a fresh client process (this file) starts the
 * implementation's server in its own process, opens and closes `warm` connections (default 2000)
 * unmeasured, then `count` (default 2000) one at a time, and reports handshakes/s and CPU per
 * connection of both ends. The parent prints each round and the medians, with ratios to ws.
 */
import { fork } from "node:child_process";
import { createHash, randomBytes, randomFillSync } from "node:crypto";
import net from "node:net";
import { fileURLToPath } from "node:url";
import { median } from "../src/harness/stats.js";
import { startPeer } from "../src/network/peer-process.js";
import { openAndClose } from "../src/network/workloads.js";
import { type Cpu, countArg } from "./probe.js";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
const CLOSE_1000 = Buffer.from([0x88, 2, 0x03, 0xe8]);
const self = fileURLToPath(import.meta.url);
const IMPLS = ["floor", "netsockets", "ws"] as const;
type Impl = (typeof IMPLS)[number];

/** One measurement, as a client child reports it. */
interface Sample {
  readonly perSecond: number;
  readonly client: Cpu;
  readonly server: Cpu;
}

/** The floor's server: answers the request with a 101, a close frame with a close frame + FIN. */
function floorServer(): void {
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    let open = false;
    socket.on("data", (chunk: Buffer) => {
      if (!open) {
        const key = /sec-websocket-key: *([^\r]+)/i.exec(chunk.toString("latin1"))?.[1] ?? "";
        const accept = createHash("sha1")
          .update(key + GUID)
          .digest("base64");
        socket.write(
          "HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\n" +
            `sec-websocket-accept: ${accept}\r\n\r\n`,
        );
        open = true;
      } else if (((chunk[0] ?? 0) & 0x0f) === 8) {
        socket.end(CLOSE_1000);
      }
    });
    socket.on("error", () => {});
  });
  server.listen(0, "127.0.0.1", () => {
    const address = server.address() as net.AddressInfo;
    process.send?.({ port: address.port });
  });
  process.on("message", (message) => {
    if (message === "cpu") process.send?.({ cpu: process.cpuUsage() });
  });
  process.on("disconnect", () => process.exit(0));
}

/** The floor's client: one handshake and closing handshake; resolves on the server's close. */
function floorOnce(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const key = randomBytes(16).toString("base64");
    const accept = createHash("sha1")
      .update(key + GUID)
      .digest("base64");
    const socket = net.connect(port, "127.0.0.1");
    socket.setNoDelay(true);
    let open = false;
    socket.on("connect", () => {
      socket.write(
        `GET / HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\nupgrade: websocket\r\n` +
          `connection: Upgrade\r\nsec-websocket-key: ${key}\r\nsec-websocket-version: 13\r\n\r\n`,
      );
    });
    socket.on("data", (chunk: Buffer) => {
      if (!open) {
        if (!chunk.toString("latin1").includes(accept)) reject(new Error("bad accept key"));
        open = true;
        // A masked close frame, code 1000: the mask's first two bytes cover the two payload bytes.
        const frame = Buffer.from([0x88, 0x82, 0, 0, 0, 0, 0, 0]);
        randomFillSync(frame, 2, 4);
        frame.writeUInt16BE(0x03e8 ^ frame.readUInt16BE(2), 6);
        socket.write(frame);
      } else if (((chunk[0] ?? 0) & 0x0f) === 8) {
        resolve();
      }
    });
    socket.on("end", () => socket.end());
    socket.on("error", reject);
  });
}

/** A server for `impl` in its own process: its port, its CPU time, and a way to stop it. */
async function serverFor(
  impl: Impl,
): Promise<{ port: number; cpu(): Promise<Cpu>; stop(): Promise<void> }> {
  if (impl !== "floor") return startPeer({ impl, role: "echo" });
  const child = fork(self, ["floor-server"], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const reply = <T>(): Promise<T> => new Promise((resolve) => child.once("message", resolve));
  const { port } = await reply<{ port: number }>();
  return {
    port,
    cpu: async () => {
      const answer = reply<{ cpu: Cpu }>();
      child.send("cpu");
      return (await answer).cpu;
    },
    stop: async () => {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.disconnect();
      await exited;
    },
  };
}

/** A client child: measures `impl` once and prints a {@link Sample} as JSON. */
async function client(impl: Impl, count: number, warm: number): Promise<void> {
  const server = await serverFor(impl);
  const run = async (n: number): Promise<void> => {
    if (impl !== "floor") return openAndClose(impl, server.port, n, 1);
    for (let i = 0; i < n; i++) await floorOnce(server.port);
  };
  await run(warm);
  const serverBefore = await server.cpu();
  const clientBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  await run(count);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const clientCpu = process.cpuUsage(clientBefore);
  const serverAfter = await server.cpu();
  await server.stop();
  const per = (cpu: Cpu): Cpu => ({ user: cpu.user / count, system: cpu.system / count });
  const sample: Sample = {
    perSecond: count / seconds,
    client: per(clientCpu),
    server: per({
      user: serverAfter.user - serverBefore.user,
      system: serverAfter.system - serverBefore.system,
    }),
  };
  console.log(JSON.stringify(sample));
}

/** Runs one client child for `impl` and returns its sample. */
function measure(impl: Impl, count: number, warm: number): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const child = fork(self, ["client", impl, String(count), String(warm)], {
      stdio: ["ignore", "pipe", "inherit", "ipc"],
    });
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.on("exit", (code) => {
      const line = out.trim().split("\n").pop() ?? "";
      if (code === 0 && line.startsWith("{")) resolve(JSON.parse(line) as Sample);
      else reject(new Error(`the ${impl} client exited with ${code}`));
    });
  });
}

const fmt = (cpu: Cpu): string => `user ${cpu.user.toFixed(0)} sys ${cpu.system.toFixed(0)}`;

async function main(): Promise<void> {
  const rounds = countArg(2, 5);
  const count = countArg(3, 2000);
  const warm = countArg(4, 2000, 0);
  const samples = new Map<Impl, Sample[]>(IMPLS.map((impl) => [impl, []]));
  for (let round = 1; round <= rounds; round++) {
    for (const impl of IMPLS) {
      const sample = await measure(impl, count, warm);
      samples.get(impl)?.push(sample);
      console.log(
        `round ${round} ${impl.padEnd(10)} ${sample.perSecond.toFixed(0).padStart(5)}/s; ` +
          `client ${fmt(sample.client)}; server ${fmt(sample.server)} µs/conn`,
      );
    }
  }
  const of = (impl: Impl): Sample[] => samples.get(impl) ?? [];
  const rate = (impl: Impl): number => median(of(impl).map((s) => s.perSecond));
  const cpu = (impl: Impl, end: "client" | "server", key: keyof Cpu): number =>
    median(of(impl).map((s) => s[end][key]));
  /** `impl`'s rate over ws's, round by round. */
  const perRound = (impl: Impl): string =>
    of(impl)
      .map((s, i) => (s.perSecond / (of("ws")[i]?.perSecond ?? Number.NaN)).toFixed(2))
      .join(" ");
  console.log(`\nmedians of ${rounds} rounds, ${count} sequential handshakes after ${warm}:`);
  for (const impl of IMPLS) {
    console.log(
      `${impl.padEnd(10)} ${rate(impl).toFixed(0).padStart(5)}/s  ` +
        `${(rate(impl) / rate("ws")).toFixed(2)}× ws; CPU µs/conn: ` +
        `client user ${cpu(impl, "client", "user").toFixed(0)} ` +
        `sys ${cpu(impl, "client", "system").toFixed(0)}, ` +
        `server user ${cpu(impl, "server", "user").toFixed(0)} ` +
        `sys ${cpu(impl, "server", "system").toFixed(0)}`,
    );
  }
  console.log(`per round, × ws: floor ${perRound("floor")}; netsockets ${perRound("netsockets")}`);
}

const [mode, impl, count, warm] = process.argv.slice(2);
if (mode === "floor-server") floorServer();
else if (mode === "client") await client(impl as Impl, Number(count), Number(warm));
else await main();
