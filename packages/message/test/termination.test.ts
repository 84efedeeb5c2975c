import { WebErrorStatus, WebSocketError } from "@netsockets/errors";
import { closePayload, frame } from "@netsockets/protocol/testing";
import { afterEach, describe, expect, it } from "vitest";
import {
  MessageWebSocket,
  type MessageWebSocketControlOptions,
  type MessageWebSocketListenerControlOptions,
  type MessageWebSocketMessageReceivedEventArgs,
  SocketMessageType,
} from "../src/index.js";
import { Collector, startServer } from "./helpers.js";
import { connectRaw, type RawPeer, startRawServer } from "./raw-peer.js";

type Kind = "client" | "server";

interface Pair {
  readonly ours: MessageWebSocket;
  readonly received: Collector;
  readonly peer: RawPeer;
  /** Iterates `ours` from before connect (client) or inside connectionreceived (server). */
  readonly iteration: Promise<{ count: number; error?: unknown }>;
  /** Builds a frame as this peer must send it (masked from a client). */
  frame(opcode: number, payload: Uint8Array, fin?: boolean): Uint8Array;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

function iterate(socket: MessageWebSocket): Promise<{ count: number; error?: unknown }> {
  const iterator = socket[Symbol.asyncIterator]();
  return (async () => {
    let count = 0;
    try {
      for await (const _ of { [Symbol.asyncIterator]: () => iterator }) count++;
      return { count };
    } catch (error) {
      return { count, error };
    }
  })();
}

/** Our socket of `kind` connected to a raw peer. */
async function pair(
  kind: Kind,
  options: MessageWebSocketControlOptions = {},
  setup: (socket: MessageWebSocket) => void = () => {},
): Promise<Pair> {
  if (kind === "client") {
    const server = await startRawServer();
    cleanups.push(() => server.close());
    const ours = new MessageWebSocket(options);
    setup(ours);
    const received = new Collector(ours);
    const iteration = iterate(ours);
    const [peer] = await Promise.all([server.nextPeer(), ours.connectAsync(server.url)]);
    return {
      ours,
      received,
      peer,
      iteration,
      frame: (opcode, payload, fin = true) => frame(opcode, payload, { fin }),
    };
  }
  let received: Collector | undefined;
  let iteration: Promise<{ count: number; error?: unknown }> | undefined;
  const server = await startServer((socket) => {
    setup(socket);
    received = new Collector(socket);
    iteration = iterate(socket);
  }, options as MessageWebSocketListenerControlOptions);
  cleanups.push(() => server.listener.close({ timeoutMs: 500 }));
  const accepted = server.nextSocket();
  const peer = await connectRaw(server.url);
  cleanups.push(async () => {
    peer.socket.destroy();
  });
  const ours = await accepted;
  return {
    ours,
    received: received as Collector,
    peer,
    iteration: iteration as Promise<{ count: number; error?: unknown }>,
    frame: (opcode, payload, fin = true) => frame(opcode, payload, { fin, mask: true }),
  };
}

const isClose = (f: { opcode: number }) => f.opcode === 0x8;
const codeOf = (payload: Uint8Array) => ((payload[0] as number) << 8) | (payload[1] as number);

describe.each(["client", "server"] as const)("termination table — %s socket", (kind) => {
  it("a close from the peer: we echo it, then one closed with its code and reason", async () => {
    const { ours, received, peer, iteration, frame: f } = await pair(kind);
    peer.socket.write(f(0x1, new TextEncoder().encode("last")));
    peer.socket.write(f(0x8, closePayload(1001, "going")));
    const echo = await peer.waitForFrame(isClose);
    expect(codeOf(echo.payload)).toBe(1001);
    peer.socket.end();
    expect(await received.closed).toEqual({ code: 1001, reason: "going" });
    await peer.closed;
    expect(received.closedEvents).toHaveLength(1);
    expect(received.texts()).toEqual(["last"]);
    expect(await iteration).toEqual({ count: 1 });
    // Single use: sends now fail, connectAsync too.
    await expect(ours.sendAsync("late")).rejects.toMatchObject({ code: "ERR_CONNECTION_CLOSED" });
    await expect(ours.connectAsync("ws://127.0.0.1:1/")).rejects.toBeInstanceOf(Error);
  });

  it("a reply sent from messagereceived goes out before the close that came in the same chunk", async () => {
    const reply = (socket: MessageWebSocket) => {
      socket.addEventListener("messagereceived", (args) => {
        const reader = args.getDataReader();
        void socket.sendAsync(`re: ${reader.readString(reader.unconsumedBufferLength)}`);
      });
    };
    const { received, peer, frame: f } = await pair(kind, {}, reply);
    peer.socket.write(
      Buffer.concat([
        f(0x1, new TextEncoder().encode("one")),
        f(0x1, new TextEncoder().encode("two")),
        f(0x8, closePayload(1000, "")),
      ]),
    );
    await peer.waitForFrame(isClose);
    const frames = peer.frames();
    expect(frames.map((fr) => fr.opcode)).toEqual([0x1, 0x1, 0x8]);
    expect(frames.slice(0, 2).map((fr) => new TextDecoder().decode(fr.payload))).toEqual([
      "re: one",
      "re: two",
    ]);
    peer.socket.end();
    expect((await received.closed).code).toBe(1000);
  });

  it("an empty close frame from the peer gives closed 1005", async () => {
    const { received, peer, frame: f } = await pair(kind);
    peer.socket.write(f(0x8, new Uint8Array(0)));
    await peer.waitForFrame(isClose);
    peer.socket.end();
    expect(await received.closed).toEqual({ code: 1005, reason: "" });
  });

  it("our close: the peer's answer completes it, one closed", async () => {
    const { ours, received, peer, frame: f } = await pair(kind);
    ours.close(4001, "done");
    const sent = await peer.waitForFrame(isClose);
    expect(codeOf(sent.payload)).toBe(4001);
    expect(new TextDecoder().decode(sent.payload.subarray(2))).toBe("done");
    peer.socket.write(f(0x8, closePayload(4001, "ok")));
    peer.socket.end();
    expect(await received.closed).toEqual({ code: 4001, reason: "ok" });
    await peer.closed;
    expect(received.closedEvents).toHaveLength(1);
    expect(received.errors).toEqual([]);
  });

  it("our close without an answer: destroyed after closeTimeoutMs, closed 1006", async () => {
    const { ours, received, peer } = await pair(kind, { closeTimeoutMs: 150 });
    ours.close();
    const sent = await peer.waitForFrame(isClose);
    expect(sent.payload.length).toBe(0);
    expect(await received.closed).toEqual({ code: 1006, reason: "" });
    await peer.closed;
    expect(received.closedEvents).toHaveLength(1);
    expect(received.errors).toEqual([]);
  });

  it.each([
    {
      name: "a reserved opcode",
      options: {},
      frames: (f: Pair["frame"]) => [f(0x3, new Uint8Array(0))],
      code: 1002,
      error: "WS_ERR_INVALID_OPCODE",
    },
    {
      name: "invalid UTF-8 in a text message",
      options: {},
      frames: (f: Pair["frame"]) => [f(0x1, new Uint8Array([0x61, 0xff]))],
      code: 1007,
      error: "WS_ERR_INVALID_UTF8",
    },
    {
      name: "too many fragments",
      options: { maxFragments: 2 },
      frames: (f: Pair["frame"]) => [
        f(0x2, new Uint8Array([1]), false),
        f(0x0, new Uint8Array([2]), false),
        f(0x0, new Uint8Array([3]), true),
      ],
      code: 1008,
      error: "WS_ERR_TOO_MANY_FRAGMENTS",
    },
    {
      name: "a message over maxMessageSize",
      options: { maxMessageSize: 16 },
      frames: (f: Pair["frame"]) => [f(0x2, new Uint8Array(32))],
      code: 1009,
      error: "WS_ERR_MESSAGE_TOO_BIG",
    },
  ])(
    "a peer violation ($name): we send $code, the readers throw, closed $code",
    async ({ options, frames, code, error }) => {
      const { ours, received, peer, iteration, frame: f } = await pair(kind, options);
      const order: string[] = [];
      ours.onclosed = () => order.push("closed");
      for (const bytes of frames(f)) peer.socket.write(bytes);
      const sent = await peer.waitForFrame(isClose);
      expect(codeOf(sent.payload)).toBe(code);
      peer.socket.end();
      expect((await received.closed).code).toBe(code);
      expect(received.errors).toHaveLength(1);
      expect(received.errors[0]).toMatchObject({ code: error, closeCode: code });
      expect(received.closedEvents).toHaveLength(1);
      expect(order).toEqual(["closed"]);
      const ended = await iteration;
      expect(ended.error).toBe(received.errors[0]);
    },
  );

  it("TCP loss without a close frame: no closed, one last messagereceived that throws connectionAborted", async () => {
    const timersBefore = activeTimers();
    const { ours, received, peer, iteration, frame: f } = await pair(kind);
    const events: MessageWebSocketMessageReceivedEventArgs[] = [];
    // (A listener added now would throw; the Collector was attached in time.)
    expect(() => ours.addEventListener("messagereceived", (a) => events.push(a))).toThrow(
      expect.objectContaining({ code: "ERR_INVALID_STATE" }),
    );
    peer.socket.write(f(0x1, new TextEncoder().encode("x"))); // a complete text message
    await received.waitFor(1);
    peer.socket.end();
    const error = await received.waitForError();
    expect(error).toMatchObject({ code: "ERR_CONNECTION_ABORTED" });
    expect(received.errorTypes).toEqual([SocketMessageType.binary]);
    expect(WebSocketError.getStatus(error)).toBe(WebErrorStatus.connectionAborted);
    expect(received.errors).toHaveLength(1);
    // Both readers throw the same error.
    const ended = await iteration;
    expect(ended).toEqual({ count: 1, error });
    await expect(ours.sendAsync("after")).rejects.toBe(error);
    await peer.closed;
    await new Promise((resolve) => setImmediate(resolve));
    expect(received.closedEvents).toEqual([]);
    expect(activeTimers()).toBeLessThanOrEqual(timersBefore);
  });

  it("a stalled message (messageTimeoutMs): no closed, one last messagereceived that throws TimeoutError", async () => {
    const { received, peer, iteration, frame: f } = await pair(kind, { messageTimeoutMs: 150 });
    peer.socket.write(f(0x1, new Uint8Array([0x61]), false)); // a text message that never finishes
    const error = await received.waitForError();
    expect(error).toMatchObject({ code: "ERR_TIMEOUT" });
    // The error event carries the type of the message that was arriving.
    expect(received.errorTypes).toEqual([SocketMessageType.utf8]);
    expect(WebSocketError.getStatus(error)).toBe(WebErrorStatus.timeout);
    expect((await iteration).error).toBe(error);
    await peer.closed;
    expect(received.closedEvents).toEqual([]);
  });

  it("a stalled one-frame binary message times out too (announced while its bytes arrive)", async () => {
    const { received, peer, iteration, frame: f } = await pair(kind, { messageTimeoutMs: 150 });
    // One binary frame, reported whole once complete: half of it, then nothing.
    const whole = f(0x2, new Uint8Array(100_000).fill(7));
    peer.socket.write(whole.subarray(0, 50_000));
    const error = await received.waitForError();
    expect(error).toMatchObject({ code: "ERR_TIMEOUT" });
    expect(received.errorTypes).toEqual([SocketMessageType.binary]);
    expect(received.messages).toEqual([]);
    expect((await iteration).error).toBe(error);
    await peer.closed;
  });

  it("a one-frame binary message written in parts arrives whole and intact", async () => {
    const { ours, received, peer, frame: f } = await pair(kind);
    const payload = Uint8Array.from({ length: 200_003 }, (_, i) => (i * 31 + (i >>> 9)) & 0xff);
    const whole = f(0x2, payload);
    // Node reads at most 64 KiB per socket read, so the frame always spans several reads.
    peer.socket.write(whole.subarray(0, 70_001));
    peer.socket.write(whole.subarray(70_001));
    await received.waitFor(1);
    expect(received.messages).toHaveLength(1);
    const message = received.messages[0] as { type: number; complete: boolean; data: Uint8Array };
    expect([message.type, message.complete]).toEqual([SocketMessageType.binary, true]);
    expect(Buffer.compare(message.data, payload)).toBe(0);
    ours.close();
  });

  it("keepalive: a peer that never answers pings is dropped (ERR_PEER_UNRESPONSIVE), no closed", async () => {
    const { received, peer } = await pair(kind, { pingIntervalMs: 100, pingTimeoutMs: 100 });
    await peer.waitForFrame((fr) => fr.opcode === 0x9);
    const error = await received.waitForError();
    expect(error).toMatchObject({ code: "ERR_PEER_UNRESPONSIVE" });
    await peer.closed;
    expect(received.closedEvents).toEqual([]);
  });

  it("desiredUnsolicitedPongInterval sends unsolicited pongs", async () => {
    const { ours, peer } = await pair(kind, { desiredUnsolicitedPongInterval: 100 });
    expect(ours.control.actualUnsolicitedPongInterval).toBe(100);
    await peer.waitForFrame((fr) => fr.opcode === 0xa);
    ours.close();
  });

  it("TCP loss rejects a pending send with the loss error", async () => {
    const { ours, received, peer } = await pair(kind, { outboundBufferSizeInBytes: 1024 });
    peer.socket.pause();
    const big = new Uint8Array(32 * 1024 * 1024);
    const pending = ours.sendAsync(big);
    let settled = false;
    pending.then(
      () => (settled = true),
      () => (settled = true),
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(settled).toBe(false);
    expect(ours.bufferedAmount).toBeGreaterThan(0);
    // A FIN (the peer never read): the send is still waiting for the kernel.
    peer.socket.end();
    const error = await received.waitForError();
    await expect(pending).rejects.toBe(error);
    expect(WebSocketError.getStatus(error)).toBe(WebErrorStatus.connectionAborted);
    expect(received.closedEvents).toEqual([]);
    peer.socket.destroy();
  });
});

function activeTimers(): number {
  return process.getActiveResourcesInfo().filter((name) => name === "Timeout").length;
}
