/**
 * The incremental frame parser (RFC 6455 §5): wire bytes in, frame pieces out.
 *
 * Theory of operation. The parser is an explicit integer-state loop over a {@link ByteQueue}, in
 * the shape of ws's `Receiver.startLoop` but without a stream around it. {@link FrameParser.next}
 * advances as far as the buffered bytes allow and stops at the first thing to report, returning a
 * {@link ParseStep}; the details of that step are in the parser's public fields (`payload`,
 * `fin`, …) until the next call, so no result object is allocated per frame. It never recurses
 * and never throws on peer input: a violation is the step `error`, after which the parser is
 * dead and reports `error` again on every call.
 *
 * ```text
 *            ┌──────────────────────────────────────────────┐
 *            ▼                                              │
 *        HEADER ──(126)──▶ LENGTH_16 ──┐                    │
 *   (2 bytes) │ ──(127)──▶ LENGTH_64 ──┤                    │
 *             │                        ▼                    │
 *             └──────────────────▶ (mask bit?) ──▶ MASK_KEY │
 *                                      │              │     │
 *                                      ▼              ▼     │
 *                     data frame: DATA (pieces as they come)┤
 *                  control frame: CONTROL (whole payload)   ┘
 * ```
 *
 * Data frames are handed on as they arrive: each `data` step carries a view of the next piece of
 * payload (one contiguous run of a received chunk), unmasked in place, so a 64 MiB frame never
 * has to be buffered whole and nothing is copied. Control frames (≤ 125 bytes) are reported
 * whole. Only a header or control payload that spans chunks is copied.
 *
 * With `wholeBinaryMessages` (for consumers that assemble whole messages anyway) a binary
 * message that is one untransformed frame is reported as one piece instead: a view when the
 * frame lies in one chunk, else, once all its bytes are buffered, one array from `allocate` that
 * the chunks are unmasked straight into (copy and unmask fused: the copy a message assembler
 * would make is the unmask's own). While such a frame waits for its bytes, an empty first piece
 * (`messageStarted`) is reported once, so a driver's message timer runs as for any message in
 * progress. Nothing is allocated before the bytes are there (no memory on a length alone), and
 * text keeps its piece-by-piece path, so invalid UTF-8 still fails with the chunk that holds it.
 * A transport that can read into given memory asks for {@link FrameParser.fillRegion}: once an
 * eighth of such a frame (and 64 KiB) is queued, its array is made, the queued bytes go into it,
 * and the transport reads the rest straight into the array's unfilled end.
 *
 * Besides the frame syntax the parser checks what can be checked on a header, before any
 * payload is buffered: the fragmentation sequence, the RSV bits an extension may claim, the
 * masking rule of the role, and the limits (frame size, running message size of untransformed
 * messages, fragment count). A frame announcing 2^62 bytes fails the moment its length is read.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-5.2
 */
import { MessageTooBigError, ProtocolError } from "@netsockets/errors";
import type { ByteQueue } from "./byte-queue.js";
import type { Allocate } from "./frame-serializer.js";
import type { Limits } from "./limits.js";
import { applyMaskKey, maskCopyKey } from "./mask.js";
import { Opcode } from "./opcode.js";

/** What {@link FrameParser.next} found. */
export const ParseStep = Object.freeze({
  /** More bytes are needed. */
  needData: 0,
  /** A piece of a data frame's payload: see `payload`, `frameStarted`, `frameFinished`. */
  data: 1,
  /** A whole control frame: see `opcode` and `payload`. */
  control: 2,
  /** The peer broke the protocol: see `error`. The parser reports nothing else from now on. */
  error: 3,
} as const);

/** One of the values of {@link ParseStep}. */
export type ParseStep = (typeof ParseStep)[keyof typeof ParseStep];

/** The parser's states. */
const HEADER = 0;
const LENGTH_16 = 1;
const LENGTH_64 = 2;
const MASK_KEY = 3;
const DATA = 4;
const CONTROL = 5;
const DEAD = 6;

const TWO_POW_32 = 0x1_0000_0000;

/** A frame being gathered is offered for direct filling once this many of its bytes are queued. */
const EARLY_GATHER = 64 * 1024;

const EMPTY = new Uint8Array(0);

/** The default {@link Allocate}: zeroed memory of its own. */
const allocateZeroed: Allocate = (size) => new Uint8Array(size);

/** Options of a {@link FrameParser}. */
export interface FrameParserOptions {
  /** `true` on the server: every frame must be masked. `false` on the client: none may be. */
  readonly expectMasked: boolean;
  /** The limits to enforce on headers. */
  readonly limits: Limits;
  /** The RSV bits negotiated extensions claim (RSV1 = 4, RSV2 = 2, RSV3 = 1). */
  readonly allowedRsv: number;
  /**
   * Report a binary message that is one frame without RSV bits as one piece (see the file
   * header). Default `false`: every message piece by piece, as its bytes arrive.
   */
  readonly wholeBinaryMessages?: boolean;
  /**
   * Where a whole binary message gathered from several chunks goes; default
   * `new Uint8Array(size)`. See {@link Allocate}: every byte is written before it is reported.
   */
  readonly allocate?: Allocate;
}

/** The incremental frame parser; see the file header for how it works. */
export class FrameParser {
  /** The opcode of the frame being reported (for `data`: the frame's own, 0 for continuations). */
  opcode = 0;
  /** The FIN bit of the frame being reported. */
  fin = false;
  /**
   * The RSV bits of the message the current data frame belongs to (those of its first frame),
   * or of the current control frame (always 0: others fail).
   */
  messageRsv = 0;
  /** Whether the message being reported is binary (`data` steps). */
  binary = false;
  /** The payload piece (`data`) or the whole payload (`control`), unmasked. */
  payload: Uint8Array = EMPTY;
  /** Whether this `data` piece is the first of its frame. */
  frameStarted = false;
  /** Whether this `data` piece is the last of its frame. */
  frameFinished = false;
  /** Whether this `data` piece is the first of its message. */
  messageStarted = false;
  /** The violation, after an `error` step. */
  error: ProtocolError | undefined;

  readonly #queue: ByteQueue;
  readonly #expectMasked: boolean;
  readonly #maxFrameSize: number;
  readonly #maxMessageSize: number;
  readonly #maxFragments: number;
  readonly #allowedRsv: number;
  readonly #wholeBinaryMessages: boolean;
  readonly #allocate: Allocate;

  #state = HEADER;
  /** The current frame's header fields. */
  #fin = false;
  #rsv = 0;
  #opcode = 0;
  #masked = false;
  #length = 0;
  /**
   * The current frame's masking key as a 32-bit number, its first byte most significant: a
   * per-parser `Uint8Array(4)` would cost ≈ 200 bytes (typed array, buffer, backing store) on
   * every idle connection.
   */
  #maskWord = 0;
  /** Payload bytes of the current frame already handed on. */
  #done = 0;
  /** Whether the current frame is reported whole (`wholeBinaryMessages`), and whether its empty first piece is out. */
  #whole = false;
  #announced = false;

  /**
   * A whole-reported frame gathered as its bytes come (see {@link FrameParser.fillRegion}): the
   * array it goes into and how many of its bytes are there; `undefined` while none is.
   */
  #target: Uint8Array | undefined;
  #filled = 0;

  /** Whether a fragmented message is open (a data frame without FIN was seen). */
  #inMessage = false;
  #messageBinary = false;
  #messageRsv = 0;
  /** Wire bytes of the open message so far (its frames' announced lengths). */
  #messageBytes = 0;
  #fragments = 0;
  /** Whether the next data piece is the first of its message. */
  #messageStarting = false;

  constructor(queue: ByteQueue, options: FrameParserOptions) {
    this.#queue = queue;
    this.#expectMasked = options.expectMasked;
    this.#maxFrameSize = options.limits.maxFrameSize;
    this.#maxMessageSize = options.limits.maxMessageSize;
    this.#maxFragments = options.limits.maxFragments;
    this.#allowedRsv = options.allowedRsv;
    this.#wholeBinaryMessages = options.wholeBinaryMessages ?? false;
    this.#allocate = options.allocate ?? allocateZeroed;
  }

  /** Advances over the buffered bytes up to the next thing to report. */
  next(): ParseStep {
    // The state helpers return `needData` for "nothing to report yet, go on": the loop then
    // runs the next state, which returns `needData` for real when its bytes are not there.
    const queue = this.#queue;
    for (;;) {
      switch (this.#state) {
        case HEADER: {
          if (queue.length < 2) return ParseStep.needData;
          const step = this.#header(queue.peek(0), queue.peek(1));
          if (step !== ParseStep.needData) return step;
          break;
        }
        case LENGTH_16: {
          if (queue.length < 2) return ParseStep.needData;
          const length = queue.readUint16();
          // "Note that in all cases, the minimal number of bytes MUST be used to encode the
          // length": a longer form than needed fails (strict; see the README).
          // @see https://www.rfc-editor.org/rfc/rfc6455#section-5.2
          if (length < 126) {
            return this.#fail(
              "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH",
              `payload length ${length} not minimally encoded (16-bit form)`,
            );
          }
          const step = this.#haveLength(length);
          if (step !== ParseStep.needData) return step;
          break;
        }
        case LENGTH_64: {
          if (queue.length < 8) return ParseStep.needData;
          const high = queue.readUint32();
          const low = queue.readUint32();
          // "If 127, the following 8 bytes interpreted as a 64-bit unsigned integer (the most
          // significant bit MUST be 0) are the payload length."
          // @see https://www.rfc-editor.org/rfc/rfc6455#section-5.2
          if (high >= 0x8000_0000) {
            return this.#fail(
              "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH",
              "the most significant bit of a 64-bit payload length is set",
            );
          }
          // Above 2^53 the double is inexact but still larger than any limit, which is all
          // that matters: such a frame fails on maxFrameSize.
          const length = high * TWO_POW_32 + low;
          if (length < 0x1_0000) {
            return this.#fail(
              "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH",
              `payload length ${length} not minimally encoded (64-bit form)`,
            );
          }
          const step = this.#haveLength(length);
          if (step !== ParseStep.needData) return step;
          break;
        }
        case MASK_KEY: {
          if (queue.length < 4) return ParseStep.needData;
          this.#maskWord = queue.readUint32();
          const step = this.#startPayload();
          if (step !== ParseStep.needData) return step;
          break;
        }
        case DATA: {
          if (this.#target !== undefined) return this.#gatherStep(queue, this.#target);
          if (queue.length === 0) return ParseStep.needData;
          if (this.#whole && queue.contiguous < this.#length) return this.#wholeStep(queue);
          const done = this.#done;
          const piece = queue.take(this.#length - done);
          if (this.#masked) applyMaskKey(piece, this.#maskWord, done);
          this.#done = done + piece.length;
          // (A whole-reported frame announced while its bytes arrived may end up here when the
          // first chunk grew to hold it: its first piece was the announcement.)
          return this.#dataStep(piece, done === 0 && !this.#announced, this.#done === this.#length);
        }
        case CONTROL: {
          const length = this.#length;
          if (queue.length < length) return ParseStep.needData;
          const payload = length === 0 ? EMPTY : queue.read(length);
          if (this.#masked && length !== 0) applyMaskKey(payload, this.#maskWord, 0);
          this.#state = HEADER;
          this.opcode = this.#opcode;
          this.fin = true;
          this.messageRsv = 0;
          this.payload = payload;
          return ParseStep.control;
        }
        default:
          return ParseStep.error;
      }
    }
  }

  /** Checks the first two header bytes; consumes them when the frame may go on. */
  #header(b0: number, b1: number): ParseStep {
    const fin = (b0 & 0x80) !== 0;
    const rsv = (b0 >>> 4) & 0x7;
    const opcode = b0 & 0x0f;
    const masked = (b1 & 0x80) !== 0;
    const length7 = b1 & 0x7f;

    if (opcode >= 0x8) {
      // Control frames: close, ping, pong; 0xB–0xF are reserved.
      if (opcode > Opcode.pong) {
        // "If an unknown opcode is received, the receiving endpoint MUST _Fail the WebSocket
        // Connection_." @see https://www.rfc-editor.org/rfc/rfc6455#section-5.2
        return this.#fail("WS_ERR_INVALID_OPCODE", `invalid opcode ${opcode}`);
      }
      // "All control frames MUST have a payload length of 125 bytes or less and MUST NOT be
      // fragmented." @see https://www.rfc-editor.org/rfc/rfc6455#section-5.5
      if (!fin) return this.#fail("WS_ERR_EXPECTED_FIN", "FIN must be set on a control frame");
      if (length7 > 125) {
        return this.#fail(
          "WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH",
          `control frame payload of more than 125 bytes`,
        );
      }
      // Extensions (permessage-deflate included) define RSV bits for data frames only.
      if (rsv !== 0)
        return this.#fail("WS_ERR_UNEXPECTED_RSV", `RSV bits ${rsv} on a control frame`);
    } else {
      if (opcode > Opcode.binary) {
        return this.#fail("WS_ERR_INVALID_OPCODE", `invalid opcode ${opcode}`);
      }
      // "MUST be 0 unless an extension is negotiated that defines meanings for non-zero values.
      // If a nonzero value is received and none of the negotiated extensions defines the meaning
      // of such a nonzero value, the receiving endpoint MUST _Fail the WebSocket Connection_."
      // @see https://www.rfc-editor.org/rfc/rfc6455#section-5.2
      if ((rsv & ~this.#allowedRsv) !== 0) {
        return this.#fail("WS_ERR_UNEXPECTED_RSV", `RSV bits ${rsv} without an extension`);
      }
      if (opcode === Opcode.continuation) {
        if (!this.#inMessage) {
          return this.#fail(
            "WS_ERR_INVALID_CONTINUATION_FRAME",
            "continuation frame without a message to continue",
          );
        }
        // An extension marks a whole message on its first frame (RFC 7692 §6.1: RSV1 on a
        // continuation frame is an error), so RSV bits on a continuation fail.
        if (rsv !== 0) {
          return this.#fail("WS_ERR_UNEXPECTED_RSV", `RSV bits ${rsv} on a continuation frame`);
        }
      } else if (this.#inMessage) {
        // "fragments of one message MUST NOT be interleaved between the fragments of another".
        // @see https://www.rfc-editor.org/rfc/rfc6455#section-5.4
        return this.#fail(
          "WS_ERR_EXPECTED_CONTINUATION",
          "a new message started before the fragmented one finished",
        );
      }
    }
    // "The server MUST close the connection upon receiving a frame that is not masked." /
    // "A client MUST close a connection if it detects a masked frame."
    // @see https://www.rfc-editor.org/rfc/rfc6455#section-5.1
    if (masked !== this.#expectMasked) {
      return masked
        ? this.#fail("WS_ERR_UNEXPECTED_MASK", "a server frame must not be masked")
        : this.#fail("WS_ERR_EXPECTED_MASK", "a client frame must be masked");
    }

    this.#queue.skip(2);
    this.#fin = fin;
    this.#rsv = rsv;
    this.#opcode = opcode;
    this.#masked = masked;
    if (length7 === 126) {
      this.#state = LENGTH_16;
      return ParseStep.needData;
    }
    if (length7 === 127) {
      this.#state = LENGTH_64;
      return ParseStep.needData;
    }
    return this.#haveLength(length7);
  }

  /** The length is known: apply the limits, then read the mask key or start the payload. */
  #haveLength(length: number): ParseStep {
    this.#length = length;
    const opcode = this.#opcode;
    if (opcode < 0x8) {
      if (length > this.#maxFrameSize) {
        return this.#tooBig(this.#maxFrameSize, `frame of ${length} bytes exceeds maxFrameSize`);
      }
      const starting = opcode !== Opcode.continuation;
      const fragments = starting ? 1 : this.#fragments + 1;
      if (fragments > this.#maxFragments) {
        return this.#fail(
          "WS_ERR_TOO_MANY_FRAGMENTS",
          `message in more than ${this.#maxFragments} fragments`,
        );
      }
      const rsv = starting ? this.#rsv : this.#messageRsv;
      const total = (starting ? 0 : this.#messageBytes) + length;
      // A message an extension transforms is checked on its decoded size by the Connection;
      // an untransformed one fails here, before any of its payload is buffered (S2, S12).
      if (rsv === 0 && total > this.#maxMessageSize) {
        return this.#tooBig(
          this.#maxMessageSize,
          `message of at least ${total} bytes exceeds maxMessageSize`,
        );
      }
      this.#fragments = fragments;
      this.#messageBytes = total;
      if (starting) {
        this.#messageBinary = opcode === Opcode.binary;
        this.#messageRsv = rsv;
        this.#messageStarting = true;
      }
      this.#inMessage = !this.#fin;
    }
    if (this.#masked) {
      this.#state = MASK_KEY;
      return ParseStep.needData;
    }
    return this.#startPayload();
  }

  /** The header is complete: go to the payload state; report an empty data frame at once. */
  #startPayload(): ParseStep {
    if (this.#opcode >= 0x8) {
      this.#state = CONTROL;
      return ParseStep.needData;
    }
    if (this.#length === 0) {
      this.#state = HEADER;
      return this.#dataStep(EMPTY, true, true);
    }
    this.#done = 0;
    this.#state = DATA;
    // Only a message that is this one frame: the pieces of a fragmented one are joined by the
    // consumer anyway, so gathering its frames would add an allocation and save no pass.
    this.#whole =
      this.#wholeBinaryMessages &&
      this.#fin &&
      this.#messageStarting &&
      this.#messageBinary &&
      this.#messageRsv === 0;
    this.#announced = false;
    return ParseStep.needData;
  }

  /**
   * A whole-reported frame that does not lie in the first chunk: announce its message once while
   * its bytes are still arriving, then gather it, unmasking chunk by chunk into one array.
   */
  #wholeStep(queue: ByteQueue): ParseStep {
    const length = this.#length;
    if (queue.length < length) return this.#announce();
    return this.#gatherStep(queue, this.#startGather(length));
  }

  /** The empty first piece of a whole-reported frame whose bytes are still arriving, once. */
  #announce(): ParseStep {
    if (this.#announced) return ParseStep.needData;
    this.#announced = true;
    return this.#dataStep(EMPTY, true, false);
  }

  /**
   * Where the transport may write the rest of the frame being gathered, without a copy: the
   * unfilled end of the array a whole-reported frame goes into, or `undefined` when there is no
   * such frame, when bytes wait in the queue (they come first), or when fewer than `minimum`
   * bytes are missing. Bytes written there count once {@link FrameParser.filled} is called;
   * nothing else may be pushed meanwhile.
   *
   * The array is made here, once at least {@link EARLY_GATHER} of the frame's bytes are queued
   * and at least an eighth of it (so a peer that announces a large frame and stalls holds at most
   * eight times what it sent, in memory the kernel has not even mapped yet), and what is queued
   * is unmasked into it at once.
   */
  fillRegion(minimum: number): Uint8Array | undefined {
    if (this.#state !== DATA || !this.#whole) return undefined;
    const queue = this.#queue;
    let target = this.#target;
    if (target === undefined) {
      const queued = queue.length;
      if (queued < EARLY_GATHER || queued * 8 < this.#length) return undefined;
      target = this.#startGather(this.#length);
      this.#gatherQueued(queue, target);
    } else if (queue.length !== 0) {
      return undefined;
    }
    const missing = target.length - this.#filled;
    if (missing < minimum) return undefined;
    return new Uint8Array(target.buffer, target.byteOffset + this.#filled, missing);
  }

  /**
   * `count` bytes were written at the start of the last {@link FrameParser.fillRegion}; the next
   * {@link FrameParser.next} reports the frame once it is complete.
   */
  filled(count: number): void {
    const target = this.#target;
    if (target === undefined || count <= 0) return;
    const at = this.#filled;
    if (count > target.length - at) throw new RangeError("filled past the frame's end");
    if (this.#masked) {
      applyMaskKey(
        new Uint8Array(target.buffer, target.byteOffset + at, count),
        this.#maskWord,
        at,
      );
    }
    this.#filled = at + count;
  }

  /** A whole-reported frame's array, from `allocate` (checked). */
  #startGather(length: number): Uint8Array {
    const target = this.#allocate(length);
    if (!(target instanceof Uint8Array) || target.length !== length) {
      throw new RangeError(`allocate(${length}) must return ${length} bytes`);
    }
    this.#target = target;
    this.#filled = 0;
    return target;
  }

  /** Unmasks (or copies) the queued bytes of the frame being gathered into `target`. */
  #gatherQueued(queue: ByteQueue, target: Uint8Array): void {
    const length = target.length;
    const buffer = target.buffer;
    const base = target.byteOffset;
    let at = this.#filled;
    while (at < length && queue.length > 0) {
      const piece = queue.take(length - at);
      if (this.#masked) {
        // The constructor, not subarray(): half the cost, once per chunk.
        maskCopyKey(piece, this.#maskWord, at, new Uint8Array(buffer, base + at, piece.length));
      } else {
        target.set(piece, at);
      }
      at += piece.length;
    }
    this.#filled = at;
  }

  /** A frame being gathered (see {@link FrameParser.fillRegion}): reported once complete. */
  #gatherStep(queue: ByteQueue, target: Uint8Array): ParseStep {
    if (queue.length > 0) this.#gatherQueued(queue, target);
    if (this.#filled < target.length) return this.#announce();
    this.#target = undefined;
    this.#done = target.length;
    return this.#dataStep(target, !this.#announced, true);
  }

  /** Fills the public fields for a `data` step. */
  #dataStep(piece: Uint8Array, frameStarted: boolean, frameFinished: boolean): ParseStep {
    if (frameFinished) this.#state = HEADER;
    this.opcode = this.#opcode;
    this.fin = this.#fin;
    this.messageRsv = this.#messageRsv;
    this.binary = this.#messageBinary;
    this.payload = piece;
    this.frameStarted = frameStarted;
    this.frameFinished = frameFinished;
    this.messageStarted = this.#messageStarting;
    this.#messageStarting = false;
    return ParseStep.data;
  }

  #tooBig(limit: number, message: string): ParseStep {
    return this.#dead(new MessageTooBigError(limit, `Invalid WebSocket frame: ${message}`));
  }

  #fail(code: ConstructorParameters<typeof ProtocolError>[0], message: string): ParseStep {
    return this.#dead(new ProtocolError(code, `Invalid WebSocket frame: ${message}`));
  }

  #dead(error: ProtocolError): ParseStep {
    this.error = error;
    this.#state = DEAD;
    return ParseStep.error;
  }
}
