// A reference permessage-deflate peer for tests, independent of PerMessageDeflate: it compresses
// messages with node:zlib streams as RFC 7692 §7.2 describes, splits the compressed payload into
// frames at arbitrary points (as Autobahn's auto-fragmentation does), and inflates what our side
// sent with a window no larger than negotiated — so a compressor that reached further back than
// allowed, or kept context it promised to drop, fails the test.
import {
  constants,
  createDeflateRaw,
  type DeflateRaw,
  type InflateRaw,
  inflateRawSync,
} from "node:zlib";
import { Opcode } from "@netsockets/protocol";
import { frame, type WireFrame } from "@netsockets/protocol/testing";

const TAIL = Buffer.from([0x00, 0x00, 0xff, 0xff]);

function flushOf(stream: DeflateRaw | InflateRaw, input: Uint8Array): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const pieces: Buffer[] = [];
    const onData = (piece: Buffer) => pieces.push(piece);
    const onError = (error: Error) => {
      stream.off("data", onData);
      reject(error);
    };
    stream.on("data", onData);
    stream.once("error", onError);
    stream.write(input);
    stream.flush(constants.Z_SYNC_FLUSH, () => {
      stream.off("data", onData);
      stream.off("error", onError);
      resolve(Buffer.concat(pieces));
    });
  });
}

/** Compresses messages one after the other, with or without context takeover. */
export class ReferenceCompressor {
  #stream: DeflateRaw | undefined;
  readonly #noContextTakeover: boolean;
  readonly #windowBits: number;
  constructor(options: { noContextTakeover?: boolean; windowBits?: number } = {}) {
    this.#noContextTakeover = options.noContextTakeover ?? false;
    this.#windowBits = Math.max(9, options.windowBits ?? 15);
  }
  async compress(message: Uint8Array): Promise<Buffer> {
    if (this.#stream === undefined || this.#noContextTakeover) {
      this.#stream?.close();
      this.#stream = createDeflateRaw({ windowBits: this.#windowBits });
    }
    const out = await flushOf(this.#stream, message);
    return out.subarray(0, out.length - 4);
  }
  close(): void {
    this.#stream?.close();
  }
}

/**
 * Inflates our side's compressed messages with `windowBits` and a 64-byte output chunk (so
 * zlib must use its sliding window, not the output buffer, as history: a distance beyond the
 * window fails), from a fresh state for every message when our side promised no context
 * takeover. Synchronous zlib (fast): with context takeover it inflates the whole history again
 * and keeps the new part (quadratic, fine for a few messages).
 */
export class ReferenceDecompressor {
  #history: Uint8Array[] = [];
  #historyOut = 0;
  readonly #noContextTakeover: boolean;
  readonly #windowBits: number;
  constructor(options: { noContextTakeover?: boolean; windowBits?: number } = {}) {
    this.#noContextTakeover = options.noContextTakeover ?? false;
    this.#windowBits = options.windowBits ?? 15;
  }
  async decompress(payload: Uint8Array): Promise<Buffer> {
    if (this.#noContextTakeover) {
      this.#history = [];
      this.#historyOut = 0;
    }
    this.#history.push(payload, TAIL);
    const out = inflateRawSync(Buffer.concat(this.#history), {
      windowBits: this.#windowBits,
      chunkSize: 64,
      finishFlush: constants.Z_SYNC_FLUSH,
    });
    const message = out.subarray(this.#historyOut);
    this.#historyOut = out.length;
    return message;
  }
  close(): void {
    this.#history = [];
  }
}

/**
 * The frames of one message: `payload` split every `fragmentSize` bytes (0: one frame), RSV1 on
 * the first frame when `compressed`, masked when sent to a server.
 */
export function messageFrames(
  payload: Uint8Array,
  options: { binary: boolean; compressed: boolean; fragmentSize: number; mask: boolean },
): Uint8Array[] {
  const size = options.fragmentSize === 0 ? Math.max(1, payload.length) : options.fragmentSize;
  const frames: Uint8Array[] = [];
  let at = 0;
  do {
    const end = Math.min(payload.length, at + size);
    const first = at === 0;
    frames.push(
      frame(
        first ? (options.binary ? Opcode.binary : Opcode.text) : Opcode.continuation,
        payload.subarray(at, end),
        {
          fin: end === payload.length,
          rsv: first && options.compressed ? 4 : 0,
          ...(options.mask ? { mask: true } : {}),
        },
      ),
    );
    at = end;
  } while (at < payload.length);
  return frames;
}

/** A data message our side sent, reassembled from its frames. */
export interface SentMessage {
  readonly binary: boolean;
  readonly compressed: boolean;
  readonly payload: Uint8Array;
  /** RSV bits of every frame after the first (must be 0). */
  readonly laterRsv: number[];
}

/** Groups decoded frames into data messages (control frames are skipped). */
export function messagesOf(frames: readonly WireFrame[]): SentMessage[] {
  const messages: SentMessage[] = [];
  let parts: Uint8Array[] = [];
  let first: WireFrame | undefined;
  let laterRsv: number[] = [];
  for (const f of frames) {
    if (f.opcode >= 8) continue;
    if (f.opcode !== Opcode.continuation) {
      first = f;
      parts = [];
      laterRsv = [];
    } else {
      laterRsv.push(f.rsv);
    }
    parts.push(f.payload);
    if (f.fin && first !== undefined) {
      messages.push({
        binary: first.opcode === Opcode.binary,
        compressed: (first.rsv & 4) !== 0,
        payload: Buffer.concat(parts),
        laterRsv,
      });
      first = undefined;
    }
  }
  return messages;
}

/** The five Autobahn 12.x data kinds, made deterministically: JSON, "image", prose, HTML, random. */
export function sampleData(kind: number, size: number, seed: number): Uint8Array {
  let state = (seed * 2654435761) >>> 0 || 1;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x1_0000_0000;
  };
  let text = "";
  switch (kind) {
    case 0: {
      while (text.length < size) {
        text += JSON.stringify({
          id: Math.floor(next() * 1e6),
          name: `user${Math.floor(next() * 500)}`,
          tags: ["a", "b", "c"].slice(0, 1 + Math.floor(next() * 3)),
          score: Math.round(next() * 1e4) / 100,
        });
      }
      break;
    }
    case 1: {
      // A gradient "bitmap": highly regular bytes with noise.
      const bytes = new Uint8Array(size);
      for (let i = 0; i < size; i++)
        bytes[i] = ((i % 256) + (next() < 0.1 ? Math.floor(next() * 8) : 0)) & 0xff;
      return bytes;
    }
    case 2: {
      const words = [
        "Habe",
        "nun",
        "ach",
        "Philosophie",
        "Juristerei",
        "und",
        "Medizin",
        "Und",
        "leider",
        "auch",
        "Theologie",
        "durchaus",
        "studiert",
        "mit",
        "heißem",
        "Bemühn",
        "Da",
        "steh",
        "ich",
        "nun",
        "ich",
        "armer",
        "Tor",
      ];
      while (text.length < size) text += `${words[Math.floor(next() * words.length)]} `;
      break;
    }
    case 3: {
      while (text.length < size)
        text += `<div class="item-${Math.floor(next() * 20)}"><a href="/p/${Math.floor(next() * 1000)}">link</a></div>\n`;
      break;
    }
    default: {
      const bytes = new Uint8Array(size);
      for (let i = 0; i < size; i++) bytes[i] = Math.floor(next() * 256);
      return bytes;
    }
  }
  // Cut on a code point boundary: the text stays valid UTF-8 (ASCII and 2-byte "ß/ü/é").
  const encoded = new TextEncoder().encode(text);
  let end = Math.min(size, encoded.length);
  while (end > 0 && ((encoded[end] as number) & 0xc0) === 0x80) end--;
  return encoded.subarray(0, end);
}

/** Whether data of `kind` goes as text (JSON, prose, HTML) or binary. */
export function isTextKind(kind: number): boolean {
  return kind === 0 || kind === 2 || kind === 3;
}
