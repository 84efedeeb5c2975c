// Compression bombs (peers.md S8 server side, S9 client side): a ~1 MiB compressed message that
// inflates to 1 GiB is refused with 1009 once `maxMessageSize` is crossed, zlib stops within a
// chunk of the limit, and the receiving process's peak RSS (a forked child) stays near the limit.
import { type ChildProcess, fork } from "node:child_process";
import { once } from "node:events";
import { createServer, type Server } from "node:net";
import { fileURLToPath } from "node:url";
import { constants, deflateRawSync, inflateRawSync } from "node:zlib";
import { computeAcceptKey } from "@netsockets/protocol";
import { frame } from "@netsockets/protocol/testing";
import { afterEach, describe, expect, it } from "vitest";

const LIMIT = 16 << 20;
const MiB = 1 << 20;

/**
 * A raw deflate stream of `mebibytes` MiB of zeros: one sync-flushed 1 MiB segment (about
 * 1 KiB) repeated — its back-references only reach into the zeros before them, so the copies
 * chain — without the final 00 00 ff ff (RFC 7692 §7.2.1).
 */
function bomb(mebibytes: number): Buffer {
  const segment = deflateRawSync(Buffer.alloc(MiB), {
    level: 9,
    finishFlush: constants.Z_SYNC_FLUSH,
  });
  const stream = Buffer.concat(Array.from({ length: mebibytes }, () => segment));
  return stream.subarray(0, stream.length - 4);
}

const children: ChildProcess[] = [];
const servers: Server[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill();
  for (const server of servers.splice(0)) server.close();
});

function startChild(args: string[]): ChildProcess {
  const child = fork(fileURLToPath(new URL("./fixtures/bomb-child.ts", import.meta.url)), args, {
    execArgv: ["--import", "tsx", "--conditions=@netsockets/source"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  children.push(child);
  return child;
}

interface Ready {
  readonly ready: true;
  readonly port?: number;
  readonly rss: number;
}
interface Report {
  readonly closeCode: number | undefined;
  readonly totalInflated: number;
  readonly maxRss: number;
}

async function message<T>(child: ChildProcess): Promise<T> {
  const [value] = (await once(child, "message")) as [T];
  return value;
}

function check(ready: Ready, report: Report): void {
  const growth = report.maxRss - ready.rss;
  console.log(
    `bomb: inflated ${(report.totalInflated / MiB).toFixed(2)} MiB of 1024 (limit ${LIMIT / MiB} MiB); peak RSS growth ${(growth / MiB).toFixed(1)} MiB (allowed ${LIMIT / MiB + 32})`,
  );
  expect(report.closeCode, String((report as { error?: string }).error)).toBe(1009);
  expect(report.totalInflated).toBeGreaterThan(LIMIT);
  expect(report.totalInflated).toBeLessThanOrEqual(LIMIT + 64 * 1024);
  expect(growth).toBeLessThanOrEqual(LIMIT + 32 * MiB);
}

describe("compression bomb", () => {
  const payload = bomb(1024);

  it("the bomb is one: about 1 MiB that inflates to 1 GiB", () => {
    expect(payload.length).toBeLessThan(1.1 * MiB);
    const prefix = bomb(4);
    const inflated = inflateRawSync(Buffer.concat([prefix, Buffer.from([0, 0, 0xff, 0xff])]), {
      finishFlush: constants.Z_SYNC_FLUSH,
    });
    expect(inflated.length).toBe(4 * MiB);
  });

  it("our server refuses it with 1009 within the limit (S8)", { timeout: 60_000 }, async () => {
    const child = startChild(["server", String(LIMIT)]);
    const ready = await message<Ready>(child);
    const { connect } = await import("node:net");
    const socket = connect(ready.port as number, "127.0.0.1");
    await once(socket, "connect");
    socket.write(
      "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
        "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n",
    );
    const received: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => received.push(chunk));
    socket.on("error", () => {});
    while (!Buffer.concat(received).includes("\r\n\r\n")) await once(socket, "data");
    const head = Buffer.concat(received).toString("latin1");
    expect(head).toMatch(/^sec-websocket-extensions: permessage-deflate\r$/im);
    received.length = 0;
    const reportP = message<Report>(child);
    // A Uint8Array copy: testing's frame() masks `payload.slice()`, which for a Buffer is a view
    // (Buffer#slice does not copy), so it would mask the shared bomb in place.
    socket.write(frame(2, new Uint8Array(payload), { rsv: 4, mask: true }));
    check(ready, await reportP);
    // The close frame we got: 1009.
    if (received.length === 0) await once(socket, "data");
    const close = Buffer.concat(received);
    expect([...close.subarray(0, 4)]).toEqual([0x88, 0x02, 0x03, 0xf1]);
    socket.destroy();
  });

  it("our client refuses it with 1009 within the limit (S9)", { timeout: 60_000 }, async () => {
    let sendBomb: () => void = () => {};
    const closeFrames: Buffer[] = [];
    const server = createServer((socket) => {
      socket.on("error", () => {});
      let head = "";
      const onData = (chunk: Buffer) => {
        head += chunk.toString("latin1");
        if (!head.includes("\r\n\r\n")) return;
        socket.off("data", onData);
        socket.on("data", (more: Buffer) => closeFrames.push(more));
        const key = /sec-websocket-key: *(\S+)/i.exec(head)?.[1] ?? "";
        socket.write(
          "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            `Sec-WebSocket-Accept: ${computeAcceptKey(key)}\r\n` +
            "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n",
        );
        sendBomb = () => socket.write(frame(2, payload, { rsv: 4 }));
      };
      socket.on("data", onData);
    });
    servers.push(server);
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const port = (server.address() as { port: number }).port;
    const child = startChild(["client", `ws://127.0.0.1:${port}/`, String(LIMIT)]);
    const ready = await message<Ready>(child);
    const reportP = message<Report>(child);
    sendBomb();
    check(ready, await reportP);
    // The client's close frame is masked: its first two bytes say close, 2-byte payload, masked.
    expect([...(Buffer.concat(closeFrames).subarray(0, 2) ?? [])]).toEqual([0x88, 0x82]);
  });
});
