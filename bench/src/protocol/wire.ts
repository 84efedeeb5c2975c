/**
 * Benchmark input written independently of the code under test: frames encoded here, by the
 * book (RFC 6455 §5.2), so neither parser reads bytes its own serializer produced.
 */
import { SeededRandom } from "../harness/random.js";

/** TCP-like chunk size: what one socket read typically hands over. */
export const CHUNK_SIZE = 64 * 1024;

/** The receive limit both sides are configured with (netsockets' default message size). */
export const MAX_PAYLOAD = 64 * 1024 * 1024;

/** A frame to encode. */
export interface FrameSpec {
  readonly opcode: number;
  readonly payload: Uint8Array;
  readonly fin?: boolean;
  /** 4 bytes: the frame is masked with it (client to server). */
  readonly maskKey?: Uint8Array;
}

/** The header length of a frame with `length` payload bytes. */
export function headerLength(length: number, masked: boolean): number {
  return (length < 126 ? 2 : length < 65536 ? 4 : 10) + (masked ? 4 : 0);
}

/** Encodes `frames` back to back into one buffer, masking payloads that have a key. */
export function encodeFrames(frames: readonly FrameSpec[]): Buffer {
  let total = 0;
  for (const f of frames)
    total += headerLength(f.payload.length, f.maskKey !== undefined) + f.payload.length;
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  for (const f of frames) {
    const n = f.payload.length;
    out[at++] = (f.fin === false ? 0 : 0x80) | f.opcode;
    const maskBit = f.maskKey === undefined ? 0 : 0x80;
    if (n < 126) {
      out[at++] = maskBit | n;
    } else if (n < 65536) {
      out[at++] = maskBit | 126;
      out.writeUInt16BE(n, at);
      at += 2;
    } else {
      out[at++] = maskBit | 127;
      out.writeBigUInt64BE(BigInt(n), at);
      at += 8;
    }
    const key = f.maskKey;
    if (key === undefined) {
      out.set(f.payload, at);
      at += n;
    } else {
      out.set(key.subarray(0, 4), at);
      at += 4;
      for (let i = 0; i < n; i++) out[at + i] = (f.payload[i] as number) ^ (key[i & 3] as number);
      at += n;
    }
  }
  return out;
}

/** Random 4-byte mask keys for input frames (input only; code under test masks from crypto). */
export function inputMaskKeys(count: number, seed: number): Uint8Array[] {
  const random = new SeededRandom(seed);
  return Array.from({ length: count }, () => {
    const key = new Uint8Array(4);
    random.fill(key);
    return key;
  });
}

/**
 * Wire bytes as a socket would deliver them: `CHUNK_SIZE` views of one working copy. Parsers
 * unmask in place, so {@link ChunkedInput.restore} copies the pristine bytes back before each
 * batch, untimed.
 */
export class ChunkedInput {
  readonly #pristine: Buffer;
  readonly #work: Buffer;
  /** The chunks, views of the working copy, in order. */
  readonly chunks: readonly Buffer[];

  constructor(wire: Buffer, chunkSize = CHUNK_SIZE) {
    this.#pristine = wire;
    this.#work = Buffer.from(wire);
    const chunks: Buffer[] = [];
    for (let at = 0; at < wire.length; at += chunkSize) {
      chunks.push(this.#work.subarray(at, Math.min(at + chunkSize, wire.length)));
    }
    this.chunks = chunks;
  }

  /** Puts the masked bytes back. */
  restore(): void {
    this.#work.set(this.#pristine);
  }

  /** The total wire size. */
  get length(): number {
    return this.#pristine.length;
  }
}

/** A frame read back from serializer output. */
export interface DecodedFrame {
  readonly fin: boolean;
  readonly rsv: number;
  readonly opcode: number;
  /** `undefined` for an unmasked frame. */
  readonly maskKey: Uint8Array | undefined;
  /** Unmasked payload (a copy). */
  readonly payload: Uint8Array;
}

/** Decodes back-to-back frames from `parts` joined (used to check serializer output only). */
export function decodeFrames(parts: readonly Uint8Array[]): DecodedFrame[] {
  const bytes = Buffer.concat(parts);
  const frames: DecodedFrame[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (bytes.length - at < 2) throw new Error("truncated frame header");
    const b0 = bytes[at] as number;
    const b1 = bytes[at + 1] as number;
    at += 2;
    let length = b1 & 0x7f;
    if (length === 126) {
      length = bytes.readUInt16BE(at);
      at += 2;
      if (length < 126) throw new Error("non-minimal 16-bit length");
    } else if (length === 127) {
      const big = bytes.readBigUInt64BE(at);
      at += 8;
      if (big < 65536n || big > BigInt(Number.MAX_SAFE_INTEGER))
        throw new Error("bad 64-bit length");
      length = Number(big);
    }
    let maskKey: Uint8Array | undefined;
    if ((b1 & 0x80) !== 0) {
      maskKey = Uint8Array.from(bytes.subarray(at, at + 4));
      at += 4;
    }
    if (bytes.length - at < length) throw new Error("truncated frame payload");
    const payload = Uint8Array.from(bytes.subarray(at, at + length));
    at += length;
    if (maskKey !== undefined) {
      for (let i = 0; i < payload.length; i++)
        payload[i] = (payload[i] as number) ^ (maskKey[i & 3] as number);
    }
    frames.push({
      fin: (b0 & 0x80) !== 0,
      rsv: (b0 >> 4) & 7,
      opcode: b0 & 0x0f,
      maskKey,
      payload,
    });
  }
  return frames;
}
