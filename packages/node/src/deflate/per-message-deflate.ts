/**
 * The permessage-deflate extension (RFC 7692) on node:zlib, for a protocol `Connection`.
 *
 * Theory of operation. The Connection hands every payload piece of a message whose first frame
 * has RSV1 to {@link PerMessageDeflate.decode} in wire order, one at a time (it waits for each
 * Promise), and every outgoing piece to {@link PerMessageDeflate.encode}. Each direction owns one
 * long-lived raw zlib stream (created on first use), so the LZ77 window carries over between
 * messages ("context takeover") unless the negotiation said otherwise:
 *
 * ```text
 * receive: piece ──write──▶ InflateRaw ──data (16 KiB pieces)──▶ counted against maxMessageSize
 *          last piece: + 00 00 ff ff     flush(SYNC) ──▶ the pieces, joined once ──▶ Connection
 *          over the limit: stop zlib at once (close the stream) ──▶ MessageTooBigError ──▶ 1009
 * send:    first piece decides: compressed (RSV1) or as is (threshold, doNotCompress, window 8)
 *          piece ──write──▶ DeflateRaw ──flush(SYNC)──▶ output; the last piece drops the
 *          trailing 00 00 ff ff; no_context_takeover on our side resets the stream after it
 * ```
 *
 * Every zlib step runs through the process-wide limiter (zlib-limiter.ts). The inflate limit is
 * enforced while zlib produces output, not after: the stream is closed as soon as the message's
 * inflated size passes `maxMessageSize`, so a compression bomb costs at most the limit plus one
 * zlib output chunk of memory. `close()` (the connection ended) frees both zlib streams at once;
 * queued jobs of a closed extension are dropped.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7692#section-7.2
 */
import {
  constants,
  createDeflateRaw,
  createInflateRaw,
  type DeflateRaw,
  type InflateRaw,
} from "node:zlib";
import { MessageTooBigError, ProtocolError } from "@netsockets/errors";
import {
  DEFAULT_MAX_MESSAGE_SIZE,
  type Extension,
  type ExtensionFrameInfo,
  type RsvBits,
} from "@netsockets/protocol";
import { type DeflateParameters, PERMESSAGE_DEFLATE } from "./deflate-negotiation.js";
import { scheduleZlibJob } from "./zlib-limiter.js";

/** Messages shorter than this many bytes are sent uncompressed by default. */
export const DEFAULT_DEFLATE_THRESHOLD = 1024;

/** Tuning of a {@link PerMessageDeflate}; all optional. */
export interface PerMessageDeflateOptions {
  /**
   * The most bytes one message may inflate to; zlib is stopped as soon as it produces more
   * (close 1009). Pass the Connection's `maxMessageSize`. Default 64 MiB (the protocol default).
   */
  readonly maxMessageSize?: number;
  /**
   * Whole messages shorter than this (bytes) go uncompressed: deflating them costs more CPU
   * than it saves bytes. A fragmented message is judged by its first piece. Default 1024.
   */
  readonly threshold?: number;
  /** zlib compression level, 0–9 (or -1, zlib's default, 6). Default -1. */
  readonly level?: number;
  /** zlib memLevel, 1–9: memory for the compressor's state. Default 8 (zlib's default). */
  readonly memLevel?: number;
}

/** RFC 7692 §7.2.1: the four octets a sync flush ends with, removed from each message's end. */
const TAIL = new Uint8Array([0x00, 0x00, 0xff, 0xff]);
const EMPTY = new Uint8Array(0);
const EMPTY_BLOCK = new Uint8Array([0x00]);

function endsWithTail(data: Uint8Array): boolean {
  const n = data.length;
  return (
    n >= 4 && data[n - 4] === 0 && data[n - 3] === 0 && data[n - 2] === 0xff && data[n - 1] === 0xff
  );
}
const RSV1: RsvBits = 4;

function closedError(): Error {
  return new Error("permessage-deflate closed: the connection ended");
}

/** The zlib output pieces of one step, joined once. */
function join(pieces: Buffer[], total: number): Uint8Array {
  if (pieces.length === 1) return pieces[0] as Buffer;
  if (pieces.length === 0) return EMPTY;
  return Buffer.concat(pieces, total);
}

/**
 * permessage-deflate for one connection: an `Extension` of `@netsockets/protocol` (RSV1).
 * Build it from the negotiated parameters (`acceptServerAnswer` on a client,
 * `parametersOfAnswer` on a server) and pass it in the Connection's `extensions`; call
 * {@link PerMessageDeflate.close} when the connection has ended.
 *
 * @example
 * ```ts
 * const deflate = new PerMessageDeflate("client", parameters, { maxMessageSize: 1 << 20 });
 * const connection = new Connection(nodeConnectionOptions("client", {
 *   limits: { maxMessageSize: 1 << 20 }, extensions: [deflate],
 * }));
 * driver.sendText(deflate.doNotCompress(new TextEncoder().encode(secret)));
 * driver.done.then(() => deflate.close());
 * ```
 */
export class PerMessageDeflate implements Extension {
  /** `"permessage-deflate"`. */
  readonly name = PERMESSAGE_DEFLATE;
  /** RSV1. */
  readonly rsvBits: RsvBits = RSV1;
  /** The negotiated parameters. */
  readonly parameters: DeflateParameters;

  /** Read by the limiter: a closed extension's queued jobs are dropped. */
  readonly #owner = { closed: false };
  readonly #maxMessageSize: number;
  readonly #threshold: number;
  readonly #level: number;
  readonly #memLevel: number;
  /** The window our inflater uses: the peer's, at least 9 (see deflate-negotiation.ts). */
  readonly #inflateBits: number;
  /** Our compressor's window, or 0 when it must be 8 (then we never compress). */
  readonly #deflateBits: number;
  readonly #deflateNoContextTakeover: boolean;
  readonly #exempt = new WeakSet<Uint8Array>();

  #inflater: InflateRaw | undefined;
  #deflater: DeflateRaw | undefined;
  /** Inflated bytes of the message being received. */
  #messageInflated = 0;
  #totalInflated = 0;
  /** The current inflate step's output and its settle functions. */
  #inPieces: Buffer[] = [];
  #inSize = 0;
  #inSettle: ((error: unknown, data?: Uint8Array) => void) | undefined;
  /** The current deflate step's output. */
  #outPieces: Buffer[] = [];
  #outSize = 0;
  #outFail: ((error: unknown) => void) | undefined;
  /** Whether the outgoing message in progress is compressed. */
  #compressing = false;

  constructor(
    role: "client" | "server",
    parameters: DeflateParameters,
    options: PerMessageDeflateOptions = {},
  ) {
    this.parameters = parameters;
    const client = role === "client";
    const peerBits = client ? parameters.serverMaxWindowBits : parameters.clientMaxWindowBits;
    const ourBits = client ? parameters.clientMaxWindowBits : parameters.serverMaxWindowBits;
    this.#inflateBits = Math.max(9, peerBits);
    this.#deflateBits = ourBits <= 8 ? 0 : ourBits;
    this.#deflateNoContextTakeover = client
      ? parameters.clientNoContextTakeover
      : parameters.serverNoContextTakeover;
    this.#maxMessageSize = options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
    this.#threshold = options.threshold ?? DEFAULT_DEFLATE_THRESHOLD;
    this.#level = options.level ?? constants.Z_DEFAULT_COMPRESSION;
    this.#memLevel = options.memLevel ?? 8;
  }

  /** Whether {@link PerMessageDeflate.close} was called. */
  get closed(): boolean {
    return this.#owner.closed;
  }

  /**
   * Every byte zlib inflated on this connection, including what was discarded after a limit was
   * crossed (for tests and monitoring: a bomb stops within one zlib chunk of the limit).
   */
  get totalInflatedBytes(): number {
    return this.#totalInflated;
  }

  /**
   * Marks a message's bytes to be sent uncompressed (for secrets next to attacker-controlled
   * data: BREACH/CRIME-style attacks read secrets from compressed sizes). Pass the same array
   * to the send; returns it.
   */
  doNotCompress<T extends Uint8Array>(bytes: T): T {
    this.#exempt.add(bytes);
    return bytes;
  }

  /** Inflates a piece of a compressed message (the Connection awaits each one in order). */
  decode(chunk: Uint8Array, info: ExtensionFrameInfo): Promise<Uint8Array> {
    if (this.#owner.closed) return Promise.reject(closedError());
    return new Promise<Uint8Array>((resolve, reject) => {
      const drop = () => reject(closedError());
      scheduleZlibJob(
        this.#owner,
        (done) => {
          let settled = false;
          this.#inSettle = (error, data) => {
            if (settled) return;
            settled = true;
            this.#inSettle = undefined;
            this.#inPieces = [];
            this.#inSize = 0;
            done();
            if (error === undefined) resolve(data as Uint8Array);
            else reject(error);
          };
          const inflater = this.#inflater ?? this.#createInflater();
          const onWritten = () => {
            if (settled || this.#inflater !== inflater) return;
            const data = join(this.#inPieces, this.#inSize);
            if (info.fin) this.#messageInflated = 0;
            this.#inSettle?.(undefined, data);
          };
          // The stream's flush mode is Z_SYNC_FLUSH, so each write is one complete zlib step
          // (one thread-pool round trip) whose output has been emitted when its callback runs.
          // The last piece goes with the tail in one write (copying the compressed bytes is
          // cheaper than a second round trip) unless it is large.
          if (!info.fin) {
            inflater.write(chunk, onWritten);
          } else if (chunk.length <= 65_536) {
            const last = Buffer.allocUnsafe(chunk.length + 4);
            last.set(chunk, 0);
            last.set(TAIL, chunk.length);
            inflater.write(last, onWritten);
          } else {
            inflater.write(chunk);
            inflater.write(TAIL, onWritten);
          }
        },
        drop,
      );
    });
  }

  #createInflater(): InflateRaw {
    const inflater = createInflateRaw({
      windowBits: this.#inflateBits,
      flush: constants.Z_SYNC_FLUSH,
    });
    inflater.on("data", (piece: Buffer) => {
      this.#totalInflated += piece.length;
      this.#messageInflated += piece.length;
      if (this.#messageInflated > this.#maxMessageSize) {
        // S8/S9: stop zlib now — closing the stream ends the inflate loop on the next chunk —
        // instead of inflating the rest of a bomb only to throw it away.
        this.#dropInflater(inflater);
        this.#inSettle?.(
          new MessageTooBigError(
            this.#maxMessageSize,
            `Invalid WebSocket frame: inflated message exceeds maxMessageSize (${this.#maxMessageSize} bytes)`,
          ),
        );
        return;
      }
      this.#inPieces.push(piece);
      this.#inSize += piece.length;
    });
    inflater.on("error", (error: Error) => {
      this.#dropInflater(inflater);
      this.#inSettle?.(
        new ProtocolError(
          "WS_ERR_EXTENSION_FAILED",
          `Invalid WebSocket frame: invalid compressed data (${error.message})`,
          { cause: error },
        ),
      );
    });
    this.#inflater = inflater;
    return inflater;
  }

  #dropInflater(inflater: InflateRaw): void {
    if (this.#inflater === inflater) this.#inflater = undefined;
    inflater.removeAllListeners("data");
    inflater.on("error", () => {});
    inflater.close();
  }

  /**
   * Compresses a piece of an outgoing message. The first piece decides for the whole message:
   * uncompressed (returned as is, synchronously) when it is a whole message under `threshold`,
   * marked with {@link PerMessageDeflate.doNotCompress}, or when our window would have to be 8.
   */
  encode(
    chunk: Uint8Array,
    info: { readonly fin: boolean; readonly binary: boolean; readonly first: boolean },
  ): { data: Uint8Array; rsv: RsvBits } | Promise<{ data: Uint8Array; rsv: RsvBits }> {
    if (info.first) {
      this.#compressing =
        this.#deflateBits !== 0 &&
        !(info.fin && chunk.length < this.#threshold) &&
        !this.#exempt.has(chunk);
    }
    if (!this.#compressing) return { data: chunk, rsv: 0 };
    if (this.#owner.closed) return Promise.reject(closedError());
    return new Promise((resolve, reject) => {
      const drop = () => reject(closedError());
      scheduleZlibJob(
        this.#owner,
        (done) => {
          let settled = false;
          this.#outFail = (error) => {
            if (settled) return;
            settled = true;
            this.#outFail = undefined;
            done();
            reject(error);
          };
          const deflater = this.#deflater ?? this.#createDeflater();
          // One write, sync-flushed (the stream's flush mode): one thread-pool round trip.
          deflater.write(chunk, () => {
            if (settled || this.#deflater !== deflater) return;
            settled = true;
            this.#outFail = undefined;
            let data = join(this.#outPieces, this.#outSize);
            this.#outPieces = [];
            this.#outSize = 0;
            if (info.fin) {
              // "Remove 4 octets (that are 0x00 0x00 0xff 0xff) from the tail end."
              // @see https://www.rfc-editor.org/rfc/rfc7692#section-7.2.1
              if (endsWithTail(data)) data = data.subarray(0, data.length - 4);
              // Nothing left (an empty message, or nothing pending since the last flush): a single
              // 0x00 octet, which with the receiver's 00 00 ff ff is an empty stored block (RFC
              // 7692 §7.2.3.6); an empty payload would not inflate.
              if (data.length === 0) data = EMPTY_BLOCK;
              if (this.#deflateNoContextTakeover) deflater.reset();
            }
            done();
            resolve({ data, rsv: RSV1 });
          });
        },
        drop,
      );
    });
  }

  #createDeflater(): DeflateRaw {
    const deflater = createDeflateRaw({
      windowBits: this.#deflateBits,
      flush: constants.Z_SYNC_FLUSH,
      level: this.#level,
      memLevel: this.#memLevel,
    });
    deflater.on("data", (piece: Buffer) => {
      this.#outPieces.push(piece);
      this.#outSize += piece.length;
    });
    deflater.on("error", (error: Error) => {
      if (this.#deflater === deflater) this.#deflater = undefined;
      this.#outFail?.(error);
    });
    this.#deflater = deflater;
    return deflater;
  }

  /** Frees both zlib streams; later decode/encode calls fail, queued ones are dropped. */
  close(): void {
    if (this.#owner.closed) return;
    this.#owner.closed = true;
    const inflater = this.#inflater;
    if (inflater !== undefined) this.#dropInflater(inflater);
    const deflater = this.#deflater;
    this.#deflater = undefined;
    if (deflater !== undefined) {
      deflater.removeAllListeners("data");
      deflater.on("error", () => {});
      deflater.close();
    }
    // A step in flight will never complete now: settle it, which also frees its limiter slot.
    this.#inSettle?.(closedError());
    this.#outFail?.(closedError());
    this.#inPieces = [];
    this.#outPieces = [];
  }
}
