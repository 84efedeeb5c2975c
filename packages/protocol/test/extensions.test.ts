/**
 * Extensions plug into the core through the Extension interface: RSV-marked messages go to
 * `decode` (sync or async), outgoing ones through `encode` (sync or async). Tested with identity
 * extensions so permessage-deflate later needs no change to the core.
 */
import { MessageTooBigError, ProtocolError } from "@netsockets/errors";
import { describe, expect, it } from "vitest";
import { Connection } from "../src/connection.js";
import type { ConnectionEvent } from "../src/events.js";
import type { Extension, ExtensionFrameInfo } from "../src/extension.js";
import {
  concatBytes,
  decodeFrames,
  driveAsync,
  echoHandler,
  fixedMaskFill,
  frame,
  hex,
  splitEvery,
  toHex,
  utf8,
} from "../src/testing/index.js";
import { normalize } from "./chunking.js";

const identitySync = (calls: ExtensionFrameInfo[] = []): Extension => ({
  name: "x-sync",
  rsvBits: 4,
  decode(chunk, info) {
    calls.push(info);
    return chunk;
  },
  encode: (chunk) => ({ data: chunk, rsv: 4 }),
});

/** Answers every call a macrotask later, as zlib would. */
const later = <T>(value: T) => new Promise<T>((resolve) => setImmediate(() => resolve(value)));
const identityAsync = (): Extension => ({
  name: "x-async",
  rsvBits: 4,
  decode: (chunk) => later(chunk.slice()),
  encode: (chunk) => later({ data: chunk.slice(), rsv: 4 }),
});

const m = { mask: true } as const;

describe("extensions: receiving", () => {
  it("gives RSV1 messages to a sync decode, chunk by chunk, and leaves others alone", () => {
    const calls: ExtensionFrameInfo[] = [];
    const connection = new Connection({ role: "server", extensions: [identitySync(calls)] });
    connection.receiveData(
      concatBytes([
        frame(1, utf8("ab"), { ...m, rsv: 4, fin: false }),
        frame(0, utf8("c"), m),
        frame(2, hex("01"), m),
      ]),
    );
    expect(normalize([...connection.nextEvents(), ...connection.nextEvents()])).toEqual([
      { type: "message", binary: false, data: toHex(utf8("abc")), finished: true },
      { type: "message", binary: true, data: "01", finished: true },
    ]);
    expect(calls).toEqual([
      { rsv: 4, fin: false, binary: false },
      { rsv: 4, fin: true, binary: false },
    ]);
  });

  it("holds input and reports nothing while an async decode is pending", async () => {
    const connection = new Connection({ role: "server", extensions: [identityAsync()] });
    connection.receiveData(
      concatBytes([frame(1, utf8("hi"), { ...m, rsv: 4 }), frame(9, utf8("p"), m)]),
    );
    expect(connection.nextEvents()).toEqual([]);
    const pending = connection.pending;
    expect(pending).toBeInstanceOf(Promise);
    expect(connection.nextEvents()).toEqual([]);
    expect(connection.dataToSend()).toEqual([]); // the ping is not answered yet
    await pending;
    // Cleared once settled: a driver that checks `pending` before `nextEvents()` moves on.
    expect(connection.pending).toBeUndefined();
    expect(connection.nextEvents()).toMatchObject([
      { type: "data", data: utf8("hi"), messageFinished: true },
    ]);
    expect(connection.nextEvents()).toMatchObject([{ type: "ping" }]);
    expect(connection.pending).toBeUndefined();
  });

  it("gives the same echo with an async extension, whole or byte by byte", async () => {
    const bytes = concatBytes([
      frame(1, utf8("frag"), { ...m, rsv: 4, fin: false }),
      frame(9, utf8("ping"), m),
      frame(0, utf8("ment"), m),
      frame(2, hex("00ff"), { ...m, rsv: 4 }),
      frame(8, hex("03e8"), m),
    ]);
    const run = async (chunks: Uint8Array[]) => {
      const connection = new Connection({ role: "server", extensions: [identityAsync()] });
      const result = await driveAsync(connection, chunks, { handler: echoHandler() });
      return decodeFrames(result.output).map((f) => [f.opcode, f.rsv, toHex(f.payload)]);
    };
    const whole = await run([bytes.slice()]);
    expect(whole).toEqual([
      [10, 0, toHex(utf8("ping"))],
      [1, 4, toHex(utf8("fragment"))],
      [2, 4, "00ff"],
      [8, 0, "03e8"],
    ]);
    expect(await run(splitEvery(bytes, 1))).toEqual(whole);

    // A driver that looks at `pending` before asking for events (as the Node driver does).
    const connection = new Connection({ role: "server", extensions: [identityAsync()] });
    const handler = echoHandler();
    const out: Uint8Array[] = [];
    connection.receiveData(bytes.slice());
    for (let rounds = 0; rounds < 100; rounds++) {
      const pending = connection.pending;
      if (pending !== undefined) {
        await pending;
        continue;
      }
      const events = connection.nextEvents();
      for (const event of events) handler(event, connection);
      out.push(...connection.dataToSend());
      if (events.length === 0 && connection.pending === undefined) break;
    }
    expect(decodeFrames(concatBytes(out)).map((f) => [f.opcode, f.rsv, toHex(f.payload)])).toEqual(
      whole,
    );
  });

  it("checks UTF-8 on the decoded bytes (1007)", () => {
    const corrupt: Extension = { name: "x", rsvBits: 4, decode: () => hex("c0 80") };
    const connection = new Connection({ role: "server", extensions: [corrupt] });
    connection.receiveData(frame(1, utf8("ok"), { ...m, rsv: 4 }));
    expect(connection.nextEvents()).toMatchObject([{ type: "close", code: 1007 }]);
  });

  it("checks maxMessageSize on the decoded bytes (1009)", () => {
    const inflate: Extension = {
      name: "x",
      rsvBits: 4,
      decode: (chunk) => new Uint8Array(chunk.length * 100),
    };
    const connection = new Connection({
      role: "server",
      extensions: [inflate],
      limits: { maxMessageSize: 1000 },
    });
    connection.receiveData(
      concatBytes([
        frame(2, new Uint8Array(8), { ...m, rsv: 4, fin: false }),
        frame(0, new Uint8Array(8), m),
      ]),
    );
    const events = [...connection.nextEvents(), ...connection.nextEvents()];
    const close = events.at(-1);
    expect(close).toMatchObject({ type: "close", code: 1009 });
    expect(close?.type === "close" && close.error).toBeInstanceOf(MessageTooBigError);
  });

  it("fails with 1002 when decode throws or rejects, or with the error's own close code", async () => {
    const cases: [Extension["decode"], number, string][] = [
      [
        () => {
          throw new Error("corrupt");
        },
        1002,
        "WS_ERR_EXTENSION_FAILED",
      ],
      [() => Promise.reject(new Error("corrupt")), 1002, "WS_ERR_EXTENSION_FAILED"],
      [() => Promise.reject(new MessageTooBigError(10)), 1009, "WS_ERR_MESSAGE_TOO_BIG"],
      [
        () => Promise.resolve("not bytes" as unknown as Uint8Array),
        1002,
        "WS_ERR_EXTENSION_FAILED",
      ],
    ];
    for (const [decode, code, errorCode] of cases) {
      const connection = new Connection({
        role: "server",
        extensions: [{ name: "x", rsvBits: 4, decode }],
      });
      const result = await driveAsync(connection, [frame(1, utf8("x"), { ...m, rsv: 4 })]);
      const close = result.events.at(-1);
      expect(close).toMatchObject({ type: "close", code, wasClean: false, closedBy: "local" });
      expect(close?.type === "close" && close.error).toBeInstanceOf(ProtocolError);
      expect(close?.type === "close" && close.error?.code).toBe(errorCode);
      expect(toHex(result.output)).toBe(`8802${code.toString(16).padStart(4, "0")}`);
    }
  });
});

describe("extensions: sending", () => {
  it("sets the encoder's RSV bits on a message's first frame only", () => {
    const connection = new Connection({ role: "server", extensions: [identitySync()] });
    connection.sendText("a", { fin: false });
    connection.sendText("b");
    connection.sendPing();
    expect(toHex(concatBytes(connection.dataToSend()))).toBe("41016180016289 00".replace(" ", ""));
  });

  it("keeps sends in call order behind an async encode", async () => {
    const connection = new Connection({
      role: "client",
      extensions: [identityAsync()],
      randomFill: fixedMaskFill(),
    });
    connection.sendText("first");
    connection.sendPing(utf8("p"));
    connection.sendBinary(hex("0102"));
    connection.sendClose(1000);
    expect(connection.dataToSend()).toEqual([]);
    const out: Uint8Array[] = [];
    for (let pending = connection.pending; pending; pending = connection.pending) {
      await pending;
      out.push(...connection.dataToSend());
    }
    expect(decodeFrames(concatBytes(out)).map((f) => [f.opcode, f.rsv, toHex(f.payload)])).toEqual([
      [1, 4, toHex(utf8("first"))],
      [9, 0, "70"],
      [2, 4, "0102"],
      [8, 0, "03e8"],
    ]);
  });

  it("runs a decode and an encode at once: events and wire order stay those of a serial run", async () => {
    // Each call answers only when the test says so, so settling order is chosen, not raced.
    const decodes: (() => void)[] = [];
    const encodes: (() => void)[] = [];
    const manual: Extension = {
      name: "x-manual",
      rsvBits: 4,
      decode: (chunk) =>
        new Promise<Uint8Array>((resolve) => decodes.push(() => resolve(chunk.slice()))),
      encode: (chunk) =>
        new Promise((resolve) => encodes.push(() => resolve({ data: chunk.slice(), rsv: 4 }))),
    };
    const connection = new Connection({ role: "server", extensions: [manual] });
    const wire = () => decodeFrames(concatBytes(connection.dataToSend()));
    const texts = (events: ConnectionEvent[]) =>
      events.map((e) => (e.type === "data" ? new TextDecoder().decode(e.data) : e.type));
    connection.receiveData(
      concatBytes([
        frame(1, utf8("in-1"), { ...m, rsv: 4 }),
        frame(1, utf8("in-2"), { ...m, rsv: 4 }),
        frame(9, utf8("p"), m),
      ]),
    );

    connection.sendText("out-1"); // an encode starts: output held, input not
    const encode1 = connection.sendPending;
    expect(encode1).toBeInstanceOf(Promise);
    expect(connection.receivePending).toBeUndefined();
    expect(connection.pending).toBe(encode1);
    expect(connection.nextEvents()).toEqual([]); // starts the decode of in-1 beside it
    const decode1 = connection.receivePending;
    expect(decode1).toBeInstanceOf(Promise);
    expect(connection.sendPending).toBe(encode1);
    expect(connection.pending).toBe(decode1);
    expect([decodes.length, encodes.length]).toEqual([1, 1]);
    connection.sendText("out-2"); // waits behind out-1's encode, not started
    expect(encodes.length).toBe(1);

    // The decode settles first: in-1 is reported while out-1 is still encoding.
    decodes[0]?.();
    await decode1;
    expect(connection.receivePending).toBeUndefined();
    expect(texts(connection.nextEvents())).toEqual(["in-1"]);
    expect(connection.dataToSend()).toEqual([]);
    expect(connection.nextEvents()).toEqual([]); // in-2's decode starts
    const decode2 = connection.receivePending;
    expect(decode2).toBeInstanceOf(Promise);

    // out-1's encode settles while in-2 decodes: out-1 is written, out-2's encode starts.
    encodes[0]?.();
    await encode1;
    expect(wire().map((f) => [f.opcode, f.rsv, new TextDecoder().decode(f.payload)])).toEqual([
      [1, 4, "out-1"],
    ]);
    const encode2 = connection.sendPending;
    expect(encode2).toBeInstanceOf(Promise);
    expect(encodes.length).toBe(2);
    expect(connection.receivePending).toBe(decode2);

    // in-2, then the ping: its pong is held behind out-2's encode.
    decodes[1]?.();
    await decode2;
    expect(texts(connection.nextEvents())).toEqual(["in-2"]);
    expect(texts(connection.nextEvents())).toEqual(["ping"]);
    expect(connection.receivePending).toBeUndefined();
    expect(connection.dataToSend()).toEqual([]);
    encodes[1]?.();
    await encode2;
    expect(connection.sendPending).toBeUndefined();
    expect(connection.pending).toBeUndefined();
    expect(wire().map((f) => [f.opcode, f.rsv, new TextDecoder().decode(f.payload)])).toEqual([
      [1, 4, "out-2"],
      [10, 0, "p"],
    ]);
  });

  it("closes with 1011 when encode fails", async () => {
    const broken: Extension = {
      name: "x",
      rsvBits: 4,
      decode: (chunk) => chunk,
      encode: () => Promise.reject(new Error("zlib")),
    };
    const connection = new Connection({ role: "server", extensions: [broken] });
    connection.sendText("x");
    connection.sendPing();
    await connection.pending;
    expect(toHex(concatBytes(connection.dataToSend()))).toBe("880203f3");
    expect(connection.nextEvents()).toEqual([
      { type: "close", code: 1011, reason: "", wasClean: false, closedBy: "local" },
    ]);
  });

  it("refuses two extensions that claim the same RSV bit", () => {
    expect(
      () => new Connection({ role: "client", extensions: [identitySync(), identitySync()] }),
    ).toThrow(/RSV/);
  });
});
