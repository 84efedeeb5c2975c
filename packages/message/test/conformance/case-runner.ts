/**
 * Runs one Autobahn case script over a handshaken {@link RawConnection} — as the fuzzer would,
 * in either role — and judges what the implementation sent back, strictly:
 *
 * - the implementation's data messages (reassembled from its frames) and control frames must be
 *   exactly the script's expectation, in order: echoes with the same type and payload, pongs
 *   with the ping's payload, nothing after its close frame, its close frame with the exact code;
 * - on a violation it is the implementation that closes: the fuzzer never sends a close frame
 *   the script does not contain before the implementation's close arrived;
 * - frames are masked exactly when the implementation is the client, RSV bits are 0;
 * - TCP: a server under test closes the TCP connection after the closing handshake; a client
 *   under test never drops it before the fuzzing server does.
 *
 * The fuzzer answers the implementation's close frame with a close frame carrying the same
 * code, as Autobahn does.
 */
import { randomBytes } from "node:crypto";
import { Opcode } from "@netsockets/protocol";
import { concatBytes, frame } from "@netsockets/protocol/testing";
import type { CaseScript, Chop, Expected, SentFrame } from "./autobahn-cases.js";
import type { RawConnection, ReceivedFrame } from "./raw-peer.js";

/** Autobahn-style verdict of one case (only the values a strict run can produce). */
export interface CaseVerdict {
  readonly id: string;
  /** `OK` when the implementation's messages and frames were exactly the expected ones. */
  readonly behavior: "OK" | "FAILED";
  /** `OK` when the close went as required (code, who closed, TCP). */
  readonly behaviorClose: "OK" | "FAILED";
  /** The code of the implementation's close frame (null without one; 1005 for an empty one). */
  readonly remoteCloseCode: number | null;
  /** What went wrong, one line each; empty for OK/OK. */
  readonly failures: readonly string[];
  /** What the implementation sent, described. */
  readonly received: readonly string[];
  readonly durationMs: number;
}

/** The role of the raw peer (the fuzzer): a client masks, a server does not. */
export type FuzzerRole = "client" | "server";

/**
 * How long a broken implementation may keep a case waiting before it fails (default of
 * `runCaseScript`'s `guardMs`). Never reached by a conforming one: every wait ends on a frame.
 */
const GUARD_MS = 20_000;

let syncCounter = 0;

function encode(f: SentFrame, mask: boolean): Uint8Array {
  return frame(f.opcode, f.payload, {
    fin: f.fin ?? true,
    rsv: f.rsv ?? 0,
    ...(mask ? { mask: new Uint8Array(randomBytes(4)) } : {}),
  });
}

/** Writes frames chopped as asked; resolves when the last write reached the kernel. */
async function writeFrames(
  connection: RawConnection,
  frames: readonly SentFrame[],
  chop: Chop,
  mask: boolean,
): Promise<void> {
  const encoded = frames.map((f) => encode(f, mask));
  let writes: Uint8Array[];
  if (chop === "frame") writes = encoded;
  else {
    const all = encoded.length === 1 ? (encoded[0] as Uint8Array) : concatBytes(encoded);
    if (chop === "one") writes = [all];
    else {
      const size = chop === "octet" ? 1 : chop;
      writes = [];
      for (let at = 0; at < all.length; at += size) writes.push(all.subarray(at, at + size));
    }
  }
  // Writes are queued back to back (one syscall each with no-delay, where the socket is
  // writable); only the last is awaited, so a 16,384-write chop costs no round trips.
  let last: Promise<void> = Promise.resolve();
  for (const bytes of writes) last = connection.write(bytes);
  await last;
}

/** The header (and mask key) of a frame announcing `length` bytes, and the masked payload. */
function splitFrame(
  opcode: number,
  parts: readonly Uint8Array[],
  mask: boolean,
): { head: Uint8Array; parts: Uint8Array[] } {
  const whole = concatBytes(parts);
  const encoded = encode({ opcode, payload: whole }, mask);
  const headLength = encoded.length - whole.length;
  const out: Uint8Array[] = [];
  let at = headLength;
  for (const part of parts) {
    out.push(encoded.subarray(at, at + part.length));
    at += part.length;
  }
  return { head: encoded.subarray(0, headLength), parts: out };
}

const equalBytes = (a: Uint8Array, b: Uint8Array): boolean =>
  a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length).equals(b);

/** Same kind and payload; for close frames the same code (any reason, as Autobahn judges). */
const sameItem = (a: Expected, b: Expected): boolean =>
  a.kind === b.kind &&
  (a.kind === "close"
    ? equalBytes(a.payload.subarray(0, 2), b.payload.subarray(0, 2))
    : equalBytes(a.payload, b.payload));

/** A short description of a message or frame (payloads over 24 bytes by length and ends). */
export function describe(item: Expected): string {
  const p = item.payload;
  const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
  if (item.kind === "close") {
    if (p.length === 0) return "close(empty)";
    const code = p.length >= 2 ? ((p[0] as number) << 8) | (p[1] as number) : -1;
    return `close(${code}${p.length > 2 ? `, ${p.length - 2}-byte reason` : ""})`;
  }
  if (p.length <= 24) return `${item.kind}(${p.length}: ${hex(p)})`;
  return `${item.kind}(${p.length}: ${hex(p.subarray(0, 8))}…${hex(p.subarray(p.length - 8))})`;
}

const kinds: Record<number, Expected["kind"]> = {
  [Opcode.close]: "close",
  [Opcode.ping]: "ping",
  [Opcode.pong]: "pong",
};

/**
 * Turns the implementation's frames into messages and control frames; fragmentation mistakes,
 * reserved opcodes and wrong masking become failures.
 */
function normalize(
  frames: readonly ReceivedFrame[],
  implementationIsClient: boolean,
  failures: string[],
): Expected[] {
  const items: Expected[] = [];
  let open: { kind: "text" | "binary"; parts: Uint8Array[] } | undefined;
  for (const f of frames) {
    if (f.masked !== implementationIsClient) {
      failures.push(
        `a ${implementationIsClient ? "client" : "server"} frame was ${f.masked ? "" : "not "}masked`,
      );
    }
    if (f.rsv !== 0) failures.push(`a frame had RSV bits ${f.rsv}`);
    const control = kinds[f.opcode];
    if (control === "close") {
      // A message cut short by the close is not a message (Autobahn counts only complete ones):
      // a partialMessage echo may have sent the sections that came before a violation.
      open = undefined;
    }
    if (control !== undefined) {
      if (!f.fin) failures.push(`a fragmented ${control} frame`);
      items.push({ kind: control, payload: f.payload });
    } else if (f.opcode === Opcode.text || f.opcode === Opcode.binary) {
      if (open !== undefined) failures.push("a new message started inside a fragmented one");
      open = { kind: f.opcode === Opcode.text ? "text" : "binary", parts: [f.payload] };
    } else if (f.opcode === Opcode.continuation) {
      if (open === undefined) failures.push("a continuation frame with no message open");
      else open.parts.push(f.payload);
    } else {
      failures.push(`a frame with reserved opcode ${f.opcode}`);
    }
    if (open !== undefined && f.fin && control === undefined) {
      items.push({
        kind: open.kind,
        payload: open.parts.length === 1 ? (open.parts[0] as Uint8Array) : concatBytes(open.parts),
      });
      open = undefined;
    }
  }
  if (open !== undefined) failures.push("a fragmented message was never finished");
  return items;
}

const isSync = (payload: Uint8Array) =>
  Buffer.from(payload).toString("latin1").startsWith("netsockets-sync-");

/**
 * Runs `script` as the fuzzer (in `role`) over `connection` and judges the outcome. Never
 * throws: every problem becomes a failure in the verdict.
 */
export async function runCaseScript(
  id: string,
  connection: RawConnection,
  script: CaseScript,
  role: FuzzerRole,
  guardMs: number = GUARD_MS,
): Promise<CaseVerdict> {
  const GUARD_MS = guardMs;
  const started = performance.now();
  const mask = role === "client";
  const failures: string[] = [];
  const closeFrame = () => connection.frames.find((f) => f.opcode === Opcode.close);
  let fuzzerSentClose = false;
  /** Whether the fuzzer's close frame went out before the implementation's close arrived. */
  let fuzzerStartedClose = false;
  const count = (kind: Expected["kind"]) =>
    connection.frames.filter(
      (f) => kinds[f.opcode] === kind && !(kind === "pong" && isSync(f.payload)),
    ).length;

  try {
    steps: for (const step of script.steps) {
      if (connection.closed || closeFrame() !== undefined) break;
      switch (step.kind) {
        case "send":
          if (step.frames.some((f) => f.opcode === Opcode.close)) {
            fuzzerSentClose = true;
            fuzzerStartedClose = closeFrame() === undefined;
          }
          await writeFrames(connection, step.frames, step.chop, mask);
          break;
        case "split-frame": {
          const { head, parts } = splitFrame(step.opcode, step.parts, mask);
          await connection.write(concatBytes([head, parts[0] as Uint8Array]));
          for (let i = 1; i < parts.length; i++) {
            await connection.write(parts[i] as Uint8Array);
            if (i === step.failAt) {
              await connection.waitFor(
                () => closeFrame() !== undefined,
                `the close frame right after the invalid bytes (fail fast)`,
                GUARD_MS,
              );
              break steps;
            }
          }
          break;
        }
        case "sync": {
          const payload = new TextEncoder().encode(`netsockets-sync-${++syncCounter}`);
          await writeFrames(connection, [{ opcode: Opcode.ping, payload }], "one", mask);
          await connection.waitFor(
            (frames) =>
              frames.some((f) => f.opcode === Opcode.pong && equalBytes(f.payload, payload)) ||
              closeFrame() !== undefined,
            "the pong of a sync ping",
            GUARD_MS,
          );
          break;
        }
        case "await-pong":
          await connection.waitFor(
            (frames) =>
              frames.some((f) => f.opcode === Opcode.pong && equalBytes(f.payload, step.payload)) ||
              closeFrame() !== undefined,
            "a pong while the message is still open",
            GUARD_MS,
          );
          break;
        case "await-close":
          await connection.waitFor(
            () => closeFrame() !== undefined,
            "the close frame right after the invalid bytes (fail fast)",
            GUARD_MS,
          );
          break;
      }
    }

    if (script.fuzzerCloses && closeFrame() === undefined && !connection.closed) {
      // Autobahn closes after a pause; we close as soon as every expected reply arrived.
      const want = script.expect.slice(0, -1);
      await connection.waitFor(
        (frames) => {
          if (closeFrame() !== undefined) return true;
          let data = 0;
          let control = 0;
          for (const f of frames) {
            if (f.fin && (f.opcode === Opcode.text || f.opcode === Opcode.binary || f.opcode === 0))
              data++;
          }
          control = count("pong") + count("ping");
          const wantData = want.filter((e) => e.kind === "text" || e.kind === "binary").length;
          const wantControl = want.length - wantData;
          return data >= wantData && control >= wantControl;
        },
        `the ${want.length} expected replies`,
        GUARD_MS,
      );
      if (closeFrame() === undefined && !connection.closed) {
        fuzzerSentClose = true;
        fuzzerStartedClose = true;
        await writeFrames(
          connection,
          [{ opcode: Opcode.close, payload: new Uint8Array([0x03, 0xe8]) }],
          "one",
          mask,
        );
      }
    }
    if (!connection.closed) {
      await connection.waitFor(
        () => closeFrame() !== undefined,
        "the implementation's close frame",
        GUARD_MS,
      );
    }
    const theirs = closeFrame();
    if (theirs !== undefined && !fuzzerSentClose && !connection.closed) {
      // Answer its close with the same code, as Autobahn does.
      fuzzerSentClose = true;
      await writeFrames(
        connection,
        [{ opcode: Opcode.close, payload: theirs.payload.subarray(0, 2) }],
        "one",
        mask,
      );
    }
    if (role === "server") {
      // The fuzzing server drops TCP once the closing handshake is done.
      connection.end();
    }
    const timer = setTimeout(() => {
      failures.push("the server under test did not close the TCP connection");
      connection.destroy();
    }, GUARD_MS);
    const end = await connection.ended;
    clearTimeout(timer);
    if (role === "client" && !end.closedByPeer && !failures.length) {
      failures.push("the server under test did not close the TCP connection first");
    }
    if (role === "server" && end.closedByPeer && fuzzerStartedClose) {
      // After a closing handshake the fuzzer started, the client waits for the server to close
      // TCP (RFC 6455 §7.1.1). A client that failed the connection itself may close TCP at once
      // (§7.1.7), and Autobahn does not judge the client's TCP close either.
      failures.push("the client under test dropped TCP before the server did");
    }
  } catch (error) {
    failures.push((error as Error).message);
    connection.destroy();
    await connection.ended;
  }

  const implementationIsClient = role === "server";
  const items = normalize(connection.frames, implementationIsClient, failures).filter(
    (item) => !(item.kind === "pong" && isSync(item.payload)),
  );
  const expect = script.expect;
  let behavior: "OK" | "FAILED" = "OK";
  let behaviorClose: "OK" | "FAILED" = failures.length > 0 ? "FAILED" : "OK";
  const mismatch =
    items.length !== expect.length ||
    items.some((item, i) => !sameItem(item, expect[i] as Expected));
  if (mismatch) {
    const lastExpected = expect[expect.length - 1];
    const lastItem = items[items.length - 1];
    const bodyMatches =
      items.length === expect.length &&
      items.slice(0, -1).every((item, i) => sameItem(item, expect[i] as Expected));
    if (bodyMatches && lastExpected !== undefined && lastItem !== undefined) {
      behaviorClose = "FAILED";
      failures.push(`close: expected ${describe(lastExpected)}, got ${describe(lastItem)}`);
    } else {
      behavior = "FAILED";
      failures.push(
        `expected [${expect.map(describe).join(", ")}], got [${items.map(describe).join(", ")}]`,
      );
    }
  }
  if (failures.length > 0 && behavior === "OK" && behaviorClose === "OK") behaviorClose = "FAILED";
  const close = items.find((i) => i.kind === "close");
  const remoteCloseCode =
    close === undefined
      ? null
      : close.payload.length >= 2
        ? ((close.payload[0] as number) << 8) | (close.payload[1] as number)
        : 1005;
  return {
    id,
    behavior,
    behaviorClose,
    remoteCloseCode,
    failures,
    received: items.map(describe),
    durationMs: Math.round(performance.now() - started),
  };
}
