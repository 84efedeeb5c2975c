import { describe, expect, it } from "vitest";
import { ByteQueue } from "./byte-queue.js";
import { FrameParser, ParseStep } from "./frame-parser.js";
import { resolveLimits } from "./limits.js";
import { concatBytes, hex, splitEvery, splitRandom, toHex } from "./testing/bytes.js";
import { frame as buildFrame } from "./testing/frames.js";

interface Seen {
  step: "data" | "control" | "error";
  opcode: number;
  fin: boolean;
  binary: boolean;
  messageStarted: boolean;
  payload: string;
  error?: string;
}

/** Parses `chunks`, joining the data pieces of each frame, as a chunking-independent list. */
function parse(chunks: Uint8Array[], expectMasked: boolean, wholeBinaryMessages = false): Seen[] {
  const queue = new ByteQueue();
  const parser = new FrameParser(queue, {
    expectMasked,
    limits: resolveLimits(),
    allowedRsv: 0,
    wholeBinaryMessages,
  });
  const seen: Seen[] = [];
  let frame: Uint8Array[] = [];
  let first: Omit<Seen, "payload"> | undefined;
  for (const chunk of chunks) {
    queue.push(chunk);
    for (let step = parser.next(); step !== ParseStep.needData; step = parser.next()) {
      if (step === ParseStep.error) {
        seen.push({
          step: "error",
          opcode: 0,
          fin: false,
          binary: false,
          messageStarted: false,
          payload: "",
          error: parser.error?.code ?? "",
        });
        return seen;
      }
      const base = {
        step: step === ParseStep.data ? ("data" as const) : ("control" as const),
        opcode: parser.opcode,
        fin: parser.fin,
        binary: parser.binary,
        messageStarted: step === ParseStep.data && parser.messageStarted,
      };
      if (step === ParseStep.control) {
        seen.push({ ...base, binary: false, payload: toHex(parser.payload) });
        continue;
      }
      if (parser.frameStarted) {
        frame = [];
        first = base;
      }
      frame.push(parser.payload.slice());
      if (parser.frameFinished)
        seen.push({ ...(first as Seen), payload: toHex(concatBytes(frame)) });
    }
  }
  return seen;
}

/**
 * Parses whole, 1 byte at a time and in random chunks, with and without whole binary messages;
 * all must agree (frameStarted marks the first piece of a frame in either mode).
 */
function parseEverywhere(bytes: Uint8Array, expectMasked: boolean): Seen[] {
  const whole = parse([bytes.slice()], expectMasked);
  expect(parse(splitEvery(bytes, 1), expectMasked)).toEqual(whole);
  expect(parse(splitRandom(bytes, 7, 9), expectMasked)).toEqual(whole);
  for (const chunks of [[bytes.slice()], splitEvery(bytes, 1), splitRandom(bytes, 7, 9)]) {
    expect(parse(chunks, expectMasked, true)).toEqual(whole);
  }
  return whole;
}

const hello = toHex(new TextEncoder().encode("Hello"));

// RFC 6455 §5.7 examples, then one vector per rule.
describe("FrameParser: RFC 6455 §5.7 examples", () => {
  it("a single-frame unmasked text message", () => {
    expect(parseEverywhere(hex("81 05 48 65 6c 6c 6f"), false)).toEqual([
      { step: "data", opcode: 1, fin: true, binary: false, messageStarted: true, payload: hello },
    ]);
  });

  it("a single-frame masked text message", () => {
    expect(parseEverywhere(hex("81 85 37 fa 21 3d 7f 9f 4d 51 58"), true)).toEqual([
      { step: "data", opcode: 1, fin: true, binary: false, messageStarted: true, payload: hello },
    ]);
  });

  it("a fragmented unmasked text message", () => {
    expect(parseEverywhere(hex("01 03 48 65 6c 80 02 6c 6f"), false)).toEqual([
      {
        step: "data",
        opcode: 1,
        fin: false,
        binary: false,
        messageStarted: true,
        payload: "48656c",
      },
      { step: "data", opcode: 0, fin: true, binary: false, messageStarted: false, payload: "6c6f" },
    ]);
  });

  it("an unmasked ping and a masked pong", () => {
    expect(parseEverywhere(hex("89 05 48 65 6c 6c 6f"), false)).toEqual([
      {
        step: "control",
        opcode: 9,
        fin: true,
        binary: false,
        messageStarted: false,
        payload: hello,
      },
    ]);
    expect(parseEverywhere(hex("8a 85 37 fa 21 3d 7f 9f 4d 51 58"), true)).toEqual([
      {
        step: "control",
        opcode: 10,
        fin: true,
        binary: false,
        messageStarted: false,
        payload: hello,
      },
    ]);
  });

  it("a masked binary frame, reported whole or piece by piece, gives the same bytes", () => {
    const payload = Uint8Array.from({ length: 300 }, (_, i) => (i * 13) & 0xff);
    const key = hex("37 fa 21 3d");
    const masked = payload.map((b, i) => b ^ (key[i & 3] as number));
    const bytes = concatBytes([hex("82 fe 01 2c"), key, masked, hex("82 80"), key]);
    expect(parseEverywhere(bytes, true).map((s) => [s.messageStarted, s.payload])).toEqual([
      [true, toHex(payload)],
      [true, ""],
    ]);
  });

  it("256 bytes of binary data (16-bit length) and 64 KiB (64-bit length)", () => {
    const small = new Uint8Array(256).fill(7);
    expect(parseEverywhere(concatBytes([hex("82 7e 01 00"), small]), false)).toEqual([
      {
        step: "data",
        opcode: 2,
        fin: true,
        binary: true,
        messageStarted: true,
        payload: toHex(small),
      },
    ]);
    const big = new Uint8Array(65_536).fill(9);
    const parsed = parse([concatBytes([hex("82 7f 00 00 00 00 00 01 00 00"), big])], false);
    expect(parsed).toEqual([
      {
        step: "data",
        opcode: 2,
        fin: true,
        binary: true,
        messageStarted: true,
        payload: toHex(big),
      },
    ]);
  });
});

describe("FrameParser: rules", () => {
  it("takes lengths 125 / 126 / 127 / 65535 / 65536 at the encoding edges", () => {
    const cases: [string, number][] = [
      ["82 7d", 125],
      ["82 7e 00 7e", 126],
      ["82 7e 00 7f", 127],
      ["82 7e ff ff", 65_535],
      ["82 7f 00 00 00 00 00 01 00 00", 65_536],
    ];
    for (const [header, length] of cases) {
      const [seen] = parse([concatBytes([hex(header), new Uint8Array(length)])], false);
      expect(seen?.payload.length).toBe(2 * length);
    }
  });

  it("reports a control frame between two fragments", () => {
    expect(parseEverywhere(hex("01 01 61  89 00  80 01 62"), false).map((s) => s.step)).toEqual([
      "data",
      "control",
      "data",
    ]);
  });

  it("reports empty frames and an empty close", () => {
    expect(parseEverywhere(hex("81 00  88 00"), false)).toEqual([
      { step: "data", opcode: 1, fin: true, binary: false, messageStarted: true, payload: "" },
      { step: "control", opcode: 8, fin: true, binary: false, messageStarted: false, payload: "" },
    ]);
  });

  it.each([
    ["83 00", "WS_ERR_INVALID_OPCODE"],
    ["8b 00", "WS_ERR_INVALID_OPCODE"],
    ["c1 00", "WS_ERR_UNEXPECTED_RSV"],
    ["09 00", "WS_ERR_EXPECTED_FIN"],
    ["89 7e 00 7e", "WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH"],
    ["80 00", "WS_ERR_INVALID_CONTINUATION_FRAME"],
    ["01 00 81 00", "WS_ERR_EXPECTED_CONTINUATION"],
    ["81 80 00 00 00 00", "WS_ERR_UNEXPECTED_MASK"],
    ["82 7e 00 7d", "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH"],
    ["82 7f 00 00 00 00 00 00 ff ff", "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH"],
    ["82 7f 80 00 00 00 00 00 00 00", "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH"],
    ["82 7f 40 00 00 00 00 00 00 00", "WS_ERR_MESSAGE_TOO_BIG"],
  ])("fails on %s with %s (client side)", (bytes, code) => {
    expect(parseEverywhere(hex(bytes), false).at(-1)?.error).toBe(code);
  });

  it("fails on an unmasked frame on the server side", () => {
    expect(parseEverywhere(hex("81 00"), true).at(-1)?.error).toBe("WS_ERR_EXPECTED_MASK");
  });

  it("fails on the header alone, before any payload arrives (S2)", () => {
    // Ten bytes announcing 2^62 bytes: no more input is needed to refuse it.
    expect(parse([hex("82 7f 40 00 00 00 00 00 00 00")], false)).toMatchObject([
      { step: "error", error: "WS_ERR_MESSAGE_TOO_BIG" },
    ]);
  });

  it("reports the same error on every later call", () => {
    const queue = new ByteQueue();
    const parser = new FrameParser(queue, {
      expectMasked: false,
      limits: resolveLimits(),
      allowedRsv: 0,
    });
    queue.push(hex("83 00 81 00"));
    expect(parser.next()).toBe(ParseStep.error);
    expect(parser.next()).toBe(ParseStep.error);
    expect(parser.error?.closeCode).toBe(1002);
  });

  it("hands out payload as a view of the received chunk (no copy) and unmasks in place", () => {
    const queue = new ByteQueue();
    const parser = new FrameParser(queue, {
      expectMasked: true,
      limits: resolveLimits(),
      allowedRsv: 0,
    });
    const chunk = concatBytes([hex("82 fe 04 00 01 02 03 04"), new Uint8Array(1024)]);
    queue.push(chunk);
    expect(parser.next()).toBe(ParseStep.data);
    expect(parser.payload.buffer).toBe(chunk.buffer);
    expect(parser.payload.byteOffset).toBe(8);
    expect(toHex(chunk.subarray(8, 12))).toBe("01020304");
  });

  it("hands a large frame on in pieces as its bytes arrive", () => {
    const queue = new ByteQueue();
    const parser = new FrameParser(queue, {
      expectMasked: false,
      limits: resolveLimits(),
      allowedRsv: 0,
    });
    queue.push(concatBytes([hex("82 7f 00 00 00 00 00 10 00 00"), new Uint8Array(4000)]));
    expect(parser.next()).toBe(ParseStep.data);
    expect([parser.payload.length, parser.frameStarted, parser.frameFinished]).toEqual([
      4000,
      true,
      false,
    ]);
    expect(parser.next()).toBe(ParseStep.needData);
    queue.push(new Uint8Array(1_048_576 - 4000));
    expect(parser.next()).toBe(ParseStep.data);
    expect([parser.frameStarted, parser.frameFinished]).toEqual([false, true]);
  });
});

describe("masking keys of interleaved parsers", () => {
  it("each parser unmasks a frame split across reads with its own key", () => {
    // Two connections whose masked frames arrive in alternating pieces: each parser keeps its
    // own frame's key between reads (the key bytes are spelled out only for each unmask call).
    const make = () => {
      const queue = new ByteQueue();
      const parser = new FrameParser(queue, {
        expectMasked: true,
        limits: resolveLimits(),
        allowedRsv: 0,
        wholeBinaryMessages: false,
      });
      return { queue, parser, out: [] as number[] };
    };
    const a = make();
    const b = make();
    const payloadA = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
    const payloadB = Uint8Array.from({ length: 300 }, (_, i) => (i * 7 + 3) & 0xff);
    const wireA = buildFrame(0x2, payloadA, { mask: hex("11 22 33 44") });
    const wireB = buildFrame(0x2, payloadB, { mask: hex("a5 5a c3 3c") });
    const piecesA = splitEvery(wireA, 37);
    const piecesB = splitEvery(wireB, 53);
    for (let i = 0; i < Math.max(piecesA.length, piecesB.length); i++) {
      for (const [side, pieces] of [
        [a, piecesA],
        [b, piecesB],
      ] as const) {
        const piece = pieces[i];
        if (piece === undefined) continue;
        side.queue.push(piece.slice());
        for (
          let step = side.parser.next();
          step !== ParseStep.needData;
          step = side.parser.next()
        ) {
          expect(step).toBe(ParseStep.data);
          side.out.push(...side.parser.payload);
        }
      }
    }
    expect(Uint8Array.from(a.out)).toEqual(payloadA);
    expect(Uint8Array.from(b.out)).toEqual(payloadB);
  });
});
