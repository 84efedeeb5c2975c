/**
 * Frame builders for tests. Independent of the library's serializer on purpose: they build
 * frames a correct serializer never makes (non-minimal or oversized lengths, RSV bits on control
 * frames, reserved opcodes, a length field with no body), and cross-check it on valid ones.
 */
import { concatBytes } from "./bytes.js";

/** The RFC 6455 example masking key `37 fa 21 3d` (§5.7). Do not modify it. */
export const EXAMPLE_MASK_KEY: Uint8Array = new Uint8Array([0x37, 0xfa, 0x21, 0x3d]);

/** How {@link frame} builds a frame. */
export interface FrameOptions {
  /** The FIN bit; default `true`. */
  readonly fin?: boolean;
  /** The RSV bits (RSV1 = 4, RSV2 = 2, RSV3 = 1); default 0. */
  readonly rsv?: number;
  /** Mask with this key, or with {@link EXAMPLE_MASK_KEY} for `true`; default: unmasked. */
  readonly mask?: boolean | Uint8Array;
  /** Force the length form (7, 16 or 64 bits) even when it is not the minimal one. */
  readonly lengthForm?: 7 | 16 | 64;
  /** Announce this length instead of the payload's (bigint for 64-bit values above 2^53). */
  readonly declaredLength?: number | bigint;
}

/** Builds the bytes of one frame; see {@link FrameOptions}. */
export function frame(opcode: number, payload: Uint8Array, options: FrameOptions = {}): Uint8Array {
  const fin = options.fin ?? true;
  const rsv = options.rsv ?? 0;
  const key =
    options.mask === true
      ? EXAMPLE_MASK_KEY
      : options.mask instanceof Uint8Array
        ? options.mask
        : undefined;
  const declared = BigInt(options.declaredLength ?? payload.length);
  const form = options.lengthForm ?? (declared < 126n ? 7 : declared < 65_536n ? 16 : 64);
  const head: number[] = [(fin ? 0x80 : 0) | ((rsv & 7) << 4) | (opcode & 0xf)];
  const maskBit = key === undefined ? 0 : 0x80;
  if (form === 7) {
    head.push(maskBit | Number(declared));
  } else if (form === 16) {
    head.push(maskBit | 126, Number(declared >> 8n) & 0xff, Number(declared) & 0xff);
  } else {
    head.push(maskBit | 127);
    for (let shift = 56n; shift >= 0n; shift -= 8n) head.push(Number((declared >> shift) & 0xffn));
  }
  if (key === undefined) return concatBytes([new Uint8Array(head), payload]);
  const body = payload.slice();
  for (let i = 0; i < body.length; i++) body[i] = (body[i] as number) ^ (key[i & 3] as number);
  return concatBytes([new Uint8Array(head), key, body]);
}

/** A close frame payload: the code (big-endian) and the UTF-8 reason, or raw bytes. */
export function closePayload(code?: number, reason: string | Uint8Array = ""): Uint8Array {
  if (code === undefined) return new Uint8Array(0);
  const text = typeof reason === "string" ? new TextEncoder().encode(reason) : reason;
  return concatBytes([new Uint8Array([code >>> 8, code & 0xff]), text]);
}

/**
 * A `randomFill` that yields the same 4-byte key for every frame (the RFC example key by
 * default): makes client output deterministic in tests. Never use it outside tests.
 */
export function fixedMaskFill(key: Uint8Array = EXAMPLE_MASK_KEY): (target: Uint8Array) => void {
  return (target) => {
    for (let i = 0; i < target.length; i++) target[i] = key[i & 3] as number;
  };
}
