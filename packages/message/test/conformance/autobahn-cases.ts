/**
 * The Autobahn TestSuite cases of groups 1–7, 9 and 10 as data, one entry per Autobahn case id
 * (1.1.1 … 10.1.1, 301 cases), reconstructed from crossbario/autobahn-testsuite's case classes:
 * what the fuzzer sends, how it chops the bytes into writes, and the exact frames a **strict**
 * echo endpoint sends back, in order (echoes with the same type and payload, pongs, the close
 * frame with its exact code).
 *
 * Deterministic stand-ins for Autobahn's timers: where the fuzzer waits a second (5.19, 5.20,
 * 6.4.x) the script waits for a frame instead — the pong of the ping it just sent (5.19/5.20), a
 * ping/pong round trip of its own (`sync`, 6.4.1/6.4.2), or the implementation's close frame
 * before it sends the end of the message (6.4.x: fail fast means the close comes before the rest
 * of the message is sent; the script never sends it). Where Autobahn closes after a timeout, the
 * script closes (1000) as soon as every expected echo has arrived.
 *
 * Payloads are Autobahn's: the 6.5–6.23 vectors are its `createUtf8TestSequences()` (Markus
 * Kuhn's stress test) in its order; group 9 has Autobahn's sizes (up to 16 MiB messages, 4 and
 * 8 MiB fragmented ones, 1000-message rounds).
 */
import { Opcode } from "@netsockets/protocol";
import { closePayload, concatBytes, hex, utf8 } from "@netsockets/protocol/testing";

/** One frame the fuzzer sends. */
export interface SentFrame {
  readonly opcode: number;
  readonly payload: Uint8Array;
  readonly fin?: boolean;
  readonly rsv?: number;
}

/**
 * How frames are written: all in one write, one write per frame, one byte per write, or writes
 * of N bytes.
 */
export type Chop = "one" | "frame" | "octet" | number;

/** One step of a case script. */
export type Step =
  /** Write frames. */
  | { readonly kind: "send"; readonly frames: readonly SentFrame[]; readonly chop: Chop }
  /**
   * Write one frame whose payload is cut into `parts`: the header and `parts[0]` first, then
   * each further part in its own write, waiting for the implementation's close frame after the
   * part at index `failAt` (fail fast) and never sending the rest.
   */
  | {
      readonly kind: "split-frame";
      readonly opcode: number;
      readonly parts: readonly Uint8Array[];
      readonly failAt: number;
    }
  /** A ping/pong round trip of the script's own: the peer processed everything before it. */
  | { readonly kind: "sync" }
  /** Wait for a pong with this payload (the implementation answered a ping mid-message). */
  | { readonly kind: "await-pong"; readonly payload: Uint8Array }
  /** Wait for the implementation's close frame (fail fast): the steps after it never run. */
  | { readonly kind: "await-close" };

/** One item the implementation must send: a whole data message or a control frame. */
export interface Expected {
  readonly kind: "text" | "binary" | "ping" | "pong" | "close";
  readonly payload: Uint8Array;
}

/** A built case script. */
export interface CaseScript {
  readonly steps: readonly Step[];
  /** The implementation's messages and control frames, in order, its close frame last. */
  readonly expect: readonly Expected[];
  /**
   * Whether the fuzzer starts the closing handshake (1000) once every expected echo arrived.
   * `false`: the implementation must close (a violation, or the fuzzer's own close frame is in
   * the script); if the fuzzer ends up closing, the case fails.
   */
  readonly fuzzerCloses: boolean;
}

/** One Autobahn case: its id and a builder (group 9 payloads are built only when run). */
export interface AutobahnCase {
  readonly id: string;
  readonly build: () => CaseScript;
}

// ── builders ──

const bytesOf = (payload: string | Uint8Array): Uint8Array =>
  typeof payload === "string" ? utf8(payload) : payload;
const text = (payload: string | Uint8Array, fin = true, rsv = 0): SentFrame => ({
  opcode: Opcode.text,
  payload: bytesOf(payload),
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
  payload: bytesOf(payload),
  fin,
});
const ping = (payload: string | Uint8Array = "", rsv = 0, fin = true): SentFrame => ({
  opcode: Opcode.ping,
  payload: bytesOf(payload),
  rsv,
  fin,
});
const pong = (payload: string | Uint8Array = "", fin = true): SentFrame => ({
  opcode: Opcode.pong,
  payload: bytesOf(payload),
  fin,
});
const close = (code?: number, reason: string | Uint8Array = "", rsv = 0): SentFrame => ({
  opcode: Opcode.close,
  payload: closePayload(code, reason),
  rsv,
});
const raw = (opcode: number, payload: string | Uint8Array = ""): SentFrame => ({
  opcode,
  payload: bytesOf(payload),
});

const send = (frames: readonly SentFrame[], chop: Chop = "one"): Step => ({
  kind: "send",
  frames,
  chop,
});

const echoText = (payload: string | Uint8Array): Expected => ({
  kind: "text",
  payload: bytesOf(payload),
});
const echoBinary = (payload: Uint8Array): Expected => ({ kind: "binary", payload });
const pongOf = (payload: string | Uint8Array = ""): Expected => ({
  kind: "pong",
  payload: bytesOf(payload),
});
const closeWith = (code?: number): Expected => ({ kind: "close", payload: closePayload(code) });

/** `n` bytes of `byte`. */
const repeat = (byte: number, n: number): Uint8Array => new Uint8Array(n).fill(byte);
/** `n` bytes of `pattern` repeated (Autobahn's `payload_len`: the pattern cycled to length). */
const cycle = (pattern: string, n: number): Uint8Array => {
  const unit = utf8(pattern);
  const out = new Uint8Array(n);
  for (let at = 0; at < n; at += unit.length) out.set(unit.subarray(0, n - at), at);
  return out;
};

const cases: AutobahnCase[] = [];
const add = (id: string, build: () => CaseScript) => cases.push({ id, build });
/** An echo case: the fuzzer sends, the implementation echoes `expect`, the fuzzer closes. */
const echoCase = (id: string, steps: Step[], expect: Expected[]) =>
  add(id, () => ({ steps, expect: [...expect, closeWith(1000)], fuzzerCloses: true }));
/** A case the implementation must fail with `code` (after echoing `before`). */
const failCase = (id: string, steps: Step[], code: number, before: Expected[] = []) =>
  add(id, () => ({ steps, expect: [...before, closeWith(code)], fuzzerCloses: false }));

// ── 1 Framing: text (1.1) and binary (1.2) lengths at the 7/16/64-bit edges ──

[0, 125, 126, 127, 128, 65_535, 65_536].forEach((n, i) => {
  echoCase(`1.1.${i + 1}`, [send([text(repeat(0x2a, n))])], [echoText(repeat(0x2a, n))]);
});
echoCase("1.1.8", [send([text(repeat(0x2a, 65_536))], 997)], [echoText(repeat(0x2a, 65_536))]);
[0, 125, 126, 127, 128, 65_535, 65_536].forEach((n, i) => {
  echoCase(`1.2.${i + 1}`, [send([binary(repeat(0xfe, n))])], [echoBinary(repeat(0xfe, n))]);
});
echoCase("1.2.8", [send([binary(repeat(0xfe, 65_536))], 997)], [echoBinary(repeat(0xfe, 65_536))]);

// ── 2 Ping/Pong ──

const binaryPing = hex("00 ff fe fd fc fb 00 ff");
echoCase("2.1", [send([ping()])], [pongOf()]);
echoCase("2.2", [send([ping("Hello, world!")])], [pongOf("Hello, world!")]);
echoCase("2.3", [send([ping(binaryPing)])], [pongOf(binaryPing)]);
echoCase("2.4", [send([ping(repeat(0xfe, 125))])], [pongOf(repeat(0xfe, 125))]);
failCase("2.5", [send([ping(repeat(0xfe, 126))])], 1002);
echoCase("2.6", [send([ping(repeat(0xfe, 125))], "octet")], [pongOf(repeat(0xfe, 125))]);
echoCase("2.7", [send([pong()])], []);
echoCase("2.8", [send([pong("unsolicited pong payload")])], []);
echoCase(
  "2.9",
  [send([pong("unsolicited pong payload"), ping("ping payload")])],
  [pongOf("ping payload")],
);
const tenPings = Array.from({ length: 10 }, (_, i) => `payload-${i}`);
echoCase(
  "2.10",
  [send(tenPings.map((p) => ping(p)))],
  tenPings.map((p) => pongOf(p)),
);
echoCase(
  "2.11",
  [
    send(
      tenPings.map((p) => ping(p)),
      "octet",
    ),
  ],
  tenPings.map((p) => pongOf(p)),
);

// ── 3 Reserved bits, no extension negotiated: fail 1002; echo the valid message first ──

const hello = "Hello, world!";
failCase("3.1", [send([text(hello, true, 1)])], 1002);
failCase("3.2", [send([text(hello), text(hello, true, 2), ping(hello)])], 1002, [echoText(hello)]);
failCase("3.3", [send([text(hello), text(hello, true, 3), ping(hello)], "frame")], 1002, [
  echoText(hello),
]);
failCase("3.4", [send([text(hello), text(hello, true, 4), ping(hello)], "octet")], 1002, [
  echoText(hello),
]);
failCase("3.5", [send([binary(hex("00 ff fe fd fc fb 00 ff"), true, 5)])], 1002);
failCase("3.6", [send([ping(hello, 6)])], 1002);
failCase("3.7", [send([close(1000, "", 7)])], 1002);

// ── 4 Reserved opcodes: non-control 3–7 (4.1), control 11–15 (4.2) ──

for (const [group, base] of [
  ["4.1", 3],
  ["4.2", 11],
] as const) {
  failCase(`${group}.1`, [send([raw(base)])], 1002);
  failCase(`${group}.2`, [send([raw(base + 1, "reserved opcode payload")])], 1002);
  failCase(`${group}.3`, [send([text(hello), raw(base + 2), ping()])], 1002, [echoText(hello)]);
  failCase(
    `${group}.4`,
    [send([text(hello), raw(base + 3, "reserved opcode payload"), ping()])],
    1002,
    [echoText(hello)],
  );
  failCase(
    `${group}.5`,
    [send([text(hello), raw(base + 4, "reserved opcode payload"), ping()])],
    1002,
    [echoText(hello)],
  );
}

// ── 5 Fragmentation ──

failCase("5.1", [send([ping("fragment1", 0, false), cont("fragment2", true)])], 1002);
failCase("5.2", [send([pong("fragment1", false), cont("fragment2", true)])], 1002);
const twoFragments = [text("fragment1", false), cont("fragment2", true)];
echoCase("5.3", [send(twoFragments)], [echoText("fragment1fragment2")]);
echoCase("5.4", [send(twoFragments, "frame")], [echoText("fragment1fragment2")]);
echoCase("5.5", [send(twoFragments, "octet")], [echoText("fragment1fragment2")]);
const pingBetween = [text("fragment1", false), ping("pongme!"), cont("fragment2", true)];
// The pong must come before the echo: answered while the message is still open.
const pingBetweenExpect = [pongOf("pongme!"), echoText("fragment1fragment2")];
echoCase("5.6", [send(pingBetween)], pingBetweenExpect);
echoCase("5.7", [send(pingBetween, "frame")], pingBetweenExpect);
echoCase("5.8", [send(pingBetween, "octet")], pingBetweenExpect);
const orphanFin = [cont("non-continuation payload", true), text(hello)];
const orphanOpen = [cont("non-continuation payload", false), text(hello)];
failCase("5.9", [send(orphanFin)], 1002);
failCase("5.10", [send(orphanFin, "frame")], 1002);
failCase("5.11", [send(orphanFin, "octet")], 1002);
failCase("5.12", [send(orphanOpen)], 1002);
failCase("5.13", [send(orphanOpen, "frame")], 1002);
failCase("5.14", [send(orphanOpen, "octet")], 1002);
failCase(
  "5.15",
  [
    send([
      text("fragment1", false),
      cont("fragment2", true),
      cont("fragment3", false),
      text("fragment4"),
    ]),
  ],
  1002,
  [echoText("fragment1fragment2")],
);
const twice = <T>(items: T[]): T[] => [...items, ...items];
failCase(
  "5.16",
  [send(twice([cont("fragment1", false), text("fragment2", false), cont("fragment3", true)]))],
  1002,
);
failCase(
  "5.17",
  [send(twice([cont("fragment1", true), text("fragment2", false), cont("fragment3", true)]))],
  1002,
);
failCase("5.18", [send([text("fragment1", false), text("fragment2", true)])], 1002);
for (const [id, chop] of [
  ["5.19", "one"],
  ["5.20", "frame"],
] as const) {
  // Autobahn waits 1 s after the first ping; we wait for its pong, which proves it was answered
  // before the message completed.
  echoCase(
    id,
    [
      send([text("fragment1", false), cont("fragment2", false), ping("pongme 1!")], chop),
      { kind: "await-pong", payload: utf8("pongme 1!") },
      send(
        [
          cont("fragment3", false),
          cont("fragment4", false),
          ping("pongme 2!"),
          cont("fragment5", true),
        ],
        chop,
      ),
    ],
    [
      pongOf("pongme 1!"),
      pongOf("pongme 2!"),
      echoText("fragment1fragment2fragment3fragment4fragment5"),
    ],
  );
}

// ── 6 UTF-8 ──

echoCase("6.1.1", [send([text("")])], [echoText("")]);
echoCase("6.1.2", [send([text("", false), cont("", false), cont("", true)])], [echoText("")]);
echoCase(
  "6.1.3",
  [send([text("", false), cont("middle frame payload", false), cont("", true)])],
  [echoText("middle frame payload")],
);
const helloUtf8 = utf8("Hello-µ@ßöäüàá-UTF-8!!");
echoCase("6.2.1", [send([text(helloUtf8)])], [echoText(helloUtf8)]);
// Split on a code point boundary: after "Hello-µ@ß" (µ and ß take two bytes each).
echoCase(
  "6.2.2",
  [send([text(helloUtf8.subarray(0, 11), false), cont(helloUtf8.subarray(11), true)])],
  [echoText(helloUtf8)],
);
/** One frame per byte: frame ends fall inside code points. */
const bytewise = (bytes: Uint8Array): SentFrame[] =>
  Array.from(bytes, (b, i) =>
    i === 0
      ? text(new Uint8Array([b]), bytes.length === 1)
      : cont(new Uint8Array([b]), i === bytes.length - 1),
  );
echoCase("6.2.3", [send(bytewise(helloUtf8))], [echoText(helloUtf8)]);
const kosme = hex("ce ba e1 bd b9 cf 83 ce bc ce b5");
echoCase("6.2.4", [send(bytewise(kosme))], [echoText(kosme)]);
// "κόσμε" then a lone high surrogate (invalid at byte 12, 0xa0) then "edited".
const invalidEdited = concatBytes([kosme, hex("ed a0 80"), utf8("edited")]);
failCase("6.3.1", [send([text(invalidEdited)])], 1007);
failCase("6.3.2", [send(bytewise(invalidEdited))], 1007);
// 6.4 fail fast: the second part makes the text invalid (U+110000, or its 0x90 byte alone);
// the close must come before the third part is sent — the script never sends it.
const failFast: [string, Uint8Array, Uint8Array][] = [
  ["1", kosme, hex("f4 90 80 80")],
  ["2", concatBytes([kosme, hex("f4")]), hex("90")],
];
for (const [n, part1, part2] of failFast) {
  failCase(
    `6.4.${n}`,
    [
      send([text(part1, false)], "frame"),
      { kind: "sync" },
      send([cont(part2, false)], "frame"),
      { kind: "await-close" },
    ],
    1007,
  );
}
failCase(
  "6.4.3",
  [
    {
      kind: "split-frame",
      opcode: Opcode.text,
      parts: [kosme, hex("f4 90 80 80"), utf8("edited")],
      failAt: 1,
    },
  ],
  1007,
);
failCase(
  "6.4.4",
  [
    {
      kind: "split-frame",
      opcode: Opcode.text,
      parts: [
        concatBytes([kosme, hex("f4")]),
        hex("90"),
        concatBytes([hex("80 80"), utf8("edited")]),
      ],
      failAt: 1,
    },
  ],
  1007,
);

/**
 * Autobahn's `createUtf8TestSequences()`: [title, [valid, hex][]], numbered 6.5 … 6.23 in this
 * order, cases 1… within each.
 */
function utf8Sequences(): [boolean, string][][] {
  const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
  const h = (n: number) => n.toString(16).padStart(2, "0");
  const kosmeHex = "ce ba e1 bd b9 cf 83 ce bc ce b5";
  const sequences: [boolean, string][][] = [];
  // 6.5 some valid UTF-8 sequences
  sequences.push([
    [true, "68 65 6c 6c 6f 24 77 6f 72 6c 64"],
    [true, "68 65 6c 6c 6f c2 a2 77 6f 72 6c 64"],
    [true, "68 65 6c 6c 6f e2 82 ac 77 6f 72 6c 64"],
    [true, "68 65 6c 6c 6f f0 a4 ad a2 77 6f 72 6c 64"],
    [true, kosmeHex],
  ]);
  // 6.6 every prefix of κόσμε: valid exactly where it ends on a code point
  sequences.push(
    range(1, 12).map((i) => [
      [2, 5, 7, 9, 11].includes(i),
      kosmeHex.split(" ").slice(0, i).join(" "),
    ]),
  );
  // 6.7 first possible sequence of a certain length; 6.8 the 5- and 6-byte forms
  sequences.push([
    [true, "00"],
    [true, "c2 80"],
    [true, "e0 a0 80"],
    [true, "f0 90 80 80"],
  ]);
  sequences.push([
    [false, "f8 88 80 80 80"],
    [false, "fc 84 80 80 80 80"],
  ]);
  // 6.9 last possible sequence of a certain length; 6.10 beyond U+10FFFF
  sequences.push([
    [true, "7f"],
    [true, "df bf"],
    [true, "ef bf bf"],
    [true, "f4 8f bf bf"],
  ]);
  sequences.push([
    [false, "f7 bf bf bf"],
    [false, "fb bf bf bf bf"],
    [false, "fd bf bf bf bf bf"],
  ]);
  // 6.11 other boundary conditions
  sequences.push([
    [true, "ed 9f bf"],
    [true, "ee 80 80"],
    [true, "ef bf bd"],
    [true, "f4 8f bf bf"],
    [false, "f4 90 80 80"],
  ]);
  // 6.12 unexpected continuation bytes (the last: 0x80 … 0xbe, as Autobahn's xrange)
  sequences.push([
    [false, "80"],
    [false, "bf"],
    [false, "80 bf"],
    [false, "80 bf 80"],
    [false, "80 bf 80 bf"],
    [false, "80 bf 80 bf 80"],
    [false, "80 bf 80 bf 80 bf"],
    [false, range(0x80, 0xbf).map(h).join(" ")],
  ]);
  // 6.13 lonely start characters, each followed by a space (ranges as Autobahn's xrange)
  sequences.push(
    (
      [
        [0xc0, 0xdf],
        [0xe0, 0xef],
        [0xf0, 0xf7],
        [0xf8, 0xfb],
        [0xfc, 0xfd],
      ] as const
    ).map(([from, to]) => [
      false,
      range(from, to)
        .map((b) => `${h(b)} 20`)
        .join(" "),
    ]),
  );
  // 6.14 sequences with the last continuation byte missing; 6.15 all of them concatenated
  const missing = [
    "c0",
    "e0 80",
    "f0 80 80",
    "f8 80 80 80",
    "fc 80 80 80 80",
    "df",
    "ef bf",
    "f7 bf bf",
    "fb bf bf bf",
    "fd bf bf bf bf",
  ];
  sequences.push(missing.map((m) => [false, m]));
  sequences.push([[false, missing.join(" ")]]);
  // 6.16 impossible bytes
  sequences.push([
    [false, "fe"],
    [false, "ff"],
    [false, "fe fe ff ff"],
  ]);
  // 6.17 overlong ASCII "/"; 6.18 maximum overlongs; 6.19 overlong NUL
  sequences.push(
    ["c0 af", "e0 80 af", "f0 80 80 af", "f8 80 80 80 af", "fc 80 80 80 80 af"].map((s) => [
      false,
      s,
    ]),
  );
  sequences.push(
    ["c1 bf", "e0 9f bf", "f0 8f bf bf", "f8 87 bf bf bf", "fc 83 bf bf bf bf"].map((s) => [
      false,
      s,
    ]),
  );
  sequences.push(
    ["c0 80", "e0 80 80", "f0 80 80 80", "f8 80 80 80 80", "fc 80 80 80 80 80"].map((s) => [
      false,
      s,
    ]),
  );
  // 6.20 single UTF-16 surrogates; 6.21 paired surrogates
  const single = [
    "ed a0 80",
    "ed ad bf",
    "ed ae 80",
    "ed af bf",
    "ed b0 80",
    "ed be 80",
    "ed bf bf",
  ];
  sequences.push(single.map((s) => [false, s]));
  sequences.push(
    [
      ["ed a0 80", "ed b0 80"],
      ["ed a0 80", "ed bf bf"],
      ["ed ad bf", "ed b0 80"],
      ["ed ad bf", "ed bf bf"],
      ["ed ae 80", "ed b0 80"],
      ["ed ae 80", "ed bf bf"],
      ["ed af bf", "ed b0 80"],
      ["ed af bf", "ed bf bf"],
    ].map(([a, b]) => [false, `${a} ${b}`]),
  );
  // 6.22 non-characters: valid UTF-8 (U+FFFE, U+FFFF, then U+nFFFE/U+nFFFF of planes 1–16,
  // in Autobahn's loop order; f0 8f … is overlong and skipped, f4 9f+ is beyond U+10FFFF)
  const nonCharacters: [boolean, string][] = [
    [true, "ef bf be"],
    [true, "ef bf bf"],
  ];
  for (const z1 of ["f0", "f1", "f2", "f3", "f4"]) {
    for (const z2 of ["8f", "9f", "af", "bf"]) {
      if (z1 === "f4" && z2 !== "8f") continue;
      for (const z3 of ["be", "bf"]) {
        if (z1 === "f0" && z2 === "8f") continue;
        nonCharacters.push([true, `${z1} ${z2} bf ${z3}`]);
      }
    }
  }
  sequences.push(nonCharacters);
  // 6.23 Unicode specials (U+FFF9 … U+FFFF)
  sequences.push(["b9", "ba", "bb", "bc", "bd", "be", "bf"].map((b) => [true, `ef bf ${b}`]));
  return sequences;
}

utf8Sequences().forEach((sequence, i) => {
  sequence.forEach(([valid, bytes], j) => {
    const id = `6.${i + 5}.${j + 1}`;
    const payload = hex(bytes);
    if (valid) echoCase(id, [send([text(payload)])], [echoText(payload)]);
    else failCase(id, [send([text(payload)])], 1007);
  });
});

// ── 7 Close handling ──

failCase("7.1.1", [send([text(hello), close(1000)])], 1000, [echoText(hello)]);
failCase("7.1.2", [send([close(1000), close(1000)])], 1000);
// Nothing after a close frame is answered: no pong, no echo.
failCase("7.1.3", [send([close(1000), ping(hello)])], 1000);
failCase("7.1.4", [send([close(1000), text(hello)])], 1000);
failCase("7.1.5", [send([text("fragment1", false), close(1000), cont("fragment2", true)])], 1000);
// 7.1.6 is INFORMATIONAL in Autobahn (the order depends on the implementation); ours is strict:
// a reply is handed to the connection before anything later is processed, so both echoes come
// before the close.
add("7.1.6", () => {
  const big = cycle("BAsd7&jh23", 256 * 1024);
  return {
    steps: [send([text(big), text("Hello World!"), close(1000), ping()])],
    expect: [echoText(big), echoText("Hello World!"), closeWith(1000)],
    fuzzerCloses: false,
  };
});
add("7.3.1", () => ({
  steps: [send([close()])],
  expect: [closeWith()],
  fuzzerCloses: false,
}));
failCase("7.3.2", [send([{ opcode: Opcode.close, payload: hex("2a") }])], 1002);
failCase("7.3.3", [send([close(1000)])], 1000);
failCase("7.3.4", [send([close(1000, "Hello World!")])], 1000);
failCase("7.3.5", [send([close(1000, "*".repeat(123))])], 1000);
failCase("7.3.6", [send([close(1000, "*".repeat(124))])], 1002);
// A close reason that is not UTF-8: 1007 (Autobahn accepts 1002 or 1007).
failCase("7.5.1", [send([close(1000, invalidEdited)])], 1007);
[1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999].forEach(
  (code, i) => {
    failCase(`7.7.${i + 1}`, [send([close(code)])], code);
  },
);
[0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999].forEach((code, i) => {
  failCase(`7.9.${i + 1}`, [send([close(code)])], 1002);
});
// 7.13 is INFORMATIONAL in Autobahn; codes ≥ 5000 are not valid on the wire: 1002 as for 7.9.
[5000, 65_535].forEach((code, i) => {
  failCase(`7.13.${i + 1}`, [send([close(code)])], 1002);
});

// ── 9 Limits and performance, Autobahn's sizes ──

const KiB = 1024;
const MiB = 1024 * KiB;
const stars = (n: number) => repeat(0x2a, n);
const fragmented = (opcode: number, whole: Uint8Array, size: number): SentFrame[] => {
  const frames: SentFrame[] = [];
  for (let at = 0; at < whole.length; at += size) {
    frames.push({
      opcode: at === 0 ? opcode : Opcode.continuation,
      payload: whole.subarray(at, at + size),
      fin: at + size >= whole.length,
    });
  }
  return frames;
};
const sizes9 = [64 * KiB, 256 * KiB, MiB, 4 * MiB, 8 * MiB, 16 * MiB];
sizes9.forEach((n, i) => {
  add(`9.1.${i + 1}`, () => ({
    steps: [send([text(stars(n))])],
    expect: [echoText(stars(n)), closeWith(1000)],
    fuzzerCloses: true,
  }));
});
sizes9.forEach((n, i) => {
  add(`9.2.${i + 1}`, () => ({
    steps: [send([binary(repeat(0xfe, n))])],
    expect: [echoBinary(repeat(0xfe, n)), closeWith(1000)],
    fuzzerCloses: true,
  }));
});
const fragments9 = [64, 256, KiB, 4 * KiB, 16 * KiB, 64 * KiB, 256 * KiB, MiB, 4 * MiB];
for (const [group, opcode] of [
  ["9.3", Opcode.text],
  ["9.4", Opcode.binary],
] as const) {
  fragments9.forEach((size, i) => {
    // 9.x.9 sends 8 MiB in 4 MiB fragments; the others 4 MiB.
    const length = i === 8 ? 8 * MiB : 4 * MiB;
    add(`${group}.${i + 1}`, () => {
      const whole = opcode === Opcode.text ? stars(length) : repeat(0xfe, length);
      return {
        steps: [send(fragmented(opcode, whole, size))],
        expect: [opcode === Opcode.text ? echoText(whole) : echoBinary(whole), closeWith(1000)],
        fuzzerCloses: true,
      };
    });
  });
}
for (const [group, make] of [
  ["9.5", (n: number) => text(stars(n))],
  ["9.6", (n: number) => binary(repeat(0xfe, n))],
] as const) {
  [64, 128, 256, 512, 1024, 2048].forEach((chop, i) => {
    add(`${group}.${i + 1}`, () => {
      const frame = make(MiB);
      return {
        steps: [send([frame], chop)],
        expect: [
          frame.opcode === Opcode.text ? echoText(frame.payload) : echoBinary(frame.payload),
          closeWith(1000),
        ],
        fuzzerCloses: true,
      };
    });
  });
}
for (const [group, opcode] of [
  ["9.7", Opcode.text],
  ["9.8", Opcode.binary],
] as const) {
  [0, 16, 64, 256, 1024, 4096].forEach((n, i) => {
    add(`${group}.${i + 1}`, () => {
      const payload = opcode === Opcode.text ? stars(n) : repeat(0xfe, n);
      const frame: SentFrame = { opcode, payload };
      const echo = opcode === Opcode.text ? echoText(payload) : echoBinary(payload);
      return {
        steps: [
          send(
            Array.from({ length: 1000 }, () => frame),
            "frame",
          ),
        ],
        expect: [...Array.from({ length: 1000 }, () => echo), closeWith(1000)],
        fuzzerCloses: true,
      };
    });
  });
}

// ── 10 Misc: 64 KiB of text auto-fragmented into 1300-byte frames ──

echoCase(
  "10.1.1",
  [send(fragmented(Opcode.text, stars(65_536), 1300), "frame")],
  [echoText(stars(65_536))],
);

/** Every case, in Autobahn's order (by id). */
export const autobahnCases: readonly AutobahnCase[] = cases;

/** Finds a case by id. */
export function caseById(id: string): AutobahnCase {
  const found = cases.find((c) => c.id === id);
  if (found === undefined) throw new Error(`no Autobahn case ${id}`);
  return found;
}

/**
 * Selects cases the way Autobahn's spec files do: ids or patterns with `*` (`"6.*"`,
 * `"9.1.*"`), minus exclusions.
 */
export function selectCases(
  include: readonly string[] = ["*"],
  exclude: readonly string[] = [],
): AutobahnCase[] {
  const matcher = (patterns: readonly string[]) => {
    const res = patterns.map(
      (p) => new RegExp(`^${p.replace(/[.]/g, "\\.").replace(/\*/g, ".*")}$`),
    );
    return (id: string) => res.some((re) => re.test(id));
  };
  const inc = matcher(include);
  const exc = matcher(exclude);
  return cases.filter((c) => inc(c.id) && !exc(c.id));
}
