/**
 * The XOR alone, on 1 MiB: in place as a receiver unmasks, and from the caller's bytes into a
 * frame buffer as a sender masks. The payload sits 14 bytes into its buffer (after a masked
 * 64-bit-length header), as it does on the wire, so no implementation gets aligned data for free.
 */
import { randomFillSync } from "node:crypto";
import { applyMask } from "@netsockets/protocol";
import type { Body, Implementation, SetupContext } from "../harness/types.js";
import { makePayload } from "./serialize.js";
import { assertWsVariant, wsInternals } from "./ws-internals.js";

/** 1 MiB. */
export const MASK_SIZE = 1024 * 1024;
/** Header bytes before the payload of a masked 1 MiB frame. */
const HEADER = 14;
/** Passes over the MiB per batch (even, so an in-place batch leaves the bytes as they were). */
const PASSES = 4;

/** A non-zero crypto-random key (an all-zero key would let an implementation skip the work). */
function maskKey(): Buffer {
  const key = Buffer.alloc(4);
  while (key.readUInt32LE(0) === 0) randomFillSync(key);
  return key;
}

/** The reference: `data[i] ^ key[(offset + i) % 4]`, byte by byte. */
function referenceMask(data: Uint8Array, key: Uint8Array): Buffer {
  const out = Buffer.from(data);
  for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) ^ (key[i & 3] as number);
  return out;
}

/** In-place unmasking of a 1 MiB payload, `PASSES` times per batch. */
export function unmaskBody(
  context: SetupContext,
  unmask: (data: Buffer, key: Buffer) => void,
): Body {
  const frame = Buffer.alloc(HEADER + MASK_SIZE);
  const data = frame.subarray(HEADER);
  data.set(makePayload(MASK_SIZE));
  const original = Buffer.from(data);
  const key = maskKey();
  if (context.check) {
    unmask(data, key);
    if (!data.equals(referenceMask(original, key)))
      throw new Error("unmask result differs from the reference");
    unmask(data, key);
  }
  return {
    run() {
      for (let i = 0; i < PASSES; i++) unmask(data, key);
      return PASSES * MASK_SIZE;
    },
    verify() {
      if (!data.equals(original))
        throw new Error("an even number of unmask passes did not restore the data");
    },
  };
}

/** Masking a 1 MiB payload into a separate frame buffer, `PASSES` times per batch. */
export function maskBody(
  context: SetupContext,
  mask: (source: Buffer, key: Buffer, output: Buffer, offset: number) => void,
): Body {
  const source = makePayload(MASK_SIZE);
  const original = Buffer.from(source);
  const output = Buffer.alloc(HEADER + MASK_SIZE);
  const key = maskKey();
  const check = (): void => {
    if (!output.subarray(HEADER).equals(referenceMask(original, key)))
      throw new Error("masked output differs from the reference");
    if (!source.equals(original)) throw new Error("the source was modified");
  };
  if (context.check) {
    mask(source, key, output, HEADER);
    check();
  }
  return {
    run() {
      for (let i = 0; i < PASSES; i++) mask(source, key, output, HEADER);
      return PASSES * MASK_SIZE;
    },
    verify: check,
  };
}

/** ws's buffer-util `unmask` (bufferutil's unless `WS_NO_BUFFER_UTIL` is set). */
export function wsUnmask(name: string, env?: Record<string, string>): Implementation {
  return {
    name,
    ...(env === undefined ? {} : { env }),
    setup(context) {
      assertWsVariant(context, env);
      return unmaskBody(context, wsInternals().unmask);
    },
  };
}

/** ws's buffer-util `mask` (bufferutil's unless `WS_NO_BUFFER_UTIL` is set). */
export function wsMask(name: string, env?: Record<string, string>): Implementation {
  return {
    name,
    ...(env === undefined ? {} : { env }),
    setup(context) {
      assertWsVariant(context, env);
      const { mask } = wsInternals();
      return maskBody(context, (source, key, output, offset) =>
        mask(source, key, output, offset, source.length),
      );
    },
  };
}

/** netsockets' `applyMask`, in place, as the frame parser unmasks. */
export function oursUnmask(): Implementation {
  return {
    name: "netsockets applyMask",
    ours: true,
    setup: (context) => unmaskBody(context, (data, key) => applyMask(data, key)),
  };
}

/** netsockets' sender masking: copy the caller's bytes once, then `applyMask` the copy in place. */
export function oursMask(): Implementation {
  return {
    name: "netsockets copy + applyMask",
    ours: true,
    setup: (context) =>
      maskBody(context, (source, key, output, offset) => {
        const target = output.subarray(offset, offset + source.length);
        target.set(source);
        applyMask(target, key);
      }),
  };
}
