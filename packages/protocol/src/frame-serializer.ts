/**
 * Frame serialization (RFC 6455 §5.2): a pure function from opcode, payload and flags to the
 * wire bytes, returned as `[header, payload]` so the driver can hand both to one `writev` without
 * joining them. Modelled on ws `Sender.frame`.
 *
 * The serializer checks the shape of its arguments but not the protocol rules about which frames
 * may be sent when (control payload ≤ 125 bytes, control frames not fragmented, continuation
 * order): those belong to the Connection, and test helpers use this function to build frames
 * that break them on purpose.
 *
 * ```text
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-------+-+-------------+-------------------------------+
 * |F|R|R|R| opcode|M| Payload len |    Extended payload length    |
 * |I|S|S|S|  (4)  |A|     (7)     |             (16/64)           |
 * |N|V|V|V|       |S|             |   (if payload len==126/127)   |
 * | |1|2|3|       |K|             |                               |
 * +-+-+-+-+-------+-+-------------+ - - - - - - - - - - - - - - - +
 * |     Extended payload length continued, if payload len == 127  |
 * + - - - - - - - - - - - - - - - +-------------------------------+
 * |                               |Masking-key, if MASK set to 1  |
 * +-------------------------------+-------------------------------+
 * | Masking-key (continued)       |          Payload Data         |
 * +-------------------------------- - - - - - - - - - - - - - - - +
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-5.2
 */
import { InvalidArgumentError } from "@netsockets/errors";
import { maskIntoKey, maskIntoWords } from "./mask.js";

/**
 * Memory for frames: returns an array of exactly `size` bytes that nobody else uses. Its bytes
 * need not be zeroed (Node drivers pass one backed by `Buffer.allocUnsafeSlow`): the serializer
 * and the assembler write every byte of what they allocate before handing it out.
 */
export type Allocate = (size: number) => Uint8Array;

/** How {@link serializeFrame} builds a frame. */
export interface SerializeFrameOptions {
  /** Whether this is the final fragment of its message (always true for control frames). */
  readonly fin: boolean;
  /** The RSV bits an extension claims: RSV1 = 4, RSV2 = 2, RSV3 = 1. Default 0. */
  readonly rsv?: number;
  /** The 4-byte masking key; clients must pass one, servers must not. */
  readonly maskKey?: Uint8Array;
  /**
   * Where masked copies of more than 4 KiB come from; default `new Uint8Array(size)` (zeroed).
   * See {@link Allocate}.
   */
  readonly allocate?: Allocate;
}

/** 2^16: payloads of this length and above need the 64-bit length form. */
const LENGTH_16_LIMIT = 0x1_0000;
/** 2^32, to split a 53-bit length into two 32-bit halves. */
const TWO_POW_32 = 0x1_0000_0000;

/** Frames (header plus masked copy) up to this many bytes are carved from a shared slab. */
const SLAB_MAX = 4096;
/** Below this many payload bytes a small frame is masked by `maskIntoWords`. */
const WORDS_MAX = 128;
/** The size of one slab. */
const SLAB_SIZE = 16_384;
/** The current slab (created on first use), its buffer, a word view of it, and how much is used. */
let slab = new Uint8Array(0);
let slabBuffer: ArrayBuffer = slab.buffer;
let slabWords: Int32Array = new Int32Array(0);
let slabUsed = SLAB_SIZE;

/** The default {@link Allocate}: zeroed memory of its own. */
const allocateZeroed: Allocate = (size) => new Uint8Array(size);

/** The largest unmasked frame (header included) {@link writeFrame} copies to write it whole. */
const WHOLE_COPY_MAX = 512;

/** The payload part of a frame written whole (see {@link writeFrame}). */
const NO_PAYLOAD = new Uint8Array(0);

/**
 * Reserves `headerLength + payloadLength` bytes (at most `SLAB_MAX`) of the shared 16 KiB slab,
 * placed so that the payload part starts on a 4-byte boundary (the masking then writes whole
 * words), and returns the start of the payload part; the caller makes views with
 * `new Uint8Array(slabBuffer, …)`, which costs half of `subarray()`. Small frames come from a
 * slab, as Node's `Buffer` pool does: a fresh `ArrayBuffer` per header costs far more than its
 * bytes, and an array of 64 bytes or fewer lives on V8's heap, which the driver's `writev` then
 * has to move off it. A slab region is handed out once and never reused, so every byte of it is
 * either zero or written by its frame; the cost is that a retained frame keeps its slab alive.
 */
function reserve(headerLength: number, payloadLength: number): number {
  let payloadStart = (slabUsed + headerLength + 3) & ~3;
  if (payloadStart + payloadLength > SLAB_SIZE) {
    slab = new Uint8Array(SLAB_SIZE);
    slabBuffer = slab.buffer;
    slabWords = new Int32Array(slabBuffer);
    payloadStart = (headerLength + 3) & ~3;
  }
  slabUsed = payloadStart + payloadLength;
  return payloadStart;
}

/**
 * The length of the frame header for a payload of `payloadLength` bytes: 2 bytes, plus 2 or 8
 * for the extended length, plus 4 for the masking key.
 *
 * "The length of the "Payload data", in bytes: if 0-125, that is the payload length. If 126, the
 * following 2 bytes interpreted as a 16-bit unsigned integer are the payload length. If 127, the
 * following 8 bytes interpreted as a 64-bit unsigned integer (the most significant bit MUST be 0)
 * are the payload length."
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-5.2
 */
export function frameHeaderLength(payloadLength: number, masked: boolean): number {
  const extended = payloadLength < 126 ? 0 : payloadLength < LENGTH_16_LIMIT ? 2 : 8;
  return 2 + extended + (masked ? 4 : 0);
}

/**
 * Serializes one frame into its header and its payload, kept apart for `writev`.
 *
 * The length uses the minimal form: "the minimal number of bytes MUST be used to encode the
 * length". When `maskKey` is given the mask bit is set, the key follows the length, and the
 * returned payload is a masked copy: the caller's bytes are never modified. An all-zero key masks
 * nothing, so then the caller's payload itself is returned (the ws zero-mask short-cut; only an
 * injected mask source can produce such a key). Unmasked frames return the caller's payload as is.
 * The header and a masked copy of a frame up to 4 KiB are two adjacent views into a shared slab
 * (see `reserve`), so their `.buffer` holds other frames too: write them, don't transfer or
 * detach that buffer. Larger masked copies come from `options.allocate`.
 *
 * @param opcode - The 4-bit opcode (see `Opcode`); reserved values are allowed for tests.
 * @param payload - The payload, at most 2^53 − 1 bytes.
 * @throws InvalidArgumentError when `payload` is not a `Uint8Array`, `opcode` is not 0–15, `rsv`
 *   not 0–7, or `maskKey` not 4 bytes.
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-5.2
 */
export function serializeFrame(
  opcode: number,
  payload: Uint8Array,
  options: SerializeFrameOptions,
): [header: Uint8Array, payload: Uint8Array] {
  const rsv = options.rsv ?? 0;
  const maskKey = options.maskKey;
  // A number or string here would become a header with a bogus length (ws S1).
  if (!(payload instanceof Uint8Array)) {
    throw new InvalidArgumentError(`payload must be a Uint8Array, got ${typeof payload}`);
  }
  if (!Number.isInteger(opcode) || opcode < 0 || opcode > 0xf) {
    throw new InvalidArgumentError(`opcode must be an integer 0–15, got ${String(opcode)}`);
  }
  if (!Number.isInteger(rsv) || rsv < 0 || rsv > 7) {
    throw new InvalidArgumentError(`rsv must be an integer 0–7, got ${String(rsv)}`);
  }
  if (maskKey !== undefined && maskKey.length !== 4) {
    throw new InvalidArgumentError(`maskKey must be 4 bytes, got ${maskKey.length}`);
  }
  const header = writeFrame(
    (options.fin ? 0x80 : 0) | (rsv << 4) | opcode,
    payload,
    maskKey !== undefined,
    maskKey === undefined
      ? 0
      : ((maskKey[0] as number) << 24) |
          ((maskKey[1] as number) << 16) |
          ((maskKey[2] as number) << 8) |
          (maskKey[3] as number),
    options.allocate ?? allocateZeroed,
  );
  return [header, written.payload];
}

/**
 * The payload part of the frame {@link writeFrame} wrote last: a second return value without
 * an array per frame. Read it right after the call.
 *
 * @internal
 */
export const written: { payload: Uint8Array } = { payload: new Uint8Array(0) };

/**
 * The serializer proper, without argument checks or per-frame objects: returns the frame's
 * header and leaves its payload part (the caller's payload, or a masked copy) in
 * {@link written}. `b0` is the first header byte (FIN, RSV and opcode); `key` the masking key
 * as a 32-bit integer (`key[0] << 24 | … | key[3]`, see `MaskKeyPool.nextKey`) when `masked`.
 *
 * A masked frame of up to 4 KiB (header and masked copy) is one slab region, handed out as two
 * views; a larger masked copy comes from `allocate` and is written completely by the masking.
 *
 * `whole`: a masked frame of up to 4 KiB, or an unmasked one of up to 512 bytes, is returned as
 * ONE view of the slab (header and payload, copied), and {@link written} holds an empty payload.
 * A small frame then leaves as one buffer without the output side joining two (an allocation and
 * a copy per message). Larger unmasked payloads are not copied here: a batch of them is joined
 * once by the output side, or written as they are.
 *
 * @internal
 */
export function writeFrame(
  b0: number,
  payload: Uint8Array,
  masked: boolean,
  key: number,
  allocate: Allocate,
  whole = false,
): Uint8Array {
  const length = payload.length;
  const headerLength = frameHeaderLength(length, masked);
  // A masked copy is needed unless there is nothing to mask: no payload, or an all-zero key.
  const copy = masked && length !== 0 && key !== 0;
  const small =
    headerLength + length <=
    (copy ? SLAB_MAX : whole && length !== 0 ? WHOLE_COPY_MAX : Number.NEGATIVE_INFINITY);
  const payloadStart = reserve(headerLength, small ? length : 0);
  const joined = whole && small;
  const header = new Uint8Array(
    slabBuffer,
    payloadStart - headerLength,
    joined ? headerLength + length : headerLength,
  );
  header[0] = b0;
  let at = 2;
  if (length < 126) {
    header[1] = length;
  } else if (length < LENGTH_16_LIMIT) {
    header[1] = 126;
    header[2] = length >>> 8;
    header[3] = length & 0xff;
    at = 4;
  } else {
    // A Uint8Array never exceeds 2^53 − 1 bytes, so the top bit of the 64-bit length stays 0.
    header[1] = 127;
    const high = Math.floor(length / TWO_POW_32);
    const low = length >>> 0;
    header[2] = high >>> 24;
    header[3] = (high >>> 16) & 0xff;
    header[4] = (high >>> 8) & 0xff;
    header[5] = high & 0xff;
    header[6] = low >>> 24;
    header[7] = (low >>> 16) & 0xff;
    header[8] = (low >>> 8) & 0xff;
    header[9] = low & 0xff;
    at = 10;
  }
  if (masked) {
    header[1] = (header[1] as number) | 0x80;
    header[at] = key >>> 24;
    header[at + 1] = (key >>> 16) & 0xff;
    header[at + 2] = (key >>> 8) & 0xff;
    header[at + 3] = key & 0xff;
  }
  if (joined) {
    if (!copy) slab.set(payload, payloadStart);
    else if (length < WORDS_MAX) maskIntoWords(payload, key, slab, slabWords, payloadStart);
    else maskIntoKey(payload, key, header.subarray(headerLength));
    written.payload = NO_PAYLOAD;
    return header;
  }
  if (!copy) {
    written.payload = payload;
    return header;
  }
  // A fresh array, not payload.slice(): on a Node Buffer that is a view of the caller's bytes.
  if (small) {
    const target = new Uint8Array(slabBuffer, payloadStart, length);
    // The word loop wins below 128 bytes; above, the WASM kernel's copies pay off (measured:
    // 3× faster at 1 KiB).
    if (length < WORDS_MAX) maskIntoWords(payload, key, slab, slabWords, payloadStart);
    else maskIntoKey(payload, key, target);
    written.payload = target;
    return header;
  }
  const target = allocate(length);
  if (!(target instanceof Uint8Array) || target.length !== length) {
    throw new InvalidArgumentError(`allocate(${length}) must return ${length} bytes`);
  }
  maskIntoKey(payload, key, target);
  written.payload = target;
  return header;
}
