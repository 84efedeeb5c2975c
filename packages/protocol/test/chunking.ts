/**
 * Shared test helpers: run wire bytes through a Connection whole, one byte at a time and in
 * random chunks, and reduce the events to a chunking-independent form (data pieces of one
 * message joined, unfinished messages left out) so the three runs can be compared.
 */
import { expect } from "vitest";
import { Connection, type ConnectionOptions } from "../src/connection.js";
import type { ConnectionEvent } from "../src/events.js";
import {
  concatBytes,
  drive,
  type EventHandler,
  fixedMaskFill,
  splitEvery,
  splitRandom,
  toHex,
} from "../src/testing/index.js";

export const seed = Number(process.env.NETSOCKETS_SEED ?? 20261126);

/** A chunking-independent view of events: data pieces of one message joined, bytes as hex. */
export type Normalized =
  | { type: "message"; binary: boolean; data: string; finished: boolean }
  | { type: "ping" | "pong"; data: string }
  | { type: "close-received"; code: number; reason: string }
  | {
      type: "close";
      code: number;
      reason: string;
      wasClean: boolean;
      closedBy: string;
      error: string | undefined;
    };

export function normalize(events: readonly ConnectionEvent[]): Normalized[] {
  const out: Normalized[] = [];
  let open: { binary: boolean; parts: Uint8Array[] } | undefined;
  const flush = (finished: boolean) => {
    if (open === undefined) return;
    if (!finished) {
      // How much of an unfinished message was reported depends on where the chunks were cut
      // (its pieces come out as they arrive): only finished messages are compared.
      open = undefined;
      return;
    }
    out.push({
      type: "message",
      binary: open.binary,
      data: toHex(concatBytes(open.parts)),
      finished,
    });
    open = undefined;
  };
  for (const event of events) {
    switch (event.type) {
      case "data":
        if (event.messageStarted) flush(false);
        if (open === undefined) open = { binary: event.binary, parts: [] };
        open.parts.push(event.data.slice());
        if (event.messageFinished) flush(true);
        break;
      case "ping":
      case "pong":
        // A control frame may arrive in the middle of a message: report it where it came.
        out.push({ type: event.type, data: toHex(event.data) });
        break;
      case "close-received":
        flush(false);
        out.push({ type: event.type, code: event.code, reason: event.reason });
        break;
      case "close":
        flush(false);
        out.push({
          type: "close",
          code: event.code,
          reason: event.reason,
          wasClean: event.wasClean,
          closedBy: event.closedBy,
          error: event.error?.code,
        });
        break;
    }
  }
  flush(false);
  return out;
}

/** The result of one run. */
export interface Run {
  readonly events: Normalized[];
  readonly raw: ConnectionEvent[];
  readonly output: string;
}

/** Feeds `bytes` (copied first) in the given chunks to a fresh Connection. */
export function runChunks(
  options: ConnectionOptions,
  chunks: Uint8Array[],
  handler?: EventHandler,
  eof = false,
): Run {
  // Client masks from a fixed key, so outputs of different runs compare equal.
  const connection = new Connection({ randomFill: fixedMaskFill(), ...options });
  const result = drive(connection, chunks, { eof, ...(handler ? { handler } : {}) });
  return { events: normalize(result.events), raw: result.events, output: toHex(result.output) };
}

/**
 * Runs `bytes` whole, one byte at a time and in random chunks; asserts the three agree and
 * returns the whole run.
 */
export function runEverywhere(
  options: ConnectionOptions,
  bytes: Uint8Array,
  handler?: () => EventHandler,
  eof = false,
): Run {
  const whole = runChunks(options, [bytes.slice()], handler?.(), eof);
  const bytewise = runChunks(options, splitEvery(bytes, 1), handler?.(), eof);
  const random = runChunks(options, splitRandom(bytes, seed, 37), handler?.(), eof);
  expect(bytewise.events).toEqual(whole.events);
  expect(bytewise.output).toEqual(whole.output);
  expect(random.events).toEqual(whole.events);
  expect(random.output).toEqual(whole.output);
  return whole;
}
