import { InvalidArgumentError, InvalidStateError, ProtocolError } from "@netsockets/errors";
import { describe, expect, it } from "vitest";
import { Connection } from "./connection.js";
import type { ConnectionEvent } from "./events.js";
import { Opcode } from "./opcode.js";
import { concatBytes, hex, splitEvery, utf8 } from "./testing/bytes.js";
import { closePayload, frame } from "./testing/frames.js";
import { connectPair, decodeFrames, drive, echoHandler, pump } from "./testing/harness.js";

const server = () => new Connection({ role: "server" });
const client = () => new Connection({ role: "client" });
const masked = { mask: true } as const;

function wire(c: Connection) {
  return decodeFrames(concatBytes(c.dataToSend()));
}

describe("Connection: receiving", () => {
  it("reports a masked text frame as one data event (RFC 6455 §5.7 example)", () => {
    const c = server();
    c.receiveData(hex("81 85 37 fa 21 3d 7f 9f 4d 51 58"));
    const events = c.nextEvents();
    expect(events).toEqual([
      {
        type: "data",
        binary: false,
        data: utf8("Hello"),
        messageStarted: true,
        fin: true,
        frameFinished: true,
        messageFinished: true,
      },
    ]);
  });

  it("stops after each message and keeps the rest buffered", () => {
    const c = client();
    c.receiveData(concatBytes([frame(1, utf8("a")), frame(2, hex("0102")), frame(9, utf8("p"))]));
    expect(c.nextEvents().map((e) => e.type)).toEqual(["data"]);
    expect(c.nextEvents()).toMatchObject([{ type: "data", binary: true }]);
    expect(c.nextEvents()).toMatchObject([{ type: "ping" }]);
    expect(c.nextEvents()).toEqual([]);
    expect(wire(c)).toMatchObject([{ opcode: Opcode.pong, payload: utf8("p"), masked: true }]);
  });

  it("answers a ping with a pong carrying its payload", () => {
    const c = server();
    const { events, output } = drive(c, [frame(9, utf8("hi"), masked)]);
    expect(events).toEqual([{ type: "ping", data: utf8("hi") }]);
    expect(output).toEqual(hex("8a 02 68 69"));
  });

  it("echoes a close frame and reports close-received then close", () => {
    const c = server();
    const { events, output } = drive(c, [frame(8, closePayload(1001, "bye"), masked)]);
    expect(events).toEqual([
      { type: "close-received", code: 1001, reason: "bye" },
      { type: "close", code: 1001, reason: "bye", wasClean: true, closedBy: "remote" },
    ]);
    expect(output).toEqual(hex("88 02 03 e9"));
    expect(c.state).toBe("closed");
  });

  it("fails with 1002 on an unmasked client frame", () => {
    const c = server();
    const { events, output } = drive(c, [frame(1, utf8("x"))]);
    expect(events).toHaveLength(1);
    const close = events[0] as Extract<ConnectionEvent, { type: "close" }>;
    expect(close).toMatchObject({ type: "close", code: 1002, wasClean: false, closedBy: "local" });
    expect(close.error).toBeInstanceOf(ProtocolError);
    expect(close.error?.code).toBe("WS_ERR_EXPECTED_MASK");
    expect(output).toEqual(hex("88 02 03 ea"));
  });

  it("reports 1006 on EOF without a close frame", () => {
    const c = client();
    const { events } = drive(c, [hex("81")], { eof: true });
    expect(events).toEqual([
      { type: "close", code: 1006, reason: "", wasClean: false, closedBy: "transport" },
    ]);
  });

  it("gives the same events in 1-byte chunks", () => {
    const bytes = concatBytes([
      frame(1, utf8("Hel"), { fin: false, mask: true }),
      frame(9, utf8("!"), masked),
      frame(0, utf8("lo"), masked),
      frame(8, closePayload(1000), masked),
    ]);
    const whole = drive(server(), [bytes.slice()], { handler: echoHandler() });
    const bytewise = drive(server(), splitEvery(bytes, 1), { handler: echoHandler() });
    expect(bytewise.output).toEqual(whole.output);
    expect(decodeFrames(whole.output).map((f) => f.opcode)).toEqual([10, 1, 8]);
  });
});

describe("Connection: sending", () => {
  it("masks client frames and never masks server frames", () => {
    const c = client();
    c.sendText("hi");
    const [f] = wire(c);
    expect(f).toMatchObject({ opcode: 1, fin: true, masked: true, payload: utf8("hi") });
    const s = server();
    s.sendBinary(hex("0102"));
    expect(concatBytes(s.dataToSend())).toEqual(hex("82 02 01 02"));
  });

  it("continues a message after fin: false and refuses to switch type", () => {
    const s = server();
    s.sendText("a", { fin: false });
    expect(() => s.sendBinary(hex("00"))).toThrow(InvalidStateError);
    s.sendPing();
    s.sendText("b");
    expect(concatBytes(s.dataToSend())).toEqual(hex("01 01 61 89 00 80 01 62"));
  });

  it("throws InvalidStateError for a send after our close, InvalidArgumentError for bad codes", () => {
    const s = server();
    expect(() => s.sendClose(1005)).toThrow(InvalidArgumentError);
    expect(() => s.sendPing(new Uint8Array(126))).toThrow(InvalidArgumentError);
    s.sendClose(1000, "done");
    expect(s.state).toBe("closing");
    expect(s.closeExpected()).toBe(true);
    expect(() => s.sendText("x")).toThrow(InvalidStateError);
    expect(() => s.sendClose()).toThrow(InvalidStateError);
    expect(concatBytes(s.dataToSend())).toEqual(concatBytes([hex("88 06 03 e8"), utf8("done")]));
  });
});

describe("Connection: dataFramesWritten", () => {
  it("counts data frames as they are written, behind a pending encode too, and not dropped ones", async () => {
    const encodes: { resolve: () => void; reject: (error: Error) => void }[] = [];
    const c = new Connection({
      role: "server",
      extensions: [
        {
          name: "x-held",
          rsvBits: 4,
          decode: (chunk) => chunk,
          encode: (chunk) =>
            new Promise((resolve, reject) => {
              encodes.push({ resolve: () => resolve({ data: chunk, rsv: 4 }), reject });
            }),
        },
      ],
    });
    expect(c.dataFramesWritten).toBe(0);
    c.sendText("a", { fin: false });
    c.sendPing();
    c.sendText("b");
    c.sendBinary(hex("01"));
    // One encode runs; the rest (the ping included) waits behind it.
    expect(c.dataFramesWritten).toBe(0);
    expect(c.dataToSend()).toEqual([]);
    encodes[0]?.resolve();
    await c.sendPending;
    // "a" and the ping are out; "b" is encoding now.
    expect(c.dataFramesWritten).toBe(1);
    expect(wire(c).map((f) => f.opcode)).toEqual([Opcode.text, Opcode.ping]);
    encodes[1]?.reject(new Error("broken"));
    await c.sendPending;
    // "b" and the binary message behind it were dropped; the 1011 close is not a data frame.
    expect(c.dataFramesWritten).toBe(1);
    expect(wire(c).map((f) => f.opcode)).toEqual([Opcode.close]);
    expect(encodes).toHaveLength(2);
  });

  it("counts every data frame of a connection without extensions at once", () => {
    const c = client();
    c.sendText("x");
    c.sendBinary(hex("00"), { fin: false });
    c.sendBinary(hex("00"));
    c.sendPong();
    c.sendClose(1000);
    expect(c.dataFramesWritten).toBe(3);
  });
});

describe("Connection: nextEvents() batches", () => {
  it("hands out a new array per call that later calls leave alone", () => {
    const s = server();
    s.receiveData(concatBytes([frame(1, utf8("a"), masked), frame(9, utf8("p"), masked)]));
    const first = s.nextEvents();
    const second = s.nextEvents();
    expect(first).not.toBe(second);
    expect(first).toMatchObject([{ type: "data", data: utf8("a") }]);
    expect(second).toMatchObject([{ type: "ping", data: utf8("p") }]);
    first.push(first[0] as (typeof first)[number]); // the caller owns it
    s.receiveData(frame(1, utf8("b"), masked));
    expect(s.nextEvents()).toMatchObject([{ type: "data", data: utf8("b") }]);
    expect(second).toHaveLength(1);
  });

  it("keeps nothing from a call that threw into the next one", () => {
    // An injected validator that throws on its second call: the first fragment's event is
    // gathered, then the second fragment throws out of nextEvents().
    let calls = 0;
    const validateUtf8 = (bytes: Uint8Array): boolean => {
      calls++;
      if (calls === 2) throw new RangeError("validator broke");
      return Buffer.from(bytes).toString("utf8").length >= 0;
    };
    const s = new Connection({ role: "server", validateUtf8 });
    s.receiveData(
      concatBytes([frame(1, utf8("a"), { ...masked, fin: false }), frame(0, utf8("b"), masked)]),
    );
    expect(() => s.nextEvents()).toThrow("validator broke");
    expect(calls).toBe(2);
    const other = server();
    other.receiveData(frame(1, utf8("fresh"), masked));
    expect(other.nextEvents()).toEqual([
      {
        type: "data",
        binary: false,
        data: utf8("fresh"),
        messageStarted: true,
        fin: true,
        frameFinished: true,
        messageFinished: true,
      },
    ]);
  });
});

describe("Connection: allocate", () => {
  it("masks large client frames into the injected allocator's memory, every byte written", () => {
    const sizes: number[] = [];
    // Dirty memory, as Buffer.allocUnsafeSlow may return it.
    const allocate = (size: number) => {
      sizes.push(size);
      return new Uint8Array(size).fill(0xcc);
    };
    const c = new Connection({ role: "client", allocate });
    const payloads = [5000, 65_536, 70_001, 100, 0].map((length) =>
      Uint8Array.from({ length }, (_, i) => (i * 7 + length) & 0xff),
    );
    const copies = payloads.map((payload) => payload.slice());
    for (const payload of payloads) c.sendBinary(payload);
    c.sendText("end");
    const frames = decodeFrames(concatBytes(c.dataToSend()));
    expect(frames.map((f) => f.payload.length)).toEqual([5000, 65_536, 70_001, 100, 0, 3]);
    for (const [i, payload] of copies.entries()) {
      expect(Buffer.compare(frames[i]?.payload as Uint8Array, payload)).toBe(0);
      expect(Buffer.compare(payloads[i] as Uint8Array, payload)).toBe(0);
    }
    // Only the copies over the slab's 4 KiB came from the allocator.
    expect(sizes).toEqual([5000, 65_536, 70_001]);
  });

  it("takes masked copies from allocateMaskCopy, and received messages from allocate", () => {
    const copies: number[] = [];
    const received: number[] = [];
    const c = new Connection({
      role: "client",
      wholeBinaryMessages: true,
      allocate: (size) => {
        received.push(size);
        return new Uint8Array(size).fill(0xcc);
      },
      allocateMaskCopy: (size) => {
        copies.push(size);
        return new Uint8Array(size).fill(0xdd);
      },
    });
    const payload = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 13) & 0xff);
    c.sendBinary(payload);
    const [sent] = decodeFrames(concatBytes(c.dataToSend()));
    expect(Buffer.compare(sent?.payload as Uint8Array, payload)).toBe(0);
    // A server's binary message over two chunks is gathered into `allocate`'s memory.
    const wire = frame(2, payload);
    c.receiveData(wire.slice(0, 30_000));
    c.receiveData(wire.slice(30_000));
    const events = c.nextEvents();
    expect(events).toMatchObject([{ type: "data", binary: true, messageFinished: true }]);
    const event = events[0] as { data: Uint8Array };
    expect(Buffer.compare(event.data, payload)).toBe(0);
    expect(copies).toEqual([70_000]);
    expect(received).toEqual([70_000]);
  });
});

describe("Connection: options shared between connections", () => {
  // Connections made with equal options share what those resolve to; these pin that each one
  // still behaves by its own options when they alternate.
  it("keeps each connection's limits and role when the options alternate", () => {
    const small = new Connection({ role: "server", limits: { maxMessageSize: 10 } });
    const large = new Connection({ role: "server", limits: { maxMessageSize: 20 } });
    const asClient = new Connection({ role: "client", limits: { maxMessageSize: 10 } });
    const again = new Connection({ role: "server", limits: { maxMessageSize: 10 } });
    expect([small.role, large.role, asClient.role, again.role]).toEqual([
      "server",
      "server",
      "client",
      "server",
    ]);
    // A fresh frame for each: the receiving side unmasks what it is given in place.
    const fifteen = () => frame(2, new Uint8Array(15), masked);
    expect(drive(small, [fifteen()]).events).toMatchObject([{ type: "close", code: 1009 }]);
    expect(drive(large, [fifteen()]).events).toMatchObject([
      { type: "data", binary: true, messageFinished: true },
    ]);
    expect(drive(again, [fifteen()]).events).toMatchObject([{ type: "close", code: 1009 }]);
    // The client masks what it sends, the servers do not.
    asClient.sendBinary(utf8("x"));
    large.sendBinary(utf8("x"));
    expect(wire(asClient)).toMatchObject([{ masked: true }]);
    expect(wire(large)).toMatchObject([{ masked: false }]);
  });

  it("keeps each connection's UTF-8 validator and mask source", () => {
    const refuseAll = new Connection({ role: "server", validateUtf8: () => false });
    const plain = new Connection({ role: "server" });
    // A fresh frame for each: the receiving side unmasks what it is given in place.
    const text = () => frame(1, utf8("ok"), masked);
    expect(drive(refuseAll, [text()]).events).toMatchObject([{ type: "close", code: 1007 }]);
    expect(drive(plain, [text()]).events).toMatchObject([{ type: "data", data: utf8("ok") }]);
    const zeroMasks = new Connection({ role: "client", randomFill: (t) => t.fill(0) });
    const randomMasks = new Connection({ role: "client" });
    zeroMasks.sendBinary(utf8("abcd"));
    expect(concatBytes(zeroMasks.dataToSend())).toEqual(hex("82 84 00 00 00 00 61 62 63 64"));
    randomMasks.sendBinary(utf8("abcd"));
    expect(wire(randomMasks)).toMatchObject([{ masked: true, payload: utf8("abcd") }]);
  });
});

describe("Connection: two peers", () => {
  it("exchange messages and close cleanly from either side", () => {
    const pair = connectPair({ onServerEvent: echoHandler() });
    pair.client.sendText("hello");
    pair.client.sendBinary(hex("00ff"));
    pair.exchange();
    expect(pair.clientEvents).toMatchObject([
      { type: "data", binary: false, data: utf8("hello"), messageFinished: true },
      { type: "data", binary: true, data: hex("00ff"), messageFinished: true },
    ]);
    pair.client.sendClose(1000);
    pair.exchange();
    expect(pair.serverEvents.slice(-1)).toEqual([
      { type: "close", code: 1000, reason: "", wasClean: true, closedBy: "remote" },
    ]);
    expect(pair.clientEvents.slice(-1)).toEqual([
      { type: "close", code: 1000, reason: "", wasClean: true, closedBy: "local" },
    ]);
    expect(pump(pair.client)).toEqual([]);
  });
});

describe("Connection: closing", () => {
  it("still reports data after our close, but answers no ping, until the peer's close", () => {
    const s = server();
    s.sendClose(1000);
    expect(wire(s)).toMatchObject([{ opcode: Opcode.close }]);
    const { events, output } = drive(s, [
      concatBytes([
        frame(1, utf8("late"), masked),
        frame(9, utf8("p"), masked),
        frame(8, closePayload(1000, "ok"), masked),
      ]),
    ]);
    expect(events.map((e) => e.type)).toEqual(["data", "ping", "close-received", "close"]);
    expect(events.at(-1)).toEqual({
      type: "close",
      code: 1000,
      reason: "ok",
      wasClean: true,
      closedBy: "local",
    });
    expect(output.length).toBe(0);
    expect(s.closeInfo).toEqual({
      sent: { code: 1000, reason: "" },
      received: { code: 1000, reason: "ok" },
    });
  });

  it("answers an empty close frame with an empty one and reports 1005", () => {
    const { events, output } = drive(server(), [frame(8, new Uint8Array(0), masked)]);
    expect(events.at(-1)).toMatchObject({ type: "close", code: 1005, wasClean: true });
    expect(output).toEqual(hex("88 00"));
  });

  it("refuses sends once the peer's close was echoed", () => {
    const s = server();
    drive(s, [frame(8, closePayload(1001), masked)]);
    expect(s.state).toBe("closed");
    expect(() => s.sendText("x")).toThrow(InvalidStateError);
    expect(() => s.sendPong()).toThrow(InvalidStateError);
  });

  it("reports EOF after our close as 1006 closed by us", () => {
    const c = client();
    c.sendClose(1000);
    const { events } = drive(c, [], { eof: true });
    expect(events).toEqual([
      { type: "close", code: 1006, reason: "", wasClean: false, closedBy: "local" },
    ]);
    expect(c.closeExpected()).toBe(false);
  });

  it("reports 1006 (closed by the transport) for an EOF before any byte arrived", () => {
    const s = server();
    expect(s.nextEvents()).toEqual([]);
    s.receiveEof();
    expect(s.nextEvents()).toEqual([
      { type: "close", code: 1006, reason: "", wasClean: false, closedBy: "transport" },
    ]);
    expect(s.state).toBe("closed");
    s.receiveData(frame(1, utf8("late"), masked));
    expect(s.nextEvents()).toEqual([]);
  });

  it("delivers buffered messages before the 1006 of an EOF", () => {
    const c = client();
    c.receiveData(concatBytes([frame(1, utf8("a")), frame(1, utf8("b"))]));
    c.receiveEof();
    expect(pump(c).map((e) => e.type)).toEqual(["data", "data", "close"]);
  });

  it("fail() sends its close, reports close once, and discards further input", () => {
    const s = server();
    expect(() => s.fail(1005)).toThrow(InvalidArgumentError);
    s.fail(1011, "oops");
    expect(s.state).toBe("closed");
    expect(concatBytes(s.dataToSend())).toEqual(concatBytes([hex("88 06 03 f3"), utf8("oops")]));
    s.receiveData(frame(1, utf8("ignored"), masked));
    expect(s.nextEvents()).toEqual([
      { type: "close", code: 1011, reason: "oops", wasClean: false, closedBy: "local" },
    ]);
    expect(s.nextEvents()).toEqual([]);
    s.fail(1000);
    expect(s.dataToSend()).toEqual([]);
    expect(s.nextEvents()).toEqual([]);
  });

  it("fail(1006) aborts without a close frame", () => {
    const c = client();
    c.fail(1006);
    expect(c.dataToSend()).toEqual([]);
    expect(c.nextEvents()).toMatchObject([{ type: "close", code: 1006, closedBy: "local" }]);
  });

  it("reports a violation after our close with its code, without a second close frame", () => {
    const s = server();
    s.sendClose(1000);
    s.dataToSend();
    const { events, output } = drive(s, [frame(3, new Uint8Array(0), masked)]);
    expect(events).toMatchObject([{ type: "close", code: 1002, wasClean: false }]);
    expect(output.length).toBe(0); // our close frame is already out: no second one
  });
});

describe("Connection: wholeBinaryMessages", () => {
  /** A server Connection reporting whole binary messages into dirty memory it records. */
  function wholeServer(limits?: { maxMessageSize: number }) {
    const sizes: number[] = [];
    const connection = new Connection({
      role: "server",
      wholeBinaryMessages: true,
      ...(limits === undefined ? {} : { limits }),
      // Dirty memory, as Buffer.allocUnsafeSlow may return it.
      allocate: (size) => {
        sizes.push(size);
        return new Uint8Array(size).fill(0xcc);
      },
    });
    return { connection, sizes };
  }
  const payload = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 7 + (i >>> 8)) & 0xff);
  const key = hex("9a 12 fe 03");
  const binary = frame(2, payload, { mask: key });

  it("gathers a one-frame binary message spread over chunks into one array, unmasked, every byte written", () => {
    const { connection, sizes } = wholeServer();
    // Cut at unaligned places: the key phase of every chunk differs.
    const chunks = [binary.slice(0, 5), binary.slice(5, 40_003), binary.slice(40_003)];
    const { events } = drive(connection, chunks);
    expect(sizes).toEqual([payload.length]);
    // An empty first piece announces the message while its bytes arrive (message timers run).
    expect(events).toEqual([
      {
        type: "data",
        binary: true,
        data: new Uint8Array(0),
        messageStarted: true,
        fin: true,
        frameFinished: false,
        messageFinished: false,
      },
      {
        type: "data",
        binary: true,
        data: payload,
        messageStarted: false,
        fin: true,
        frameFinished: true,
        messageFinished: true,
      },
    ]);
  });

  it("announces the message once however many chunks it takes, and allocates nothing until all its bytes are in", () => {
    const { connection, sizes } = wholeServer();
    const chunks = splitEvery(binary, 1000);
    const last = chunks.pop() as Uint8Array;
    const { events } = drive(connection, chunks);
    expect(events).toMatchObject([{ messageStarted: true, data: new Uint8Array(0) }]);
    expect(sizes).toEqual([]);
    const rest = drive(connection, [last]);
    expect(rest.events).toMatchObject([{ messageFinished: true, data: payload }]);
    expect(sizes).toEqual([payload.length]);
  });

  it("hands out a frame that lies in one chunk as a view of it, without allocating", () => {
    const { connection, sizes } = wholeServer();
    const chunk = concatBytes([binary, frame(9, utf8("p"), masked)]);
    connection.receiveData(chunk);
    const [event] = connection.nextEvents();
    expect(event).toMatchObject({ type: "data", messageStarted: true, messageFinished: true });
    const data = (event as { data: Uint8Array }).data;
    expect(data.buffer).toBe(chunk.buffer);
    expect(data).toEqual(payload);
    expect(sizes).toEqual([]);
  });

  it("keeps text, fragmented and unmasked-by-chunk pieces as before", () => {
    const text = frame(1, utf8("é".repeat(30_000)), masked);
    const fragments = concatBytes([
      frame(2, payload.subarray(0, 40_000), { mask: key, fin: false }),
      frame(0, payload.subarray(40_000), { mask: key }),
    ]);
    for (const bytes of [text, fragments]) {
      const { connection, sizes } = wholeServer();
      const { events } = drive(connection, splitEvery(bytes, 16_384));
      const plain = drive(new Connection({ role: "server" }), splitEvery(bytes, 16_384));
      expect(events).toEqual(plain.events);
      expect(events.length).toBeGreaterThan(2);
      expect(sizes).toEqual([]);
    }
  });

  it("reports the same as piece by piece in 1-byte chunks, and after EOF mid-frame a 1006 only", () => {
    const { connection } = wholeServer();
    const { events } = drive(connection, splitEvery(concatBytes([binary, binary]), 1));
    expect(events.filter((e) => e.type === "data" && e.messageFinished)).toMatchObject([
      { data: payload },
      { data: payload },
    ]);
    // The first chunk held the whole frame's start but not all of it: one announcement each.
    expect(events).toHaveLength(4);
    const cut = drive(wholeServer().connection, [binary.slice(0, 30_000)], { eof: true });
    expect(cut.events).toMatchObject([
      { type: "data", messageStarted: true, messageFinished: false },
      { type: "close", code: 1006 },
    ]);
  });

  describe("receiveRegion / receivedInto (reading straight into the message)", () => {
    const big = Uint8Array.from({ length: 600_000 }, (_, i) => (i * 13 + (i >>> 9)) & 0xff);
    const bigFrame = frame(2, big, { mask: key });
    const headerLength = bigFrame.length - big.length;
    /** Whether an event's data is `big` (a loop: deep equality of 600,000 bytes takes seconds). */
    const isBig = (event: unknown): boolean => {
      const data = (event as { data?: Uint8Array }).data;
      return data !== undefined && data.length === big.length && data.every((b, i) => b === big[i]);
    };

    it("offers the rest of a gathered message once an eighth of it (and 64 KiB) is queued", () => {
      const { connection, sizes } = wholeServer();
      // 70,000 payload bytes: more than 64 KiB but less than an eighth of 600,000.
      const { events } = drive(connection, [bigFrame.slice(0, headerLength + 70_000)]);
      expect(events).toMatchObject([{ messageStarted: true, data: new Uint8Array(0) }]);
      expect(connection.receiveRegion(16_384)).toBeUndefined();
      expect(sizes).toEqual([]);
      const queuedTo = headerLength + 80_000;
      connection.receiveData(bigFrame.slice(headerLength + 70_000, queuedTo));
      expect(connection.nextEvents()).toEqual([]);
      const region = connection.receiveRegion(16_384) as Uint8Array;
      expect(sizes).toEqual([big.length]);
      expect(region.length).toBe(big.length - 80_000);
      // Asked again with nothing written, the same place.
      expect((connection.receiveRegion(16_384) as Uint8Array).byteOffset).toBe(region.byteOffset);
      // The wire bytes (masked) go straight in, in two reads; the Connection unmasks them.
      const wire = bigFrame.subarray(queuedTo);
      region.set(wire.subarray(0, 300_000));
      connection.receivedInto(300_000);
      expect(connection.nextEvents()).toEqual([]);
      const rest = connection.receiveRegion(16_384) as Uint8Array;
      expect(rest.length).toBe(wire.length - 300_000);
      rest.set(wire.subarray(300_000));
      connection.receivedInto(rest.length);
      expect(connection.receiveRegion(16_384)).toBeUndefined();
      const [event] = connection.nextEvents();
      expect(event).toMatchObject({ type: "data", messageStarted: false, messageFinished: true });
      expect(isBig(event)).toBe(true);
      // And the next message parses as usual.
      const after = drive(connection, [frame(2, utf8("next"), masked)]);
      expect(after.events).toMatchObject([{ type: "data", data: utf8("next") }]);
    });

    it("offers nothing when bytes are queued, the rest is small, or the message is not gathered whole", () => {
      const { connection } = wholeServer();
      drive(connection, [bigFrame.slice(0, headerLength + 100_000)]);
      const region = connection.receiveRegion(16_384) as Uint8Array;
      expect(region.length).toBe(big.length - 100_000);
      // Bytes pushed the usual way come first: no region until they are parsed.
      connection.receiveData(bigFrame.slice(headerLength + 100_000, bigFrame.length - 10_000));
      expect(connection.receiveRegion(16_384)).toBeUndefined();
      expect(connection.nextEvents()).toEqual([]);
      // 10,000 bytes missing: below the minimum asked for.
      expect(connection.receiveRegion(16_384)).toBeUndefined();
      expect(connection.receiveRegion(4096)?.length).toBe(10_000);
      expect(() => connection.receivedInto(10_001)).toThrow(RangeError);
      connection.receiveData(bigFrame.slice(bigFrame.length - 10_000));
      const events = connection.nextEvents();
      expect(events).toMatchObject([{ messageFinished: true }]);
      expect(isBig(events[0])).toBe(true);

      const text = frame(1, utf8("é".repeat(300_000)), masked);
      const textConnection = wholeServer().connection;
      drive(textConnection, [text.slice(0, 400_000)]);
      expect(textConnection.receiveRegion(1)).toBeUndefined();
      const pieces = new Connection({ role: "server" });
      drive(pieces, [bigFrame.slice(0, 400_000)]);
      expect(pieces.receiveRegion(1)).toBeUndefined();
    });

    it("ignores bytes read in after the connection closed", () => {
      const { connection } = wholeServer();
      drive(connection, [bigFrame.slice(0, headerLength + 100_000)]);
      expect(connection.receiveRegion(16_384)).toBeDefined();
      connection.receiveEof();
      expect(connection.receiveRegion(16_384)).toBeUndefined();
      connection.receivedInto(1000);
      expect(connection.nextEvents()).toMatchObject([{ type: "close", code: 1006 }]);
    });
  });

  it("fails an oversized frame on its header, before anything is allocated", () => {
    const { connection, sizes } = wholeServer({ maxMessageSize: 1000 });
    const { events } = drive(connection, [binary.slice(0, 20)]);
    expect(events).toMatchObject([{ type: "close", code: 1009 }]);
    expect(sizes).toEqual([]);
  });

  it("gathers a client's unmasked frames too", () => {
    const c = new Connection({ role: "client", wholeBinaryMessages: true });
    const { events } = drive(c, splitEvery(frame(2, payload), 30_000));
    expect(events.at(-1)).toMatchObject({ messageFinished: true, data: payload });
    expect(events).toHaveLength(2);
  });
});
