// One end of a bulk transfer, in its own process (started by bulk.ts). argv:
//   receive <impl>              listen on 127.0.0.1:0, print {"port"}, read one connection to the
//                               end, print {"bytes","ms"} (first byte → last byte) and exit
//   send <impl> <port> <bytes>  connect, send <bytes>, end, exit
// <impl>: "stream" (StreamWebSocket: 1 MiB writeAsync, each awaited — it resolves at the kernel),
// "ws" (ws with bufferutil: 64 KiB binary messages, up to 1 MiB of sends in flight), "tcp" (raw
// node:net: 64 KiB writes, honouring write() === false / 'drain'; no framing).
import { once } from "node:events";
import * as net from "node:net";
import { InputStreamOptions } from "@netsockets/data";
import { StreamWebSocket, StreamWebSocketListener } from "@netsockets/stream";
import WebSocket, { WebSocketServer } from "ws";

const [role, impl, portArg, bytesArg] = process.argv.slice(2);
const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);
/** CPU time (user + system) since the transfer started, in ms: a figure a loaded machine distorts less than wall time. */
let cpuStart: NodeJS.CpuUsage | undefined;
const cpuMs = () => {
  const used = process.cpuUsage(cpuStart);
  return (used.user + used.system) / 1000;
};

/** Receive-side timing: from the first byte to the last. */
class Meter {
  bytes = 0;
  #start = 0n;
  add(n: number): void {
    if (this.bytes === 0) {
      this.#start = process.hrtime.bigint();
      cpuStart = process.cpuUsage();
    }
    this.bytes += n;
  }
  report(): never {
    const ms = Number(process.hrtime.bigint() - this.#start) / 1e6;
    print({ bytes: this.bytes, ms, cpuMs: cpuMs() });
    process.exit(0);
  }
}

async function receive(): Promise<void> {
  const meter = new Meter();
  if (impl === "stream") {
    const listener = new StreamWebSocketListener();
    listener.addEventListener("connectionreceived", ({ socket }) => {
      void (async () => {
        const buffer = new Uint8Array(256 * 1024);
        for (;;) {
          const bytes = await socket.inputStream.readAsync(
            buffer,
            buffer.length,
            InputStreamOptions.partial,
          );
          if (bytes.length === 0) break;
          meter.add(bytes.length);
        }
        meter.report();
      })();
    });
    await listener.bindEndpointAsync("127.0.0.1", 0);
    print({ port: listener.information.localPort });
  } else if (impl === "ws") {
    const server = new WebSocketServer({ host: "127.0.0.1", port: 0, maxPayload: 64 << 20 });
    await once(server, "listening");
    server.on("connection", (ws) => {
      ws.on("message", (data: Buffer) => meter.add(data.length));
      ws.on("close", () => meter.report());
    });
    print({ port: (server.address() as net.AddressInfo).port });
  } else {
    const server = net.createServer((socket) => {
      socket.on("data", (chunk) => meter.add(chunk.length));
      socket.on("end", () => meter.report());
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    print({ port: (server.address() as net.AddressInfo).port });
  }
}

async function send(port: number, total: number): Promise<void> {
  if (impl === "stream") {
    const block = new Uint8Array(1024 * 1024).fill(0x5a);
    const socket = new StreamWebSocket({ proxy: false });
    await socket.connectAsync(`ws://127.0.0.1:${port}/`);
    cpuStart = process.cpuUsage();
    for (let sent = 0; sent < total; sent += block.length) {
      await socket.outputStream.writeAsync(
        total - sent < block.length ? block.subarray(0, total - sent) : block,
      );
    }
    socket.close(1000);
    await new Promise((resolve) => socket.addEventListener("closed", resolve));
  } else if (impl === "ws") {
    const chunk = Buffer.alloc(64 * 1024, 0x5a);
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
    await once(ws, "open");
    cpuStart = process.cpuUsage();
    const window = 16; // 1 MiB of sends in flight, as the stream side's one 1 MiB write
    let inFlight = 0;
    let wake: (() => void) | undefined;
    const done = () => {
      inFlight--;
      wake?.();
    };
    for (let sent = 0; sent < total; sent += chunk.length) {
      while (inFlight >= window) await new Promise<void>((resolve) => (wake = resolve));
      inFlight++;
      ws.send(
        total - sent < chunk.length ? chunk.subarray(0, total - sent) : chunk,
        { binary: true },
        done,
      );
    }
    while (inFlight > 0) await new Promise<void>((resolve) => (wake = resolve));
    ws.close(1000);
    await once(ws, "close");
  } else {
    const chunk = Buffer.alloc(64 * 1024, 0x5a);
    const socket = net.connect(port, "127.0.0.1");
    socket.setNoDelay(true);
    await once(socket, "connect");
    cpuStart = process.cpuUsage();
    for (let sent = 0; sent < total; sent += chunk.length) {
      const piece = total - sent < chunk.length ? chunk.subarray(0, total - sent) : chunk;
      if (!socket.write(piece)) await once(socket, "drain");
    }
    socket.end();
    await once(socket, "close");
  }
}

if (role === "receive") await receive();
else {
  // Timed from the connection on (module loading excluded), reported on stdout.
  await send(Number(portArg), Number(bytesArg));
  print({ cpuMs: cpuMs() });
}
