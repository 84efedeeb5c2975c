import { InvalidArgumentError } from "@netsockets/errors";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { frameHeaderLength, serializeFrame, writeFrame, written } from "./frame-serializer.js";
import { applyMask } from "./mask.js";
import { Opcode } from "./opcode.js";

const seed = Number(process.env.NETSOCKETS_SEED ?? 20261126);
console.log(`frame-serializer.test.ts: fast-check seed ${seed} (set NETSOCKETS_SEED to change)`);

const hex = (s: string) => Uint8Array.from(s.split(" ").map((h) => Number.parseInt(h, 16)));
const toHex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join(" ");
const text = (s: string) => new TextEncoder().encode(s);
const wire = ([header, payload]: [Uint8Array, Uint8Array]) =>
  `${toHex(header)} | ${toHex(payload)}`;

describe("serializeFrame: RFC 6455 §5.7 examples", () => {
  it("a single-frame unmasked text message", () => {
    expect(wire(serializeFrame(Opcode.text, text("Hello"), { fin: true }))).toBe(
      "81 05 | 48 65 6c 6c 6f",
    );
  });

  it("a single-frame masked text message", () => {
    const frame = serializeFrame(Opcode.text, text("Hello"), {
      fin: true,
      maskKey: hex("37 fa 21 3d"),
    });
    expect(wire(frame)).toBe("81 85 37 fa 21 3d | 7f 9f 4d 51 58");
  });

  it("a fragmented unmasked text message", () => {
    expect(wire(serializeFrame(Opcode.text, text("Hel"), { fin: false }))).toBe("01 03 | 48 65 6c");
    expect(wire(serializeFrame(Opcode.continuation, text("lo"), { fin: true }))).toBe(
      "80 02 | 6c 6f",
    );
  });

  it("an unmasked ping and a masked pong", () => {
    expect(wire(serializeFrame(Opcode.ping, text("Hello"), { fin: true }))).toBe(
      "89 05 | 48 65 6c 6c 6f",
    );
    const pong = serializeFrame(Opcode.pong, text("Hello"), {
      fin: true,
      maskKey: hex("37 fa 21 3d"),
    });
    expect(wire(pong)).toBe("8a 85 37 fa 21 3d | 7f 9f 4d 51 58");
  });

  it("256 bytes binary in a single unmasked frame", () => {
    const payload = new Uint8Array(256);
    const [header, out] = serializeFrame(Opcode.binary, payload, { fin: true });
    expect(toHex(header)).toBe("82 7e 01 00");
    expect(out).toBe(payload);
  });

  it("64 KiB binary in a single unmasked frame", () => {
    const payload = new Uint8Array(65536);
    const [header, out] = serializeFrame(Opcode.binary, payload, { fin: true });
    expect(toHex(header)).toBe("82 7f 00 00 00 00 00 01 00 00");
    expect(out).toBe(payload);
  });
});

describe("serializeFrame: length encoding", () => {
  // "the minimal number of bytes MUST be used to encode the length"
  it.each([
    [0, "82 00"],
    [1, "82 01"],
    [125, "82 7d"],
    [126, "82 7e 00 7e"],
    [127, "82 7e 00 7f"],
    [65535, "82 7e ff ff"],
    [65536, "82 7f 00 00 00 00 00 01 00 00"],
    [65537, "82 7f 00 00 00 00 00 01 00 01"],
  ])("uses the minimal form for %i bytes", (length, expected) => {
    const [header] = serializeFrame(Opcode.binary, new Uint8Array(length), { fin: true });
    expect(toHex(header)).toBe(expected);
    expect(header.length).toBe(frameHeaderLength(length, false));
  });

  /** A payload that only claims a length: unmasked frames read nothing but `length`. */
  function claimedLength(length: number): Uint8Array {
    return Object.defineProperty(new Uint8Array(0), "length", { value: length });
  }

  it.each([
    [2 ** 32 - 1, "82 7f 00 00 00 00 ff ff ff ff"],
    [2 ** 32, "82 7f 00 00 00 01 00 00 00 00"],
    [2 ** 32 + 0x0102_0304, "82 7f 00 00 00 01 01 02 03 04"],
    [2 ** 53 - 1, "82 7f 00 1f ff ff ff ff ff ff"],
  ])("writes 64-bit lengths beyond 32 bits (%i), top bit clear", (length, expected) => {
    const [header] = serializeFrame(Opcode.binary, claimedLength(length), { fin: true });
    expect(toHex(header)).toBe(expected);
  });

  it.each([
    [0, false, 2],
    [125, false, 2],
    [126, false, 4],
    [65535, false, 4],
    [65536, false, 10],
    [2 ** 53 - 1, false, 10],
    [0, true, 6],
    [125, true, 6],
    [126, true, 8],
    [65535, true, 8],
    [65536, true, 14],
  ])("frameHeaderLength(%i, %s) is %i", (length, masked, expected) => {
    expect(frameHeaderLength(length, masked)).toBe(expected);
  });
});

describe("serializeFrame: flags", () => {
  it("writes FIN, RSV1/2/3 and the opcode into the first byte", () => {
    const first = (opcode: number, fin: boolean, rsv?: number) =>
      serializeFrame(opcode, new Uint8Array(0), rsv === undefined ? { fin } : { fin, rsv })[0][0];
    expect(first(Opcode.text, true)).toBe(0x81);
    expect(first(Opcode.text, false)).toBe(0x01);
    expect(first(Opcode.text, true, 4)).toBe(0xc1); // RSV1 (permessage-deflate)
    expect(first(Opcode.binary, false, 2)).toBe(0x22); // RSV2
    expect(first(Opcode.close, true, 1)).toBe(0x98); // RSV3
    expect(first(Opcode.continuation, true, 7)).toBe(0xf0);
    expect(first(0xf, false)).toBe(0x0f); // reserved opcodes can be built, for tests
  });

  it("refuses a payload that is not a Uint8Array (ws S1: never a bogus length)", () => {
    for (const payload of [50, "text", null, undefined, [1, 2], new ArrayBuffer(4)]) {
      expect(() =>
        serializeFrame(Opcode.binary, payload as unknown as Uint8Array, { fin: true }),
      ).toThrow(InvalidArgumentError);
    }
  });

  it("refuses an opcode, rsv or mask key of the wrong shape", () => {
    const p = new Uint8Array(1);
    expect(() => serializeFrame(16, p, { fin: true })).toThrow(InvalidArgumentError);
    expect(() => serializeFrame(-1, p, { fin: true })).toThrow(InvalidArgumentError);
    expect(() => serializeFrame(1.5, p, { fin: true })).toThrow(InvalidArgumentError);
    expect(() => serializeFrame(1, p, { fin: true, rsv: 8 })).toThrow(InvalidArgumentError);
    expect(() => serializeFrame(1, p, { fin: true, rsv: -1 })).toThrow(InvalidArgumentError);
    expect(() => serializeFrame(1, p, { fin: true, maskKey: new Uint8Array(3) })).toThrow(
      InvalidArgumentError,
    );
    expect(() => serializeFrame(1, p, { fin: true, maskKey: new Uint8Array(5) })).toThrow(
      InvalidArgumentError,
    );
  });
});

describe("serializeFrame: masking", () => {
  it("returns a masked copy and never modifies the caller's payload", () => {
    const payload = Uint8Array.from({ length: 1000 }, (_, i) => i & 0xff);
    const before = payload.slice();
    const key = hex("01 02 03 04");
    const [header, out] = serializeFrame(Opcode.binary, payload, { fin: true, maskKey: key });
    expect(payload).toEqual(before);
    expect(out).not.toBe(payload);
    expect(out.buffer).not.toBe(payload.buffer);
    expect(toHex(header)).toBe("82 fe 03 e8 01 02 03 04");
    applyMask(out, key);
    expect(out).toEqual(before);
  });

  it("does not modify a Node Buffer view either (Buffer#slice would be a view)", () => {
    const backing = Buffer.from("0123456789abcdefghijklmnopqrstuvwxyz0123456789");
    const payload = backing.subarray(3, 40);
    const before = Buffer.from(backing);
    const [, out] = serializeFrame(Opcode.text, payload, {
      fin: true,
      maskKey: hex("ff ff ff ff"),
    });
    expect(backing.equals(before)).toBe(true);
    expect(out[0]).toBe((payload[0] ?? 0) ^ 0xff);
  });

  it("copies the key into the header so later changes to the key do not matter", () => {
    const key = hex("0a 0b 0c 0d");
    const [header] = serializeFrame(Opcode.text, text("x"), { fin: true, maskKey: key });
    key.fill(0);
    expect(toHex(header)).toBe("81 81 0a 0b 0c 0d");
  });

  it("skips the copy for an all-zero key and for an empty payload", () => {
    const payload = text("zero mask");
    const [header, out] = serializeFrame(Opcode.text, payload, {
      fin: true,
      maskKey: new Uint8Array(4),
    });
    expect(toHex(header)).toBe("81 89 00 00 00 00");
    expect(out).toBe(payload);
    const empty = new Uint8Array(0);
    const [h2, out2] = serializeFrame(Opcode.close, empty, { fin: true, maskKey: hex("1 2 3 4") });
    expect(toHex(h2)).toBe("88 80 01 02 03 04");
    expect(out2).toBe(empty);
  });
});

describe("serializeFrame: memory", () => {
  it("never hands out the same bytes twice: frames kept keep their exact bytes", () => {
    // Enough small frames to go through several shared slabs, with every size class.
    const kept: { parts: [Uint8Array, Uint8Array]; expected: string }[] = [];
    for (let i = 0; i < 3000; i++) {
      const length = (i * 37) % 5000;
      const payload = Uint8Array.from({ length }, (_, j) => (i + j) & 0xff);
      const key = Uint8Array.of(i & 0xff, 0x5a, (i >> 8) & 0xff, 0xa5);
      const parts = serializeFrame(Opcode.binary, payload, { fin: i % 2 === 0, maskKey: key });
      kept.push({ parts, expected: wire(parts) });
    }
    for (const { parts, expected } of kept) expect(wire(parts)).toBe(expected);
    // And every byte of each is what the frame says: header fields, key, masked payload.
    for (const { parts } of kept.slice(0, 200)) {
      const frame = parse(parts[0], parts[1]);
      expect(frame.length).toBe(parts[1].length);
    }
  });

  it("writes every header byte (no leftover memory reaches the peer)", () => {
    for (const length of [0, 5, 125, 126, 1000, 65535, 65536]) {
      for (const masked of [false, true]) {
        const options = masked ? { fin: true, maskKey: hex("ff ff ff ff") } : { fin: true };
        const [header] = serializeFrame(Opcode.binary, new Uint8Array(length), options);
        expect(header.length).toBe(frameHeaderLength(length, masked));
        const expected = new Uint8Array(header.length);
        expected[0] = 0x82;
        if (length < 126) expected[1] = length;
        else if (length < 65536) {
          expected[1] = 126;
          expected[2] = length >> 8;
          expected[3] = length & 0xff;
        } else {
          expected[1] = 127;
          expected[7] = length / 65536;
        }
        if (masked) {
          expected[1] = (expected[1] ?? 0) | 0x80;
          expected.fill(0xff, header.length - 4);
        }
        expect(toHex(header)).toBe(toHex(expected));
      }
    }
  });
});

/** A minimal independent reader of one complete frame, for the round-trip property. */
function parse(header: Uint8Array, payload: Uint8Array) {
  const b0 = header[0] ?? 0;
  const b1 = header[1] ?? 0;
  const view = new DataView(header.buffer, header.byteOffset, header.length);
  let length = b1 & 0x7f;
  let at = 2;
  if (length === 126) {
    length = view.getUint16(2);
    at = 4;
  } else if (length === 127) {
    length = Number(view.getBigUint64(2));
    at = 10;
  }
  const masked = (b1 & 0x80) !== 0;
  const data = payload.slice();
  if (masked) {
    applyMask(data, header.subarray(at, at + 4));
    at += 4;
  }
  return {
    fin: (b0 & 0x80) !== 0,
    rsv: (b0 >> 4) & 7,
    opcode: b0 & 0xf,
    length,
    headerLength: at,
    masked,
    data,
  };
}

describe("serializeFrame: round trip (fast-check)", () => {
  it("any frame reads back as written, with the minimal length form", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 15 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 7 }),
        fc.oneof(
          fc.integer({ min: 0, max: 130 }),
          fc.integer({ min: 65530, max: 65540 }),
          fc.constantFrom(125, 126, 65535, 65536),
        ),
        fc.nat(255),
        fc.option(fc.uint8Array({ minLength: 4, maxLength: 4 }), { nil: undefined }),
        (opcode, fin, rsv, length, start, maskKey) => {
          const payload = Uint8Array.from({ length }, (_, i) => (start + i * 13) & 0xff);
          const before = payload.slice();
          const options = maskKey === undefined ? { fin, rsv } : { fin, rsv, maskKey };
          const [header, out] = serializeFrame(opcode, payload, options);
          const { data, ...frame } = parse(header, out);
          expect(frame).toEqual({
            fin,
            rsv,
            opcode,
            length: payload.length,
            headerLength: header.length,
            masked: maskKey !== undefined,
          });
          expect(header.length).toBe(frameHeaderLength(payload.length, maskKey !== undefined));
          // Buffer.compare: vitest's deep equality is slow on 64 KiB arrays.
          expect(Buffer.compare(data, before)).toBe(0);
          expect(Buffer.compare(payload, before)).toBe(0);
        },
      ),
      { seed, numRuns: 200 },
    );
  });
});

describe("serializeFrame: allocate", () => {
  it("writes every byte of the memory it allocates (a canary allocator shows no leftovers)", () => {
    const sizes: number[] = [];
    // Dirty memory, as Buffer.allocUnsafeSlow may return: every byte starts as 0xCC.
    const canary = (size: number) => {
      sizes.push(size);
      return new Uint8Array(size).fill(0xcc);
    };
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: 0, max: 5000 }),
          fc.integer({ min: 65530, max: 70_000 }),
          fc.constantFrom(4089, 4090, 4091, 4092),
        ),
        fc.uint8Array({ minLength: 4, maxLength: 4 }),
        (length, maskKey) => {
          const payload = Uint8Array.from({ length }, (_, i) => (i * 29 + 3) & 0xff);
          const before = payload.slice();
          const [header, out] = serializeFrame(Opcode.binary, payload, {
            fin: true,
            maskKey,
            allocate: canary,
          });
          const { data, ...frame } = parse(header, out);
          expect(frame.length).toBe(length);
          expect(Buffer.compare(data, before)).toBe(0);
          expect(Buffer.compare(payload, before)).toBe(0);
        },
      ),
      { seed, numRuns: 200 },
    );
    // Large masked copies did come from the allocator, small ones from the slab.
    expect(sizes.length).toBeGreaterThan(0);
    expect(Math.min(...sizes)).toBeGreaterThan(4096 - 14);
  });

  it("keeps a small frame's header and masked copy adjacent in one buffer", () => {
    const [header, out] = serializeFrame(Opcode.binary, new Uint8Array(64), {
      fin: true,
      maskKey: hex("01 02 03 04"),
    });
    expect(out.buffer).toBe(header.buffer);
    expect(out.byteOffset).toBe(header.byteOffset + header.length);
    expect(toHex(out.subarray(0, 4))).toBe("01 02 03 04");
  });

  it("refuses an allocator that returns the wrong size", () => {
    expect(() =>
      serializeFrame(Opcode.binary, new Uint8Array(10_000), {
        fin: true,
        maskKey: hex("01 02 03 04"),
        allocate: (size) => new Uint8Array(size - 1),
      }),
    ).toThrow(InvalidArgumentError);
  });
});

describe("writeFrame(…, whole): small frames as one array", () => {
  const allocate = (n: number) => new Uint8Array(n);
  const joined = (b0: number, payload: Uint8Array, masked: boolean, key: number) => {
    const frame = writeFrame(b0, payload, masked, key, allocate, true);
    return { frame, rest: written.payload };
  };

  it("an unmasked frame up to 512 bytes is header and a copy of the payload in one array", () => {
    const payload = text("Hello");
    const { frame, rest } = joined(0x81, payload, false, 0);
    expect(toHex(frame)).toBe("81 05 48 65 6c 6c 6f");
    expect(rest.length).toBe(0);
    payload[0] = 0; // the frame holds a copy
    expect(frame[2]).toBe(0x48);
    const big = new Uint8Array(512 - 4).fill(7);
    const out = joined(0x82, big, false, 0);
    expect(out.frame.length).toBe(512);
    expect(toHex(out.frame.subarray(0, 4))).toBe("82 7e 01 fc");
    expect(out.frame.subarray(4)).toEqual(big);
    const over = new Uint8Array(512 - 3);
    const apart = joined(0x82, over, false, 0);
    expect(toHex(apart.frame)).toBe("82 7e 01 fd");
    expect(apart.rest).toBe(over);
  });

  it("a masked frame up to 4 KiB is masked into one array (RFC 6455 §5.7)", () => {
    const { frame, rest } = joined(0x81, text("Hello"), true, 0x37fa213d);
    expect(toHex(frame)).toBe("81 85 37 fa 21 3d 7f 9f 4d 51 58");
    expect(rest.length).toBe(0);
    const payload = Uint8Array.from({ length: 1000 }, (_, i) => i & 0xff);
    const key = new Uint8Array([1, 2, 3, 4]);
    const out = joined(0x82, payload, true, 0x01020304);
    const unmasked = out.frame.slice(8);
    applyMask(unmasked, key);
    expect(unmasked).toEqual(payload);
    const most = new Uint8Array(4096 - 8).fill(9);
    const whole4k = joined(0x82, most, true, 0x01020304);
    expect(whole4k.frame.length).toBe(4096);
    expect(whole4k.rest.length).toBe(0);
  });

  it("a larger frame keeps header and payload apart (the payload itself when unmasked)", () => {
    const payload = new Uint8Array(4096);
    const { frame, rest } = joined(0x82, payload, false, 0);
    expect(toHex(frame)).toBe("82 7e 10 00");
    expect(rest).toBe(payload);
  });

  it("an empty frame is its header", () => {
    const { frame, rest } = joined(0x89, new Uint8Array(0), true, 0x01020304);
    expect(toHex(frame)).toBe("89 80 01 02 03 04");
    expect(rest.length).toBe(0);
  });
});
