/**
 * The Autobahn TestSuite cases of groups 1–7, 9 and 10, as data: what the fuzzer sends (frames,
 * and how it chops them into TCP writes) and the exact frames a strict echo endpoint sends back,
 * in order. Group 9 is scaled down in size (sizes ÷ 16, message counts ÷ 10) but keeps its shape
 * (fragment sizes, chop sizes). Group 6.5–6.23 carries the Markus Kuhn UTF-8 stress classes.
 *
 * Unless a case says otherwise the fuzzer ends with a close frame (1000) and expects ours.
 */
import { Opcode } from "../src/opcode.js";
import { closePayload, concatBytes, hex, utf8 } from "../src/testing/index.js";

/** One frame the fuzzer sends. */
export interface SentFrame {
  readonly opcode: number;
  readonly payload: Uint8Array;
  readonly fin?: boolean;
  readonly rsv?: number;
}

/**
 * How the fuzzer writes its frames: all in one write, one write per frame, one byte per write,
 * or writes of N bytes. `groups` (indices into `frames` where a new write starts, with a pause
 * before it) model Autobahn's waits.
 */
export type Chop = "one" | "frame" | "octet" | number;

/** One frame we must send back. */
export interface ExpectedFrame {
  readonly opcode: number;
  readonly payload: Uint8Array;
}

/** One Autobahn case. */
export interface AutobahnCase {
  readonly id: string;
  readonly frames: readonly SentFrame[];
  readonly chop: Chop;
  /** Frame indices where the fuzzer pauses; each group is written separately. */
  readonly pauses?: readonly number[];
  /** Our frames, in order (the closing frame included). */
  readonly expect: readonly ExpectedFrame[];
  /** Whether the fuzzer ends with its own close (1000); default true. */
  readonly fuzzerCloses?: boolean;
  /**
   * For fail-fast cases: the number of pause groups after which our close must already be out
   * (6.4.x: the connection fails when the invalid bytes arrive, before the rest).
   */
  readonly failAfterGroups?: number;
}

// ── frame and expectation builders ──

const text = (payload: string | Uint8Array, fin = true, rsv = 0): SentFrame => ({
  opcode: Opcode.text,
  payload: typeof payload === "string" ? utf8(payload) : payload,
  fin,
  rsv,
});
const binary = (payload: Uint8Array, fin = true, rsv = 0): SentFrame => ({
  opcode: Opcode.binary,
  payload,
  fin,
  rsv,
});
const cont = (payload: string | Uint8Array, fin: boolean): SentFrame => ({
  opcode: Opcode.continuation,
  payload: typeof payload === "string" ? utf8(payload) : payload,
  fin,
});
const ping = (payload: string | Uint8Array = new Uint8Array(0), rsv = 0): SentFrame => ({
  opcode: Opcode.ping,
  payload: typeof payload === "string" ? utf8(payload) : payload,
  rsv,
});
const pong = (payload: string | Uint8Array = new Uint8Array(0)): SentFrame => ({
  opcode: Opcode.pong,
  payload: typeof payload === "string" ? utf8(payload) : payload,
});
const close = (code?: number, reason: string | Uint8Array = "", rsv = 0): SentFrame => ({
  opcode: Opcode.close,
  payload: closePayload(code, reason),
  rsv,
});
const raw = (opcode: number, payload: Uint8Array, fin = true): SentFrame => ({
  opcode,
  payload,
  fin,
});

const echoText = (payload: string | Uint8Array): ExpectedFrame => ({
  opcode: Opcode.text,
  payload: typeof payload === "string" ? utf8(payload) : payload,
});
const echoBinary = (payload: Uint8Array): ExpectedFrame => ({ opcode: Opcode.binary, payload });
const pongOf = (payload: string | Uint8Array = new Uint8Array(0)): ExpectedFrame => ({
  opcode: Opcode.pong,
  payload: typeof payload === "string" ? utf8(payload) : payload,
});
const closeWith = (code?: number): ExpectedFrame => ({
  opcode: Opcode.close,
  payload: closePayload(code),
});

const repeat = (byte: number, n: number) => new Uint8Array(n).fill(byte);
const stars = (n: number) => repeat(0x2a, n);
const cases: AutobahnCase[] = [];
const add = (c: AutobahnCase) => cases.push(c);

// ── 1 Framing: text (1.1) and binary (1.2) lengths at the 7/16/64-bit edges ──

const lengths = [0, 125, 126, 127, 128, 65_535, 65_536];
lengths.forEach((n, i) => {
  add({
    id: `1.1.${i + 1}`,
    frames: [text(stars(n))],
    chop: "one",
    expect: [echoText(stars(n)), closeWith(1000)],
  });
  add({
    id: `1.2.${i + 1}`,
    frames: [binary(repeat(0xfe, n))],
    chop: "one",
    expect: [echoBinary(repeat(0xfe, n)), closeWith(1000)],
  });
});
add({
  id: "1.1.8",
  frames: [text(stars(65_536))],
  chop: 997,
  expect: [echoText(stars(65_536)), closeWith(1000)],
});
add({
  id: "1.2.8",
  frames: [binary(repeat(0xfe, 65_536))],
  chop: 997,
  expect: [echoBinary(repeat(0xfe, 65_536)), closeWith(1000)],
});

// ── 2 Ping/Pong ──

const binaryPing = hex("00 ff fe fd fc fb 00 ff");
add({ id: "2.1", frames: [ping()], chop: "one", expect: [pongOf(), closeWith(1000)] });
add({
  id: "2.2",
  frames: [ping("Hello, world!")],
  chop: "one",
  expect: [pongOf("Hello, world!"), closeWith(1000)],
});
add({
  id: "2.3",
  frames: [ping(binaryPing)],
  chop: "one",
  expect: [pongOf(binaryPing), closeWith(1000)],
});
add({
  id: "2.4",
  frames: [ping(repeat(0xfe, 125))],
  chop: "one",
  expect: [pongOf(repeat(0xfe, 125)), closeWith(1000)],
});
add({
  id: "2.5",
  frames: [ping(repeat(0xfe, 126))],
  chop: "one",
  fuzzerCloses: false,
  expect: [closeWith(1002)],
});
add({
  id: "2.6",
  frames: [ping(repeat(0xfe, 125))],
  chop: "octet",
  expect: [pongOf(repeat(0xfe, 125)), closeWith(1000)],
});
add({ id: "2.7", frames: [pong()], chop: "one", expect: [closeWith(1000)] });
add({
  id: "2.8",
  frames: [pong("unsolicited pong payload")],
  chop: "one",
  expect: [closeWith(1000)],
});
add({
  id: "2.9",
  frames: [pong("unsolicited pong payload"), ping("ping payload")],
  chop: "one",
  expect: [pongOf("ping payload"), closeWith(1000)],
});
const tenPings = Array.from({ length: 10 }, (_, i) => `payload-${i}`);
add({
  id: "2.10",
  frames: tenPings.map((p) => ping(p)),
  chop: "one",
  expect: [...tenPings.map((p) => pongOf(p)), closeWith(1000)],
});
add({
  id: "2.11",
  frames: tenPings.map((p) => ping(p)),
  chop: "octet",
  expect: [...tenPings.map((p) => pongOf(p)), closeWith(1000)],
});

// ── 3 Reserved bits (no extension negotiated) ──

const hello = "Hello, world!";
add({
  id: "3.1",
  frames: [text(hello, true, 1)],
  chop: "one",
  fuzzerCloses: false,
  expect: [closeWith(1002)],
});
add({
  id: "3.2",
  frames: [text(hello), text(hello, true, 2), ping(hello)],
  chop: "one",
  fuzzerCloses: false,
  expect: [echoText(hello), closeWith(1002)],
});
add({
  id: "3.3",
  frames: [text(hello), text(hello, true, 3), ping(hello)],
  chop: "frame",
  fuzzerCloses: false,
  expect: [echoText(hello), closeWith(1002)],
});
add({
  id: "3.4",
  frames: [text(hello), text(hello, true, 4), ping(hello)],
  chop: "octet",
  fuzzerCloses: false,
  expect: [echoText(hello), closeWith(1002)],
});
add({
  id: "3.5",
  frames: [binary(repeat(0xff, 8), true, 5)],
  chop: "one",
  fuzzerCloses: false,
  expect: [closeWith(1002)],
});
add({
  id: "3.6",
  frames: [ping(hello, 6)],
  chop: "one",
  fuzzerCloses: false,
  expect: [closeWith(1002)],
});
add({
  id: "3.7",
  frames: [close(1000, "", 7)],
  chop: "one",
  fuzzerCloses: false,
  expect: [closeWith(1002)],
});

// ── 4 Opcodes: reserved non-control 3–7 (4.1) and control 11–15 (4.2) ──

for (const [group, base] of [
  ["4.1", 3],
  ["4.2", 11],
] as const) {
  add({
    id: `${group}.1`,
    frames: [raw(base, new Uint8Array(0))],
    chop: "one",
    fuzzerCloses: false,
    expect: [closeWith(1002)],
  });
  add({
    id: `${group}.2`,
    frames: [raw(base + 1, stars(16))],
    chop: "one",
    fuzzerCloses: false,
    expect: [closeWith(1002)],
  });
  add({
    id: `${group}.3`,
    frames: [text(hello), raw(base + 2, new Uint8Array(0)), ping()],
    chop: "one",
    fuzzerCloses: false,
    expect: [echoText(hello), closeWith(1002)],
  });
  add({
    id: `${group}.4`,
    frames: [text(hello), raw(base + 3, stars(16)), ping()],
    chop: "one",
    fuzzerCloses: false,
    expect: [echoText(hello), closeWith(1002)],
  });
  add({
    id: `${group}.5`,
    frames: [text(hello), raw(base + 4, stars(16)), ping()],
    chop: "one",
    fuzzerCloses: false,
    expect: [echoText(hello), closeWith(1002)],
  });
}

// ── 5 Fragmentation ──

add({
  id: "5.1",
  frames: [raw(Opcode.ping, utf8("fragment1"), false), cont("fragment2", true)],
  chop: "one",
  fuzzerCloses: false,
  expect: [closeWith(1002)],
});
add({
  id: "5.2",
  frames: [raw(Opcode.pong, utf8("fragment1"), false), cont("fragment2", true)],
  chop: "one",
  fuzzerCloses: false,
  expect: [closeWith(1002)],
});
const twoFragments = [text("fragment1", false), cont("fragment2", true)];
add({
  id: "5.3",
  frames: twoFragments,
  chop: "one",
  expect: [echoText("fragment1fragment2"), closeWith(1000)],
});
add({
  id: "5.4",
  frames: twoFragments,
  chop: "frame",
  expect: [echoText("fragment1fragment2"), closeWith(1000)],
});
add({
  id: "5.5",
  frames: twoFragments,
  chop: "octet",
  expect: [echoText("fragment1fragment2"), closeWith(1000)],
});
const pingBetween = [text("fragment1", false), ping("pongme!"), cont("fragment2", true)];
const pingBetweenExpect = [pongOf("pongme!"), echoText("fragment1fragment2"), closeWith(1000)];
add({ id: "5.6", frames: pingBetween, chop: "one", expect: pingBetweenExpect });
add({ id: "5.7", frames: pingBetween, chop: "frame", expect: pingBetweenExpect });
add({ id: "5.8", frames: pingBetween, chop: "octet", expect: pingBetweenExpect });
const orphanFin = [cont("non-continuation payload", true), text("Hello, world!")];
const orphanOpen = [cont("non-continuation payload", false), text("Hello, world!")];
add({ id: "5.9", frames: orphanFin, chop: "one", fuzzerCloses: false, expect: [closeWith(1002)] });
add({
  id: "5.10",
  frames: orphanFin,
  chop: "frame",
  fuzzerCloses: false,
  expect: [closeWith(1002)],
});
add({
  id: "5.11",
  frames: orphanFin,
  chop: "octet",
  fuzzerCloses: false,
  expect: [closeWith(1002)],
});
add({
  id: "5.12",
  frames: orphanOpen,
  chop: "one",
  fuzzerCloses: false,
  expect: [closeWith(1002)],
});
add({
  id: "5.13",
  frames: orphanOpen,
  chop: "frame",
  fuzzerCloses: false,
  expect: [closeWith(1002)],
});
add({
  id: "5.14",
  frames: orphanOpen,
  chop: "octet",
  fuzzerCloses: false,
  expect: [closeWith(1002)],
});
add({
  id: "5.15",
  frames: [
    text("fragment1", false),
    cont("fragment2", true),
    cont("fragment3", false),
    text("fragment4"),
  ],
  chop: "one",
  fuzzerCloses: false,
  expect: [echoText("fragment1fragment2"), closeWith(1002)],
});
add({
  id: "5.16",
  frames: [
    cont("fragment1", false),
    text("fragment2", false),
    cont("fragment3", true),
    cont("fragment1", false),
    text("fragment2", false),
    cont("fragment3", true),
  ],
  chop: "one",
  fuzzerCloses: false,
  expect: [closeWith(1002)],
});
add({
  id: "5.17",
  frames: [
    cont("fragment1", true),
    text("fragment2", false),
    cont("fragment3", true),
    cont("fragment1", true),
    text("fragment2", false),
    cont("fragment3", true),
  ],
  chop: "one",
  fuzzerCloses: false,
  expect: [closeWith(1002)],
});
add({
  id: "5.18",
  frames: [text("fragment1", false), text("fragment2", true)],
  chop: "one",
  fuzzerCloses: false,
  expect: [closeWith(1002)],
});
const fiveFragments = [
  text("fragment1", false),
  cont("fragment2", false),
  ping("pongme 1!"),
  cont("fragment3", false),
  cont("fragment4", false),
  ping("pongme 2!"),
  cont("fragment5", true),
];
const fiveExpect = [
  pongOf("pongme 1!"),
  pongOf("pongme 2!"),
  echoText("fragment1fragment2fragment3fragment4fragment5"),
  closeWith(1000),
];
// 5.19 pauses one second after fragment 3; 5.20 does the same with every frame written alone.
add({ id: "5.19", frames: fiveFragments, chop: "one", pauses: [4], expect: fiveExpect });
add({ id: "5.20", frames: fiveFragments, chop: "frame", pauses: [4], expect: fiveExpect });

// ── 6 UTF-8 ──

add({ id: "6.1.1", frames: [text("")], chop: "one", expect: [echoText(""), closeWith(1000)] });
add({
  id: "6.1.2",
  frames: [text("", false), cont("", false), cont("", true)],
  chop: "one",
  expect: [echoText(""), closeWith(1000)],
});
add({
  id: "6.1.3",
  frames: [text("", false), cont("middle frame payload", false), cont("", true)],
  chop: "one",
  expect: [echoText("middle frame payload"), closeWith(1000)],
});
const helloUtf8 = utf8("Hello-µ@ßöäüàá-UTF-8!!");
add({
  id: "6.2.1",
  frames: [text(helloUtf8)],
  chop: "one",
  expect: [echoText(helloUtf8), closeWith(1000)],
});
add({
  id: "6.2.2",
  // Split on a code point boundary: after "Hello-µ@ß" (12 bytes: µ and ß take two each).
  frames: [text(helloUtf8.subarray(0, 12), false), cont(helloUtf8.subarray(12), true)],
  chop: "one",
  expect: [echoText(helloUtf8), closeWith(1000)],
});
const bytewiseFrames = (bytes: Uint8Array): SentFrame[] =>
  Array.from(bytes, (b, i) =>
    i === 0
      ? text(new Uint8Array([b]), bytes.length === 1)
      : cont(new Uint8Array([b]), i === bytes.length - 1),
  );
add({
  id: "6.2.3",
  frames: bytewiseFrames(helloUtf8),
  chop: "one",
  expect: [echoText(helloUtf8), closeWith(1000)],
});
const kosme = hex("ce ba e1 bd b9 cf 83 ce bc ce b5");
add({
  id: "6.2.4",
  frames: bytewiseFrames(kosme),
  chop: "one",
  expect: [echoText(kosme), closeWith(1000)],
});
const invalidEdited = concatBytes([kosme, hex("ed a0 80"), utf8("edited")]);
add({
  id: "6.3.1",
  frames: [text(invalidEdited)],
  chop: "one",
  fuzzerCloses: false,
  expect: [closeWith(1007)],
});
add({
  id: "6.3.2",
  frames: bytewiseFrames(invalidEdited),
  chop: "one",
  fuzzerCloses: false,
  expect: [closeWith(1007)],
});
// 6.4: fail fast — the close must be out as soon as the invalid bytes arrive.
const failFastParts: [string, Uint8Array, Uint8Array, Uint8Array][] = [
  ["6.4.1", kosme, hex("f4 90 80 80"), utf8("edited")],
  [
    "6.4.2",
    concatBytes([kosme, hex("f4")]),
    hex("90"),
    concatBytes([hex("80 80"), utf8("edited")]),
  ],
];
for (const [id, a, b, c] of failFastParts) {
  add({
    id,
    frames: [text(a, false), cont(b, false), cont(c, true)],
    chop: "frame",
    pauses: [1, 2],
    failAfterGroups: 2,
    fuzzerCloses: false,
    expect: [closeWith(1007)],
  });
}
// 6.4.3 / 6.4.4: the same payloads in one frame, written in three chops with pauses.
export const failFastChops: { id: string; parts: [Uint8Array, Uint8Array, Uint8Array] }[] = [
  { id: "6.4.3", parts: [kosme, hex("f4 90 80 80"), utf8("edited")] },
  {
    id: "6.4.4",
    parts: [
      concatBytes([kosme, hex("f4")]),
      hex("90"),
      concatBytes([hex("80 80"), utf8("edited")]),
    ],
  },
];

/** Kuhn's UTF-8 decoder stress test, by Autobahn case class: [id, hex, valid]. */
const kuhn: [string, string, boolean][] = [
  ["6.5.1", "ce ba e1 bd b9 cf 83 ce bc ce b5", true],
  ["6.5.2", "ce ba e1 bd b9 cf 83 ce bc ce b5 00", true],
  // 6.6: every prefix of κόσμε: valid exactly where it ends on a code point.
  ...Array.from({ length: 11 }, (_, i): [string, string, boolean] => {
    const prefix = Array.from(kosme.subarray(0, i + 1), (b) => b.toString(16)).join(" ");
    return [`6.6.${i + 1}`, prefix, [2, 5, 7, 9, 11].includes(i + 1)];
  }),
  ["6.7.1", "00", true],
  ["6.7.2", "c2 80", true],
  ["6.7.3", "e0 a0 80", true],
  ["6.7.4", "f0 90 80 80", true],
  ["6.8.1", "f8 88 80 80 80", false],
  ["6.8.2", "fc 84 80 80 80 80", false],
  ["6.9.1", "7f", true],
  ["6.9.2", "df bf", true],
  ["6.9.3", "ef bf bf", true],
  ["6.9.4", "f4 8f bf bf", true],
  ["6.10.1", "f7 bf bf bf", false],
  ["6.10.2", "fb bf bf bf bf", false],
  ["6.10.3", "fd bf bf bf bf bf", false],
  ["6.11.1", "ed 9f bf", true],
  ["6.11.2", "ee 80 80", true],
  ["6.11.3", "ef bf bd", true],
  ["6.11.4", "f4 8f bf bf", true],
  ["6.11.5", "f4 90 80 80", false],
  ["6.12.1", "80", false],
  ["6.12.2", "bf", false],
  ["6.12.3", "80 bf", false],
  ["6.12.4", "80 bf 80", false],
  ["6.12.5", "80 bf 80 bf", false],
  ["6.12.6", "80 bf 80 bf 80", false],
  ["6.12.7", "80 bf 80 bf 80 bf", false],
  ["6.12.8", Array.from({ length: 64 }, (_, i) => (0x80 + i).toString(16)).join(" "), false],
  [
    "6.13.1",
    Array.from({ length: 32 }, (_, i) => `${(0xc0 + i).toString(16)} 20`).join(" "),
    false,
  ],
  [
    "6.13.2",
    Array.from({ length: 16 }, (_, i) => `${(0xe0 + i).toString(16)} 20`).join(" "),
    false,
  ],
  ["6.13.3", Array.from({ length: 8 }, (_, i) => `${(0xf0 + i).toString(16)} 20`).join(" "), false],
  ["6.13.4", "f8 20 f9 20 fa 20 fb 20", false],
  ["6.13.5", "fc 20 fd 20", false],
  ["6.14.1", "c0", false],
  ["6.14.2", "e0 80", false],
  ["6.14.3", "f0 80 80", false],
  ["6.14.4", "f8 80 80 80", false],
  ["6.14.5", "fc 80 80 80 80", false],
  ["6.14.6", "df", false],
  ["6.14.7", "ef bf", false],
  ["6.14.8", "f7 bf bf", false],
  ["6.14.9", "fb bf bf bf", false],
  ["6.14.10", "fd bf bf bf bf", false],
  [
    "6.15.1",
    "c0 e0 80 f0 80 80 f8 80 80 80 fc 80 80 80 80 df ef bf f7 bf bf fb bf bf bf fd bf bf bf bf",
    false,
  ],
  ["6.16.1", "fe", false],
  ["6.16.2", "ff", false],
  ["6.16.3", "fe fe ff ff", false],
  ["6.17.1", "c0 af", false],
  ["6.17.2", "e0 80 af", false],
  ["6.17.3", "f0 80 80 af", false],
  ["6.17.4", "f8 80 80 80 af", false],
  ["6.17.5", "fc 80 80 80 80 af", false],
  ["6.18.1", "c1 bf", false],
  ["6.18.2", "e0 9f bf", false],
  ["6.18.3", "f0 8f bf bf", false],
  ["6.18.4", "f8 87 bf bf bf", false],
  ["6.18.5", "fc 83 bf bf bf bf", false],
  ["6.19.1", "c0 80", false],
  ["6.19.2", "e0 80 80", false],
  ["6.19.3", "f0 80 80 80", false],
  ["6.19.4", "f8 80 80 80 80", false],
  ["6.19.5", "fc 80 80 80 80 80", false],
  ["6.20.1", "ed a0 80", false],
  ["6.20.2", "ed ad bf", false],
  ["6.20.3", "ed ae 80", false],
  ["6.20.4", "ed af bf", false],
  ["6.20.5", "ed b0 80", false],
  ["6.20.6", "ed be 80", false],
  ["6.20.7", "ed bf bf", false],
  ["6.21.1", "ed a0 80 ed b0 80", false],
  ["6.21.2", "ed a0 80 ed bf bf", false],
  ["6.21.3", "ed ad bf ed b0 80", false],
  ["6.21.4", "ed ad bf ed bf bf", false],
  ["6.21.5", "ed ae 80 ed b0 80", false],
  ["6.21.6", "ed ae 80 ed bf bf", false],
  ["6.21.7", "ed af bf ed b0 80", false],
  ["6.21.8", "ed af bf ed bf bf", false],
  // 6.22: non-characters are valid UTF-8: U+FFFE, U+FFFF, U+xFFFE/U+xFFFF of planes 1–16, U+FDD0…
  ["6.22.1", "ef bf be", true],
  ["6.22.2", "ef bf bf", true],
  ...Array.from({ length: 16 }, (_, i): [string, string, boolean][] => {
    const plane = i + 1;
    const b0 = 0xf0 | (plane >> 2);
    const b1 = 0x80 | ((plane & 3) << 4) | 0x0f;
    const prefix = `${b0.toString(16)} ${b1.toString(16)} bf`;
    return [
      [`6.22.${3 + 2 * i}`, `${prefix} be`, true],
      [`6.22.${4 + 2 * i}`, `${prefix} bf`, true],
    ];
  }).flat(),
  ["6.22.35", "ef b7 90", true],
  ["6.23.1", "ef bf b9", true],
  ["6.23.2", "ef bf ba", true],
  ["6.23.3", "ef bf bb", true],
  ["6.23.4", "ef bf bc", true],
  ["6.23.5", "ef bf bd", true],
  ["6.23.6", "ef bf be", true],
  ["6.23.7", "ef bf bf", true],
];
for (const [id, bytes, valid] of kuhn) {
  const payload = hex(bytes);
  add(
    valid
      ? { id, frames: [text(payload)], chop: "one", expect: [echoText(payload), closeWith(1000)] }
      : {
          id,
          frames: [text(payload)],
          chop: "one",
          fuzzerCloses: false,
          expect: [closeWith(1007)],
        },
  );
}

// ── 7 Close handling ──

add({
  id: "7.1.1",
  frames: [text(hello), close(1000)],
  chop: "one",
  fuzzerCloses: false,
  expect: [echoText(hello), closeWith(1000)],
});
add({
  id: "7.1.2",
  frames: [close(1000), close(1000)],
  chop: "one",
  fuzzerCloses: false,
  expect: [closeWith(1000)],
});
add({
  id: "7.1.3",
  frames: [close(1000), ping(hello)],
  chop: "one",
  fuzzerCloses: false,
  expect: [closeWith(1000)],
});
add({
  id: "7.1.4",
  frames: [close(1000), text(hello)],
  chop: "one",
  fuzzerCloses: false,
  expect: [closeWith(1000)],
});
add({
  id: "7.1.5",
  frames: [text("fragment1", false), close(1000), cont("fragment2", true)],
  chop: "one",
  fuzzerCloses: false,
  expect: [closeWith(1000)],
});
const big = utf8("BAsd7&jh23".repeat(26_215).slice(0, 262_144));
add({
  id: "7.1.6",
  frames: [text(big), close(1000), ping(hello)],
  chop: "one",
  fuzzerCloses: false,
  expect: [echoText(big), closeWith(1000)],
});
add({ id: "7.3.1", frames: [close()], chop: "one", fuzzerCloses: false, expect: [closeWith()] });
add({
  id: "7.3.2",
  frames: [{ opcode: Opcode.close, payload: hex("03") }],
  chop: "one",
  fuzzerCloses: false,
  expect: [closeWith(1002)],
});
add({
  id: "7.3.3",
  frames: [close(1000)],
  chop: "one",
  fuzzerCloses: false,
  expect: [closeWith(1000)],
});
add({
  id: "7.3.4",
  frames: [close(1000, "Hello World!")],
  chop: "one",
  fuzzerCloses: false,
  expect: [closeWith(1000)],
});
add({
  id: "7.3.5",
  frames: [close(1000, "*".repeat(123))],
  chop: "one",
  fuzzerCloses: false,
  expect: [closeWith(1000)],
});
add({
  id: "7.3.6",
  frames: [close(1000, "*".repeat(124))],
  chop: "one",
  fuzzerCloses: false,
  expect: [closeWith(1002)],
});
add({
  id: "7.5.1",
  frames: [close(1000, invalidEdited)],
  chop: "one",
  fuzzerCloses: false,
  expect: [closeWith(1007)],
});
[1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999].forEach(
  (code, i) => {
    add({
      id: `7.7.${i + 1}`,
      frames: [close(code)],
      chop: "one",
      fuzzerCloses: false,
      expect: [closeWith(code)],
    });
  },
);
[0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999].forEach((code, i) => {
  add({
    id: `7.9.${i + 1}`,
    frames: [close(code)],
    chop: "one",
    fuzzerCloses: false,
    expect: [closeWith(1002)],
  });
});
// 7.13 is INFORMATIONAL in Autobahn (the RFC leaves it open); we fail with 1002 as for 7.9.
[5000, 65_535].forEach((code, i) => {
  add({
    id: `7.13.${i + 1}`,
    frames: [close(code)],
    chop: "one",
    fuzzerCloses: false,
    expect: [closeWith(1002)],
  });
});

// ── 9 Limits and performance, scaled down (÷ 16 in size, ÷ 10 in count) ──

const KiB = 1024;
const textOf = (n: number) => stars(n);
[4 * KiB, 16 * KiB, 64 * KiB, 256 * KiB, 512 * KiB, 1024 * KiB].forEach((n, i) => {
  add({
    id: `9.1.${i + 1}`,
    frames: [text(textOf(n))],
    chop: "one",
    expect: [echoText(textOf(n)), closeWith(1000)],
  });
  add({
    id: `9.2.${i + 1}`,
    frames: [binary(repeat(0xfe, n))],
    chop: "one",
    expect: [echoBinary(repeat(0xfe, n)), closeWith(1000)],
  });
});
const fragmented = (opcode: number, whole: Uint8Array, size: number): SentFrame[] => {
  const frames: SentFrame[] = [];
  for (let at = 0; at < whole.length; at += size) {
    const last = at + size >= whole.length;
    frames.push({
      opcode: at === 0 ? opcode : Opcode.continuation,
      payload: whole.subarray(at, at + size),
      fin: last,
    });
  }
  return frames;
};
const message9 = 256 * KiB;
[64, 256, KiB, 4 * KiB, 16 * KiB, 64 * KiB, 128 * KiB, 256 * KiB, 256 * KiB].forEach((size, i) => {
  add({
    id: `9.3.${i + 1}`,
    frames: fragmented(Opcode.text, textOf(message9), size),
    chop: "one",
    expect: [echoText(textOf(message9)), closeWith(1000)],
  });
  add({
    id: `9.4.${i + 1}`,
    frames: fragmented(Opcode.binary, repeat(0xfe, message9), size),
    chop: "one",
    expect: [echoBinary(repeat(0xfe, message9)), closeWith(1000)],
  });
});
[64, 128, 256, 512, 1024, 2048].forEach((chop, i) => {
  add({
    id: `9.5.${i + 1}`,
    frames: [text(textOf(64 * KiB))],
    chop,
    expect: [echoText(textOf(64 * KiB)), closeWith(1000)],
  });
  add({
    id: `9.6.${i + 1}`,
    frames: [binary(repeat(0xfe, 64 * KiB))],
    chop,
    expect: [echoBinary(repeat(0xfe, 64 * KiB)), closeWith(1000)],
  });
});
[0, 16, 64, 256, 1024, 4096].forEach((n, i) => {
  const count = 100;
  add({
    id: `9.7.${i + 1}`,
    frames: Array.from({ length: count }, () => text(textOf(n))),
    chop: "frame",
    expect: [...Array.from({ length: count }, () => echoText(textOf(n))), closeWith(1000)],
  });
  add({
    id: `9.8.${i + 1}`,
    frames: Array.from({ length: count }, () => binary(repeat(0xfe, n))),
    chop: "frame",
    expect: [...Array.from({ length: count }, () => echoBinary(repeat(0xfe, n))), closeWith(1000)],
  });
});

// ── 10 Misc: a 64 KiB text auto-fragmented into 1300-byte frames ──

add({
  id: "10.1.1",
  frames: fragmented(Opcode.text, textOf(65_536), 1300),
  chop: "frame",
  expect: [echoText(textOf(65_536)), closeWith(1000)],
});

/** Every case, in suite order. */
export const autobahnCases: readonly AutobahnCase[] = cases;
