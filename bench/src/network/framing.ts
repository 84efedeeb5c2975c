/**
 * Length-prefixed framing for the raw `node:net` ceilings: a 4-byte big-endian header (bit 31 set
 * for text, the low 31 bits the payload length) and the payload. No masking, no validation: the
 * least any message protocol over TCP can do, so the figures are ceilings, not contenders.
 */
import type { Socket } from "node:net";

/** The largest payload a header can announce. */
const MAX_LENGTH = 0x7fffffff;

/**
 * Splits a byte stream into messages. A message that arrived whole inside one chunk is delivered
 * as a view of the chunk (no copy); one split across chunks is copied once into a buffer of its
 * announced length.
 */
export class FrameReader {
  readonly #onMessage: (data: Buffer, text: boolean) => void;
  readonly #header = Buffer.alloc(4);
  #headerFill = 0;
  #body: Buffer | undefined;
  #bodyFill = 0;
  #text = false;

  constructor(onMessage: (data: Buffer, text: boolean) => void) {
    this.#onMessage = onMessage;
  }

  /** Feeds one chunk as the socket delivered it. */
  push(chunk: Buffer): void {
    let offset = 0;
    const end = chunk.length;
    while (offset < end) {
      const body = this.#body;
      if (body !== undefined) {
        const n = Math.min(body.length - this.#bodyFill, end - offset);
        chunk.copy(body, this.#bodyFill, offset, offset + n);
        this.#bodyFill += n;
        offset += n;
        if (this.#bodyFill === body.length) {
          this.#body = undefined;
          this.#onMessage(body, this.#text);
        }
        continue;
      }
      let word: number;
      if (this.#headerFill === 0 && end - offset >= 4) {
        word = chunk.readUInt32BE(offset);
        offset += 4;
      } else {
        const n = Math.min(4 - this.#headerFill, end - offset);
        chunk.copy(this.#header, this.#headerFill, offset, offset + n);
        this.#headerFill += n;
        offset += n;
        if (this.#headerFill < 4) return;
        this.#headerFill = 0;
        word = this.#header.readUInt32BE(0);
      }
      const length = word & MAX_LENGTH;
      const text = word >>> 31 === 1;
      if (end - offset >= length) {
        this.#onMessage(chunk.subarray(offset, offset + length), text);
        offset += length;
      } else {
        this.#body = Buffer.allocUnsafe(length);
        this.#bodyFill = 0;
        this.#text = text;
      }
    }
  }
}

/** How a framed message goes to the socket. */
export type TcpWriteMode = "write" | "cork";

/**
 * Writes framed messages. `write`: header and payload copied into one buffer, one `write()` per
 * message (one syscall each while the socket keeps up). `cork`: header and payload written
 * separately, without a copy, between `cork()` and an `uncork()` at the end of the tick, so every
 * message of one tick leaves in one `writev`.
 */
export class FrameWriter {
  readonly #socket: Socket;
  readonly #mode: TcpWriteMode;
  #corked = false;
  readonly #uncork = (): void => {
    this.#corked = false;
    this.#socket.uncork();
  };

  constructor(socket: Socket, mode: TcpWriteMode) {
    this.#socket = socket;
    this.#mode = mode;
  }

  /** Frames and writes one message; `callback` runs once the kernel took it. */
  write(data: Uint8Array, text: boolean, callback?: (error?: Error | null) => void): boolean {
    const word = (data.length | (text ? 0x80000000 : 0)) >>> 0;
    if (this.#mode === "write") {
      const frame = Buffer.allocUnsafe(4 + data.length);
      frame.writeUInt32BE(word, 0);
      frame.set(data, 4);
      return this.#socket.write(frame, callback);
    }
    if (!this.#corked) {
      this.#corked = true;
      this.#socket.cork();
      process.nextTick(this.#uncork);
    }
    const header = Buffer.allocUnsafe(4);
    header.writeUInt32BE(word, 0);
    this.#socket.write(header);
    return this.#socket.write(data, callback);
  }
}
