/**
 * The frame-violation corpus (peers.md §3, S19): every item fails the connection at once with
 * the close code shown, in both roles where it applies, fed whole, one byte at a time and in
 * random chunks. A valid frame follows every violation and must never be reported: "An
 * endpoint MUST NOT continue to attempt to process data … after being instructed to _Fail the
 * WebSocket Connection_." No listener is involved: nothing can throw.
 */
import type { ErrorCode } from "@netsockets/errors";
import { describe, expect, it } from "vitest";
import type { ConnectionOptions } from "../src/connection.js";
import type { Extension } from "../src/extension.js";
import {
  closePayload,
  concatBytes,
  decodeFrames,
  type FrameOptions,
  frame,
  hex,
  toHex,
  utf8,
} from "../src/testing/index.js";
import { runEverywhere } from "./chunking.js";

type Role = "client" | "server";

/** A synchronous identity extension claiming RSV1, as permessage-deflate would. */
const rsv1Identity: Extension = { name: "x-identity", rsvBits: 4, decode: (chunk) => chunk };

interface Violation {
  readonly name: string;
  /** The frames (built for the role: masked when we are the server). */
  readonly frames: (mask: FrameOptions) => Uint8Array[];
  readonly closeCode: number;
  readonly error: ErrorCode;
  readonly roles?: readonly Role[];
  readonly options?: Omit<ConnectionOptions, "role">;
  /** Finished messages reported before the failure (default none). */
  readonly before?: number;
}

const t = (text: string) => utf8(text);
const violations: Violation[] = [
  // ── 1002 ──
  ...[1, 2, 3, 4, 5, 6, 7].map(
    (rsv): Violation => ({
      name: `RSV ${rsv} on a text frame without an extension`,
      frames: (m) => [frame(1, t("x"), { ...m, rsv })],
      closeCode: 1002,
      error: "WS_ERR_UNEXPECTED_RSV",
    }),
  ),
  {
    name: "RSV2 when the extension claims only RSV1",
    frames: (m) => [frame(2, t("x"), { ...m, rsv: 2 })],
    closeCode: 1002,
    error: "WS_ERR_UNEXPECTED_RSV",
    options: { extensions: [rsv1Identity] },
  },
  {
    name: "RSV1 on a ping, even with an RSV1 extension",
    frames: (m) => [frame(9, t("x"), { ...m, rsv: 4 })],
    closeCode: 1002,
    error: "WS_ERR_UNEXPECTED_RSV",
    options: { extensions: [rsv1Identity] },
  },
  {
    name: "RSV1 on a close frame, even with an RSV1 extension",
    frames: (m) => [frame(8, closePayload(1000), { ...m, rsv: 4 })],
    closeCode: 1002,
    error: "WS_ERR_UNEXPECTED_RSV",
    options: { extensions: [rsv1Identity] },
  },
  {
    name: "RSV1 on a continuation frame, even with an RSV1 extension",
    frames: (m) => [
      frame(1, t("a"), { ...m, fin: false, rsv: 4 }),
      frame(0, t("b"), { ...m, rsv: 4 }),
    ],
    closeCode: 1002,
    error: "WS_ERR_UNEXPECTED_RSV",
    options: { extensions: [rsv1Identity] },
  },
  ...[3, 4, 5, 6, 7, 11, 12, 13, 14, 15].map(
    (opcode): Violation => ({
      name: `reserved opcode ${opcode}`,
      frames: (m) => [frame(opcode, t("x"), m)],
      closeCode: 1002,
      error: "WS_ERR_INVALID_OPCODE",
    }),
  ),
  ...[8, 9, 10].map(
    (opcode): Violation => ({
      name: `control frame (opcode ${opcode}) with 126 bytes`,
      frames: (m) => [frame(opcode, new Uint8Array(126).fill(0x41), m)],
      closeCode: 1002,
      error: "WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH",
    }),
  ),
  {
    name: "close frame with a 124-byte reason (126-byte payload)",
    frames: (m) => [frame(8, closePayload(1000, "r".repeat(124)), m)],
    closeCode: 1002,
    error: "WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH",
  },
  ...[8, 9, 10].map(
    (opcode): Violation => ({
      name: `fragmented control frame (opcode ${opcode}, FIN clear)`,
      frames: (m) => [frame(opcode, new Uint8Array(0), { ...m, fin: false })],
      closeCode: 1002,
      error: "WS_ERR_EXPECTED_FIN",
    }),
  ),
  {
    name: "continuation frame (FIN set) with no message in progress",
    frames: (m) => [frame(0, t("x"), m)],
    closeCode: 1002,
    error: "WS_ERR_INVALID_CONTINUATION_FRAME",
  },
  {
    name: "continuation frame (FIN clear) with no message in progress",
    frames: (m) => [frame(0, t("x"), { ...m, fin: false })],
    closeCode: 1002,
    error: "WS_ERR_INVALID_CONTINUATION_FRAME",
  },
  {
    name: "continuation frame after a finished message",
    frames: (m) => [frame(1, t("a"), m), frame(0, t("b"), m)],
    closeCode: 1002,
    error: "WS_ERR_INVALID_CONTINUATION_FRAME",
    before: 1,
  },
  {
    name: "a text frame while a fragmented message is open",
    frames: (m) => [frame(1, t("a"), { ...m, fin: false }), frame(1, t("b"), m)],
    closeCode: 1002,
    error: "WS_ERR_EXPECTED_CONTINUATION",
  },
  {
    name: "a binary frame while a fragmented text message is open",
    frames: (m) => [frame(1, t("a"), { ...m, fin: false }), frame(2, t("b"), m)],
    closeCode: 1002,
    error: "WS_ERR_EXPECTED_CONTINUATION",
  },
  {
    name: "an unmasked frame from a client",
    frames: () => [frame(1, t("x"))],
    closeCode: 1002,
    error: "WS_ERR_EXPECTED_MASK",
    roles: ["server"],
  },
  {
    name: "an unmasked ping from a client",
    frames: () => [frame(9, t("x"))],
    closeCode: 1002,
    error: "WS_ERR_EXPECTED_MASK",
    roles: ["server"],
  },
  {
    name: "a masked frame from a server",
    frames: () => [frame(1, t("x"), { mask: true })],
    closeCode: 1002,
    error: "WS_ERR_UNEXPECTED_MASK",
    roles: ["client"],
  },
  {
    name: "a close payload of 1 byte",
    frames: (m) => [frame(8, hex("03"), m)],
    closeCode: 1002,
    error: "WS_ERR_INVALID_CLOSE_PAYLOAD",
  },
  ...[0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65_535].map(
    (code): Violation => ({
      name: `close code ${code}`,
      frames: (m) => [frame(8, closePayload(code), m)],
      closeCode: 1002,
      error: "WS_ERR_INVALID_CLOSE_CODE",
    }),
  ),
  {
    name: "a 64-bit length with the most significant bit set (S14)",
    frames: (m) => [
      frame(2, new Uint8Array(0), { ...m, declaredLength: 0x8000_0000_0000_0000n, lengthForm: 64 }),
    ],
    closeCode: 1002,
    error: "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH",
  },
  {
    name: "a 16-bit length form for 125 bytes (non-minimal)",
    frames: (m) => [frame(2, new Uint8Array(125), { ...m, lengthForm: 16 })],
    closeCode: 1002,
    error: "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH",
  },
  {
    name: "a 16-bit length form for 0 bytes (non-minimal)",
    frames: (m) => [frame(2, new Uint8Array(0), { ...m, lengthForm: 16 })],
    closeCode: 1002,
    error: "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH",
  },
  {
    name: "a 64-bit length form for 65535 bytes (non-minimal)",
    frames: (m) => [frame(2, new Uint8Array(65_535), { ...m, lengthForm: 64 })],
    closeCode: 1002,
    error: "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH",
  },
  {
    name: "a 64-bit length form for 5 bytes (non-minimal)",
    frames: (m) => [frame(2, new Uint8Array(5), { ...m, lengthForm: 64 })],
    closeCode: 1002,
    error: "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH",
  },
  // ── 1007 ──
  {
    name: "invalid UTF-8 in a text message (surrogate)",
    frames: (m) => [frame(1, hex("ce ba ed a0 80"), m)],
    closeCode: 1007,
    error: "WS_ERR_INVALID_UTF8",
  },
  {
    name: "a text message that ends inside a code point",
    frames: (m) => [frame(1, hex("41 e2 82"), m)],
    closeCode: 1007,
    error: "WS_ERR_INVALID_UTF8",
  },
  {
    name: "a fragmented text message that ends inside a code point",
    frames: (m) => [frame(1, hex("41 e2"), { ...m, fin: false }), frame(0, hex("82"), m)],
    closeCode: 1007,
    error: "WS_ERR_INVALID_UTF8",
  },
  {
    name: "invalid UTF-8 in the first fragment, before the message ends",
    frames: (m) => [frame(1, hex("41 c0 80"), { ...m, fin: false })],
    closeCode: 1007,
    error: "WS_ERR_INVALID_UTF8",
  },
  {
    name: "invalid UTF-8 in a close reason",
    frames: (m) => [frame(8, closePayload(1000, hex("ce ba ed a0 80")), m)],
    closeCode: 1007,
    error: "WS_ERR_INVALID_UTF8",
  },
  // ── 1009 ──
  {
    name: "a frame over maxFrameSize",
    frames: (m) => [frame(2, new Uint8Array(101), m)],
    closeCode: 1009,
    error: "WS_ERR_MESSAGE_TOO_BIG",
    options: { limits: { maxMessageSize: 1000, maxFrameSize: 100 } },
  },
  {
    name: "a message over maxMessageSize in one frame",
    frames: (m) => [frame(1, new Uint8Array(101).fill(0x41), m)],
    closeCode: 1009,
    error: "WS_ERR_MESSAGE_TOO_BIG",
    options: { limits: { maxMessageSize: 100 } },
  },
  {
    name: "fragments each under the limit, their sum over it (S12)",
    frames: (m) => [
      frame(2, new Uint8Array(60), { ...m, fin: false }),
      frame(0, new Uint8Array(41), m),
    ],
    closeCode: 1009,
    error: "WS_ERR_MESSAGE_TOO_BIG",
    options: { limits: { maxMessageSize: 100 } },
  },
  {
    name: "a 2^62-byte frame header with no body (S2)",
    frames: (m) => [frame(2, new Uint8Array(0), { ...m, declaredLength: 2n ** 62n })],
    closeCode: 1009,
    error: "WS_ERR_MESSAGE_TOO_BIG",
  },
  // ── 1008 ──
  {
    name: "more fragments than maxFragments (empty ones count)",
    frames: (m) => [
      frame(2, new Uint8Array(0), { ...m, fin: false }),
      frame(0, new Uint8Array(0), { ...m, fin: false }),
      frame(0, new Uint8Array(0), { ...m, fin: false }),
      frame(0, new Uint8Array(0), m),
    ],
    closeCode: 1008,
    error: "WS_ERR_TOO_MANY_FRAGMENTS",
    options: { limits: { maxFragments: 3 } },
  },
];

describe.each(["server", "client"] as const)("frame violations, we are the %s", (role) => {
  const applicable = violations.filter((v) => v.roles === undefined || v.roles.includes(role));
  it.each(applicable.map((v) => [v.name, v] as const))("%s", (_name, v) => {
    const mask: FrameOptions = role === "server" ? { mask: true } : {};
    // A valid text frame and a ping follow: neither may be reported or answered.
    const bytes = concatBytes([
      ...v.frames(mask),
      frame(1, t("after"), mask),
      frame(9, t("p"), mask),
    ]);
    const run = runEverywhere({ role, ...v.options }, bytes);
    expect(run.raw.filter((e) => e.type !== "data")).toHaveLength(1);
    expect(run.events.length).toBe((v.before ?? 0) + 1);
    expect(run.events.at(-1)).toEqual({
      type: "close",
      code: v.closeCode,
      reason: "",
      wasClean: false,
      closedBy: "local",
      error: v.error,
    });
    const close = run.raw.at(-1);
    expect(close?.type === "close" && close.error?.closeCode).toBe(v.closeCode);
    // Our close frame carries the code and is the only thing we sent.
    const codeHex = toHex(new Uint8Array([v.closeCode >>> 8, v.closeCode & 0xff]));
    const sent = decodeFrames(hex(run.output));
    expect(sent.map((f) => [f.opcode, f.masked, toHex(f.payload)])).toEqual([
      [8, role === "client", codeHex],
    ]);
  });
});
