import {
  type DataReader,
  MessageWebSocket,
  type MessageWebSocketMessageReceivedEventArgs,
  SocketMessageType,
} from "netsockets";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeAuthority } from "../../../tests/support/certs.js";
import { type EchoServer, startEchoServer } from "../src/echo-server.js";

let server: EchoServer;

/** Resolves with the close code of `socket`'s `closed` event. */
const closedOf = (socket: MessageWebSocket) =>
  new Promise<number>((resolve) => socket.addEventListener("closed", (args) => resolve(args.code)));
let ca: string;

beforeAll(async () => {
  const authority = await makeAuthority("echo-server test CA");
  const issued = await authority.issue({
    commonName: "localhost",
    dns: ["localhost"],
    ips: ["127.0.0.1"],
  });
  ca = authority.cert;
  server = await startEchoServer({ tls: { port: 0, cert: issued.cert, key: issued.key } });
});
afterAll(() => server.close());

/** Connects, sends each message, and collects as many replies (type and bytes). */
async function roundTrip(
  url: string,
  messages: readonly (string | Uint8Array)[],
): Promise<{ type: SocketMessageType; bytes: Uint8Array }[]> {
  const socket = new MessageWebSocket({ ca });
  const replies: { type: SocketMessageType; bytes: Uint8Array }[] = [];
  let done: () => void = () => {};
  const all = new Promise<void>((resolve) => {
    done = resolve;
  });
  socket.addEventListener("messagereceived", (args: MessageWebSocketMessageReceivedEventArgs) => {
    const reader: DataReader = args.getDataReader();
    replies.push({
      type: args.messageType,
      bytes: reader.readBuffer(reader.unconsumedBufferLength),
    });
    if (replies.length === messages.length) done();
  });
  await socket.connectAsync(url);
  for (const m of messages) {
    await socket.sendAsync(m, {
      messageType: typeof m === "string" ? SocketMessageType.utf8 : SocketMessageType.binary,
    });
  }
  await all;
  const closed = closedOf(socket);
  socket.close(1000, "done");
  await closed;
  return replies;
}

describe.each([
  ["ws", () => server.url],
  ["wss", () => server.tlsUrl as string],
])("echo server over %s://", (_scheme, url) => {
  it("echoes text as text and binary as binary, in order", async () => {
    const binary = new Uint8Array([0, 1, 2, 0xfe, 0xff]);
    const replies = await roundTrip(url(), ["héllo", binary, ""]);
    expect(replies.map((r) => r.type)).toEqual([
      SocketMessageType.utf8,
      SocketMessageType.binary,
      SocketMessageType.utf8,
    ]);
    expect(new TextDecoder().decode(replies[0]?.bytes)).toBe("héllo");
    expect(replies[1]?.bytes).toEqual(binary);
    expect(replies[2]?.bytes.length).toBe(0);
  });

  it("echoes a 20 MiB message", async () => {
    const big = new Uint8Array(20 * 1024 * 1024).fill(0x5a);
    const [reply] = await roundTrip(url(), [big]);
    expect(reply?.bytes.length).toBe(big.length);
    expect(Buffer.from(reply?.bytes ?? []).equals(big)).toBe(true);
  });
});

describe("startEchoServer", () => {
  it("has no fragment-count limit: a message of 150,000 frames comes back whole", async () => {
    const socket = new MessageWebSocket({ ca });
    const reply = new Promise<Uint8Array>((resolve) =>
      socket.addEventListener("messagereceived", (args) => {
        const reader = args.getDataReader();
        resolve(reader.readBuffer(reader.unconsumedBufferLength));
      }),
    );
    await socket.connectAsync(server.url);
    const frames = 150_000; // over the 131,072 default of the library
    let last: Promise<number> = Promise.resolve(0);
    for (let i = 0; i < frames - 1; i++)
      last = socket.sendNonfinalFrameAsync(new Uint8Array([i & 0xff]));
    last = socket.sendFinalFrameAsync(new Uint8Array([0xaa]));
    await last;
    const bytes = await reply;
    expect(bytes.length).toBe(frames);
    expect(bytes[1]).toBe(1);
    expect(bytes[frames - 1]).toBe(0xaa);
    const closed = closedOf(socket);
    socket.close();
    await closed;
  });

  it("reports its URLs and closes open sockets gracefully with 1001", async () => {
    const own = await startEchoServer();
    expect(own.url).toBe(`ws://127.0.0.1:${own.port}/`);
    expect(own.tlsUrl).toBeUndefined();
    const socket = new MessageWebSocket();
    const closed = new Promise<number>((resolve) =>
      socket.addEventListener("closed", (args) => resolve(args.code)),
    );
    await socket.connectAsync(own.url);
    await own.close();
    expect(await closed).toBe(1001);
    expect(own.accepted.length).toBe(1);
  });

  it("echoes section by section in partial mode", async () => {
    const own = await startEchoServer({ partial: true });
    try {
      const replies = await roundTrip(own.url, ["partial echo", new Uint8Array(200_000).fill(7)]);
      expect(new TextDecoder().decode(replies[0]?.bytes)).toBe("partial echo");
      expect(replies[1]?.bytes.length).toBe(200_000);
    } finally {
      await own.close();
    }
  });
});
