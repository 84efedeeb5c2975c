/**
 * The WebSocket connection state machine (RFC 6455 §5–§7), sans-I/O: bytes in, events out;
 * calls in, bytes out. Both roles share it; the role only decides the masking rule.
 *
 * Theory of operation (after python-websockets `protocol.py` and wsproto).
 *
 * The Connection owns no socket, no timer and no clock. The driver pushes what the transport
 * delivers with {@link Connection.receiveData} / {@link Connection.receiveEof}, pulls events
 * with {@link Connection.nextEvents} and wire bytes with {@link Connection.dataToSend}. Parsing
 * happens lazily, inside `nextEvents()`, and stops after every completed data message and every
 * control frame: the rest stays buffered until the driver has dispatched those events and asks
 * again. Whatever the application sends from an event handler therefore enters the output queue
 * before a later close frame or violation in the same TCP chunk is processed — the order a
 * strict peer (Autobahn 3.2–3.4, 4.x, 5.15, 7.1.1) expects. The driver contract:
 *
 * ```text
 *   on transport data:  conn.receiveData(chunk)      (the chunk now belongs to the Connection)
 *   on transport end:   conn.receiveEof()
 *   then, and after every send:
 *     loop:
 *       events = conn.nextEvents()                    dispatch each; handlers may send
 *       write(conn.dataToSend())                      header and payload arrays, for writev
 *       if events is empty:
 *         if conn.receivePending is set: await it, then loop again
 *         else: stop until more data arrives
 *   whenever conn.sendPending is set (check after every send and every batch): await it, then
 *     write(conn.dataToSend()) and look again — the encoded frames and those held behind them —
 *     and run the loop above once (a failed encode closes with 1011: its `close` event comes
 *     out of the next nextEvents())
 *   on a `close` event: write what is left (after `sendPending`, if an encode is still
 *   running); a server ends TCP now; a client ends it when the server has (closeExpected()
 *   tells it to arm a timer for that).
 * ```
 *
 * The two waits are independent: a decode and an encode may be in flight at once (an echo
 * inflates the next message while it deflates the previous answer), and the driver keeps
 * calling `nextEvents()` while only an encode is pending. `pending` is either of them, for
 * drivers that do not overlap.
 *
 * Peer input never throws. A violation the parser finds ({@link ParseStep.error}), a bad UTF-8
 * sequence, a bad close payload or an extension that fails all go through
 * {@link Connection.#failPeer}: it queues a close frame with the violation's close code (taken
 * from the `errorCodes` table of `@netsockets/errors` through `ProtocolError.closeCode`, the one
 * place that maps failures to codes), emits a `close` event carrying the error, and discards
 * all further input. Local misuse throws synchronously: `InvalidStateError` for a send after our
 * close frame, `InvalidArgumentError` for a bad close code, reason or control payload.
 *
 * The closing handshake, both ways:
 *
 * ```text
 *   we close first                            the peer closes first
 *   ──────────────                            ─────────────────────
 *   sendClose(1000)                           ◀── close(1001) ────────
 *     ── close(1000) ──▶       state: closing     close-received {1001}
 *      (data still arrives and is reported)       ── close(1001) ──▶ (echo, queued at once)
 *   ◀── close(1001) ────────                      close {1001, wasClean, closedBy: "remote"}
 *     close-received {1001}                       state: closed; server ends TCP
 *     close {1001, wasClean, closedBy: "local"}
 *     state: closed; server ends TCP, client waits for the server's FIN
 *
 *   a peer violation                          the transport ends first
 *   ────────────────                          ────────────────────────
 *   ◀── bad frame ──────────                  ◀── EOF ─────────────────
 *     ── close(1002) ──▶                        close {1006, wasClean: false,
 *     close {1002, wasClean: false,                    closedBy: "transport" (or "local"
 *            closedBy: "local", error}                  when our close was out)}
 *     state: closed; further input discarded
 * ```
 *
 * Extensions: a message whose first frame carries RSV bits goes through the extension that
 * claims them, piece by piece. `decode` may answer with a Promise; then `nextEvents()` returns
 * what it has, sets {@link Connection.receivePending} and reports nothing more until the promise
 * has settled. UTF-8 validation and `maxMessageSize` apply to the decoded bytes. On the send side
 * an asynchronous `encode` sets {@link Connection.sendPending} and holds every later frame (data
 * or control, including the automatic pong and close echo) back until it is done, so the wire
 * order is the call order whatever the receive side does meanwhile.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-7
 */
import {
  type ErrorCodeOf,
  errorCodes,
  InvalidArgumentError,
  InvalidStateError,
  MessageTooBigError,
  NetSocketsError,
  ProtocolError,
} from "@netsockets/errors";
import { ByteQueue } from "./byte-queue.js";
import { decodeClosePayload, encodeClosePayload } from "./close-payload.js";
import type { CloseEvent, ConnectionEvent, DataEvent, PingEvent, PongEvent } from "./events.js";
import type { Extension } from "./extension.js";
import { FrameParser, ParseStep } from "./frame-parser.js";
import { type Allocate, writeFrame, written } from "./frame-serializer.js";
import { type Limits, resolveLimits } from "./limits.js";
import { MaskKeyPool } from "./mask.js";
import { Opcode } from "./opcode.js";
import { isValidUtf8, Utf8Validator } from "./utf8.js";

/** Options of a {@link Connection}. */
export interface ConnectionOptions {
  /** Which end of the connection this is: it decides the masking rule. */
  readonly role: "client" | "server";
  /** Size limits on what is received; defaults in {@link resolveLimits}. */
  readonly limits?: Partial<Limits>;
  /** The negotiated extensions, in the order of the `Sec-WebSocket-Extensions` response. */
  readonly extensions?: readonly Extension[];
  /**
   * The source of client mask keys (fills its argument with random bytes). Default: a shared
   * pool filled from `globalThis.crypto.getRandomValues`. Inject only for tests and benchmarks.
   */
  readonly randomFill?: (target: Uint8Array) => void;
  /**
   * A whole-buffer UTF-8 check (Node drivers pass `buffer.isUtf8`), used when a text message
   * arrives in one piece, for close reasons, and by the incremental validator for the complete
   * sequences of each piece. Default: the pure-JS `isValidUtf8`.
   */
  readonly validateUtf8?: (bytes: Uint8Array) => boolean;
  /**
   * Where the client's masked copies of payloads over 4 KiB come from (smaller frames share a
   * slab). Default `new Uint8Array(size)`; Node drivers pass an allocator backed by
   * `Buffer.allocUnsafeSlow`, which skips the zero-filling: every byte is written by the masking
   * before the copy is handed out. Must return a fresh array of exactly `size` bytes. With
   * `wholeBinaryMessages` it also provides the arrays binary messages are gathered into.
   */
  readonly allocate?: Allocate;
  /**
   * Where the client's masked copies of payloads over 4 KiB come from, when they should not come
   * from {@link ConnectionOptions.allocate}: a masked copy only ever goes to the wire, never to
   * the application, so a driver that knows when the transport is done with its bytes may hand
   * out recycled memory here (the Node driver does, for plain TCP sockets). Every byte of the
   * array is written before it is handed on. Must return an array of exactly `size` bytes that
   * nothing else uses until the driver releases it. Default: `allocate`.
   */
  readonly allocateMaskCopy?: Allocate;
  /**
   * Report a binary message that arrives as one frame without RSV bits (what browsers and ws
   * send) as one `data` event, for consumers that assemble whole messages anyway (the message
   * socket; a `MessageAssembler` then hands it on without a copy). A frame inside one transport
   * chunk is a view of it; a frame spread over several is gathered, once all its bytes are
   * buffered, into one array from `allocate`, unmasked on the way (one pass instead of an
   * in-place unmask plus the assembler's copy). While its bytes arrive the message is announced
   * by an empty first piece (`messageStarted`), so message timers run. Text, fragmented and
   * extension-transformed messages are reported piece by piece as before. Default `false`: the
   * stream socket passes pieces on without ever buffering a whole frame.
   */
  readonly wholeBinaryMessages?: boolean;
}

/** `open` until a close frame is sent or received, `closing` while we await the peer's, then `closed`. */
export type ConnectionState = "open" | "closing" | "closed";

/** A close frame sent or received. */
export interface CloseFrameInfo {
  /** The status code; `undefined` in a sent frame without one, 1005 for a received one. */
  readonly code: number | undefined;
  readonly reason: string;
}

/** What {@link Connection.closeInfo} reports. */
export interface CloseInfo {
  /** Our close frame, once queued. */
  readonly sent?: { readonly code: number | undefined; readonly reason: string };
  /** The peer's close frame, once received (1005 when it had no code). */
  readonly received?: { readonly code: number; readonly reason: string };
}

const EMPTY = new Uint8Array(0);
const NO_EXTENSIONS: readonly Extension[] = Object.freeze([]);
const textEncoder = new TextEncoder();

/** The mask pool connections share when no `randomFill` is injected (filled lazily). */
let sharedMaskPool: MaskKeyPool | undefined;

function sharedPool(): MaskKeyPool {
  if (sharedMaskPool === undefined) sharedMaskPool = new MaskKeyPool();
  return sharedMaskPool;
}

/** What a {@link Connection} keeps of its options, resolved and checked (see {@link setupOf}). */
interface Setup {
  readonly role: "client" | "server";
  readonly limits: Limits;
  readonly extensions: readonly Extension[];
  /** The extension that encodes outgoing messages (the first one with `encode`). */
  readonly encoder: Extension | undefined;
  readonly maskPool: MaskKeyPool;
  readonly allocate: Allocate;
  readonly allocateMaskCopy: Allocate;
  readonly validateUtf8: (bytes: Uint8Array) => boolean;
  /** The RSV bits the extensions claim: what the parser lets through. */
  readonly allowedRsv: number;
  readonly wholeBinaryMessages: boolean;
}

/** Per role, the last setup without extensions, handed out again while options resolve to it. */
const lastSetups: { client?: Setup; server?: Setup } = {};

/**
 * Resolves and checks `options`. A connection without extensions gets the previous one's setup
 * (frozen) when its options resolve to the same values: a server accepts thousands with the same
 * options, and each would otherwise carry eleven fields for its whole life (88 bytes on 64-bit
 * Node). Extensions are per connection, so a connection with any gets a setup of its own.
 *
 * @throws InvalidArgumentError for a role other than `client` / `server`, or extensions whose
 *   RSV bits are not 0–7 or overlap.
 */
function setupOf(options: ConnectionOptions): Setup {
  const role = options.role;
  if (role !== "client" && role !== "server") {
    throw new InvalidArgumentError(`role must be "client" or "server", got ${String(role)}`);
  }
  const limits = sharedLimits(options.limits);
  // One shared empty list for the usual connection without extensions (it is kept).
  const extensions = options.extensions ?? NO_EXTENSIONS;
  let claimed = 0;
  let encoder: Extension | undefined;
  for (const extension of extensions) {
    const bits = extension.rsvBits;
    if (!Number.isInteger(bits) || bits < 0 || bits > 7 || (bits & claimed) !== 0) {
      throw new InvalidArgumentError(
        `extension ${extension.name} claims RSV bits ${bits}: must be 0–7 and not claimed twice`,
      );
    }
    claimed |= bits;
    if (encoder === undefined && extension.encode !== undefined) encoder = extension;
  }
  const maskPool =
    options.randomFill === undefined ? sharedPool() : new MaskKeyPool(options.randomFill, 1024);
  const validateUtf8 = options.validateUtf8 ?? isValidUtf8;
  const allocate = options.allocate ?? allocateZeroed;
  const allocateMaskCopy = options.allocateMaskCopy ?? allocate;
  const wholeBinaryMessages = options.wholeBinaryMessages === true;
  const shareable = extensions.length === 0;
  const last = lastSetups[role];
  if (
    shareable &&
    last !== undefined &&
    sameLimits(last.limits, limits) &&
    last.maskPool === maskPool &&
    last.validateUtf8 === validateUtf8 &&
    last.allocate === allocate &&
    last.allocateMaskCopy === allocateMaskCopy &&
    last.wholeBinaryMessages === wholeBinaryMessages
  ) {
    return last;
  }
  const setup: Setup = Object.freeze({
    role,
    limits,
    extensions,
    encoder,
    maskPool,
    allocate,
    allocateMaskCopy,
    validateUtf8,
    allowedRsv: claimed,
    wholeBinaryMessages,
  });
  if (shareable) lastSetups[role] = setup;
  return setup;
}

/**
 * The events of one `nextEvents()` call. Its array keeps its capacity from call to call (slots
 * are cleared, the length never shrinks: V8 drops the backing store of an array set to length
 * 0), and {@link EventBatch.take} hands out an exact-size copy.
 */
class EventBatch {
  /** Whether a `nextEvents()` is gathering into this batch right now. */
  busy = false;
  readonly #items: (ConnectionEvent | undefined)[] = [];
  #count = 0;

  push(event: ConnectionEvent): void {
    this.#items[this.#count++] = event;
  }

  /** The events gathered, in a new array of their number; the batch is empty afterwards. */
  take(): ConnectionEvent[] {
    const items = this.#items;
    const count = this.#count;
    if (count === 0) return [];
    const out = (count === 1 ? [items[0]] : items.slice(0, count)) as ConnectionEvent[];
    this.clear();
    return out;
  }

  /** Empties the batch (its slots are cleared so it keeps no event alive). */
  clear(): void {
    const items = this.#items;
    for (let i = 0; i < this.#count; i++) items[i] = undefined;
    this.#count = 0;
  }
}

const sharedBatch = new EventBatch();

// The bits of `Connection.#flags`.
/** The transport ended (`receiveEof()`). */
const EOF = 1;
/** The `close` event is produced; all input is discarded from then on. */
const CLOSED = 1 << 1;
/** Our close frame is in the output (not merely held back behind an encode). */
const CLOSE_WRITTEN = 1 << 2;
/** A settled decode waits to be reported by the next `nextEvents()`, and whether it failed. */
const DECODE_READY = 1 << 3;
const DECODE_FAILED = 1 << 4;
/** The piece a pending decode works on: binary, first of its message, FIN, last of its frame. */
const PIECE_BINARY = 1 << 5;
const PIECE_MESSAGE_STARTED = 1 << 6;
const PIECE_FIN = 1 << 7;
const PIECE_FRAME_FINISHED = 1 << 8;

/** Message kinds of the outgoing side: none open, or the opcode of the open one. */
const NO_MESSAGE = 0;

/** The closing handshake of a {@link Connection}: made by the first close frame either way. */
class ClosingState {
  /** A `close` event produced outside `nextEvents()` (by `fail()`), handed out by the next call. */
  event: CloseEvent | undefined = undefined;
  sent: { code: number | undefined; reason: string } | undefined = undefined;
  received: { code: number; reason: string } | undefined = undefined;
}

/** The extensions' decode and encode state of a {@link Connection}: made when first needed. */
class CodecState {
  decoder: Extension | undefined = undefined;
  decodedSize = 0;
  decodePending: Promise<void> | undefined = undefined;
  decodeResult: unknown = undefined;
  encodePending: Promise<void> | undefined = undefined;
  deferredJobs: (() => void)[] | undefined = undefined;
}

/**
 * One WebSocket connection after the opening handshake. See the file header for the driver
 * contract and the closing handshake.
 */
export class Connection {
  /**
   * What the options resolved to (role, limits, extensions, mask pool, allocators, validator):
   * one field instead of eleven, and one object shared by the connections made with equal
   * options and no extensions (see {@link setupOf}).
   */
  readonly #setup: Setup;
  /**
   * The receive buffer and the frame parser, made by the first bytes received: a connection
   * that never hears from its peer (an idle subscriber) holds neither (≈ 420 bytes each).
   */
  #queue: ByteQueue | undefined;
  #parserValue: FrameParser | undefined;
  /** Made by the first text message (see {@link Connection.#utf8}): idle connections hold none. */
  #utf8Value: Utf8Validator | undefined;

  /**
   * The yes/no state, one bit each (see the flag constants above the class): one field instead
   * of nine booleans, 64 bytes less on every connection.
   */
  #flags = 0;

  /**
   * The closing handshake's state ({@link ClosingState}), made by the first close frame either
   * way (or a failure): an open connection holds one empty field instead of three.
   */
  #closing: ClosingState | undefined;
  /**
   * The extensions' decode and encode state ({@link CodecState}), made the first time it holds
   * anything (a transformed message, a pending encode): a connection without extensions holds
   * one empty field instead of six. The accessors below keep the call sites as plain fields.
   */
  #codec: CodecState | undefined;

  // ── send side ──
  /** Wire bytes not yet handed out; the shared empty array until the first frame. */
  #out: Uint8Array[] = NOTHING_TO_SEND;
  /** The opcode of the outgoing message left open by `fin: false`, or NO_MESSAGE. */
  #outMessage = NO_MESSAGE;
  /** Data frames written into `#out` (see {@link Connection.dataFramesWritten}). */
  #dataFramesWritten = 0;

  constructor(options: ConnectionOptions) {
    this.#setup = setupOf(options);
  }

  /** A `close` event produced outside `nextEvents()` (by `fail()`), handed out by the next call. */
  get #closeEvent(): CloseEvent | undefined {
    return this.#closing?.event;
  }
  set #closeEvent(event: CloseEvent | undefined) {
    if (event !== undefined || this.#closing !== undefined) this.#closingState().event = event;
  }
  /** Our close frame, once sent. */
  get #closeSent(): { code: number | undefined; reason: string } | undefined {
    return this.#closing?.sent;
  }
  set #closeSent(sent: { code: number | undefined; reason: string }) {
    this.#closingState().sent = sent;
  }
  /** The peer's close frame, once received. */
  get #closeReceived(): { code: number; reason: string } | undefined {
    return this.#closing?.received;
  }
  set #closeReceived(received: { code: number; reason: string }) {
    this.#closingState().received = received;
  }
  #closingState(): ClosingState {
    this.#closing ??= new ClosingState();
    return this.#closing;
  }

  // Setters that store a default value (`undefined`, 0) make no CodecState for it.
  /** The extension decoding the current incoming message, if any. */
  get #decoder(): Extension | undefined {
    return this.#codec?.decoder;
  }
  set #decoder(decoder: Extension | undefined) {
    if (decoder !== undefined || this.#codec !== undefined) this.#codecState().decoder = decoder;
  }
  /** The decoded size of the current incoming message so far (transformed messages only). */
  get #decodedSize(): number {
    return this.#codec?.decodedSize ?? 0;
  }
  set #decodedSize(size: number) {
    if (size !== 0 || this.#codec !== undefined) this.#codecState().decodedSize = size;
  }
  /** An asynchronous decode in flight (cleared when it settles). */
  get #decodePending(): Promise<void> | undefined {
    return this.#codec?.decodePending;
  }
  set #decodePending(pending: Promise<void> | undefined) {
    if (pending !== undefined || this.#codec !== undefined) {
      this.#codecState().decodePending = pending;
    }
  }
  /** A settled decode's result, which the next `nextEvents()` reports (see DECODE_READY). */
  get #decodeResult(): unknown {
    return this.#codec?.decodeResult;
  }
  set #decodeResult(result: unknown) {
    if (result !== undefined || this.#codec !== undefined) this.#codecState().decodeResult = result;
  }
  /** An asynchronous encode in flight: later frames wait in `#deferred`. */
  get #encodePending(): Promise<void> | undefined {
    return this.#codec?.encodePending;
  }
  set #encodePending(pending: Promise<void> | undefined) {
    if (pending !== undefined || this.#codec !== undefined) {
      this.#codecState().encodePending = pending;
    }
  }
  #codecState(): CodecState {
    this.#codec ??= new CodecState();
    return this.#codec;
  }

  /** Which end this is. */
  get role(): "client" | "server" {
    return this.#setup.role;
  }

  /** The frame parser, made (with its buffer) by the first bytes received. */
  get #parser(): FrameParser {
    if (this.#parserValue === undefined) this.#makeReceiver();
    return this.#parserValue as FrameParser;
  }

  /** Makes the receive buffer and the parser reading it; returns the buffer. */
  #makeReceiver(): ByteQueue {
    const queue = new ByteQueue();
    this.#queue = queue;
    const setup = this.#setup;
    this.#parserValue = new FrameParser(queue, {
      expectMasked: setup.role === "server",
      limits: setup.limits,
      allowedRsv: setup.allowedRsv,
      wholeBinaryMessages: setup.wholeBinaryMessages,
      allocate: setup.allocate,
    });
    return queue;
  }

  /**
   * The incremental UTF-8 validator of incoming text, made on first use. It hands each piece's
   * complete sequences to the injected whole-buffer validator too (it keeps the fail-fast
   * behaviour), so large pieces go native.
   */
  get #utf8(): Utf8Validator {
    const validate = this.#setup.validateUtf8;
    this.#utf8Value ??= new Utf8Validator(validate === isValidUtf8 ? undefined : validate);
    return this.#utf8Value;
  }

  /** Frames held back behind a pending encode, in call order (an array made on first use). */
  get #deferred(): (() => void)[] {
    const codec = this.#codecState();
    codec.deferredJobs ??= [];
    return codec.deferredJobs;
  }
  set #deferred(jobs: (() => void)[]) {
    if (jobs.length !== 0 || this.#codec !== undefined) this.#codecState().deferredJobs = jobs;
  }

  /** Whether `flag` is set in {@link Connection.#flags}. */
  #has(flag: number): boolean {
    return (this.#flags & flag) !== 0;
  }

  /** Sets or clears `flag` in {@link Connection.#flags}. */
  #put(flag: number, on: boolean): void {
    this.#flags = on ? this.#flags | flag : this.#flags & ~flag;
  }

  /** `open`, `closing` (our close frame is out, the peer's is awaited) or `closed`. */
  get state(): ConnectionState {
    if (this.#has(CLOSED)) return "closed";
    return this.#closeSent === undefined ? "open" : "closing";
  }

  /** The limits in force. */
  get limits(): Limits {
    return this.#setup.limits;
  }

  /** The close frames sent and received so far. */
  get closeInfo(): CloseInfo {
    const sent = this.#closeSent;
    const received = this.#closeReceived;
    if (sent === undefined) return received === undefined ? {} : { received };
    return received === undefined ? { sent } : { sent, received };
  }

  /**
   * Set while an extension decode or encode is pending ({@link Connection.receivePending} or
   * else {@link Connection.sendPending}): await it (it never rejects), then call `nextEvents()`
   * and `dataToSend()` again and look at `pending` once more. For a driver that does not overlap
   * decoding with encoding; the two getters below let it do so.
   */
  get pending(): Promise<void> | undefined {
    return this.#decodePending ?? this.#encodePending;
  }

  /**
   * Set while an extension decode is pending (it never rejects): `nextEvents()` reports nothing
   * until it settles, so the driver awaits it before asking again. Cleared when the connection
   * closes. An encode does not set it: incoming messages keep being decoded and reported while
   * an answer is still being encoded.
   */
  get receivePending(): Promise<void> | undefined {
    return this.#decodePending;
  }

  /**
   * Set while an extension encode is pending (it never rejects): its frame, and every frame
   * queued after it, enter `dataToSend()` only once it settles (in call order). When it
   * settles, the driver flushes `dataToSend()` and looks again (the next held-back send may have
   * started another encode), and calls `nextEvents()`: an encode that failed has closed the
   * connection (1011) and its `close` event is handed out there. It may still be set after the
   * `close` event: the driver flushes those frames before ending TCP.
   */
  get sendPending(): Promise<void> | undefined {
    return this.#encodePending;
  }

  /**
   * The data frames (text, binary, continuation) written to `dataToSend()` so far. Every
   * `sendText`/`sendBinary` that returned writes exactly one, in call order — possibly later,
   * behind a pending encode — unless an encode failure dropped it (the connection then fails
   * with 1011). A driver tells from it when a given send's frame is out (its n-th data send is
   * out once this reaches n) and, once nothing is pending, that a send's frame was dropped.
   */
  get dataFramesWritten(): number {
    return this.#dataFramesWritten;
  }

  /**
   * Buffers bytes from the transport; parsing happens in {@link Connection.nextEvents}. The
   * Connection owns `bytes` from now on (it unmasks them in place and hands out views of them):
   * the caller must not reuse the array. Ignored after the connection closed.
   */
  receiveData(bytes: Uint8Array): void {
    if (this.#has(CLOSED) || this.#has(EOF)) return;
    (this.#queue ?? this.#makeReceiver()).push(bytes);
  }

  /**
   * Where the transport may write its next bytes directly, without a copy: the rest of a whole
   * binary message being gathered (`wholeBinaryMessages`), when at least `minimum` of its bytes
   * are still missing and none are buffered ahead of them; else `undefined`. A transport that
   * reads into caller-given memory (Node's `onread`) then reads straight into the message.
   * Report what was written with {@link Connection.receivedInto} before any other
   * {@link Connection.receiveData}. Parsing still happens in {@link Connection.nextEvents}.
   */
  receiveRegion(minimum: number): Uint8Array | undefined {
    if (this.#has(CLOSED) || this.#has(EOF)) return undefined;
    return this.#parserValue?.fillRegion(minimum);
  }

  /**
   * `count` bytes were written at the start of the region {@link Connection.receiveRegion} gave
   * last (the counterpart of {@link Connection.receiveData}). Ignored after the connection closed.
   */
  receivedInto(count: number): void {
    if (this.#has(CLOSED) || this.#has(EOF)) return;
    this.#parserValue?.filled(count);
  }

  /**
   * The transport ended. Once the bytes already buffered are processed, a connection that saw
   * no close frame reports `close` with 1006.
   *
   * "If _The WebSocket Connection is Closed_ and no Close control frame was received by the
   * endpoint (such as could occur if the underlying transport connection is lost), _The
   * WebSocket Connection Close Code_ is considered to be 1006."
   * @see https://www.rfc-editor.org/rfc/rfc6455#section-7.1.5
   */
  receiveEof(): void {
    this.#flags |= EOF;
  }

  /**
   * Parses buffered bytes and returns the events up to and including the next stopping point:
   * the end of a data message, a control frame, or the close. Returns `[]` when more bytes are
   * needed, while an extension decode is pending (see {@link Connection.receivePending}), and
   * after the close. A pending encode does not stop it. The driver dispatches the events
   * (handlers may send), flushes {@link Connection.dataToSend}, then calls again.
   */
  nextEvents(): ConnectionEvent[] {
    // One module-wide batch gathers the events (an extension's decode that re-entered another
    // connection's nextEvents() would get a batch of its own): an array that grows by push()
    // reserves 17 slots on every call, the batch's copy is exact (one slot, usually).
    const batch = sharedBatch.busy ? new EventBatch() : sharedBatch;
    batch.busy = true;
    try {
      this.#gather(batch);
      return batch.take();
    } finally {
      // After a throw (an allocator that broke its contract) nothing gathered may leak into
      // the next call.
      batch.clear();
      batch.busy = false;
    }
  }

  /** The body of {@link Connection.nextEvents}: adds the events up to the next stopping point. */
  #gather(events: EventBatch): void {
    const closeEvent = this.#closeEvent;
    if (closeEvent !== undefined) {
      this.#closeEvent = undefined;
      events.push(closeEvent);
      return;
    }
    if (this.#has(CLOSED)) return;
    if (this.#decodePending !== undefined) return;
    if (this.#has(DECODE_READY) && this.#finishDecode(events)) return;
    const parser = this.#parserValue;
    if (parser === undefined) {
      // Nothing was ever received.
      if (this.#has(EOF)) this.#closeOnEof(events);
      return;
    }
    for (;;) {
      switch (parser.next()) {
        case ParseStep.needData:
          if (this.#has(EOF)) this.#closeOnEof(events);
          return;
        case ParseStep.data:
          if (this.#onData(events)) return;
          break;
        case ParseStep.control:
          this.#onControl(events);
          return;
        default:
          this.#failPeer(parser.error as ProtocolError, events);
          return;
      }
    }
  }

  /**
   * Drains the wire bytes queued so far: a small frame (a client's up to 4 KiB, a server's up to
   * 512 bytes) as one array (header and a copy of its payload), a larger one as its header and
   * payload apart, for `writev`.
   */
  dataToSend(): Uint8Array[] {
    const out = this.#out;
    if (out.length === 0) return NOTHING_TO_SEND;
    this.#out = NOTHING_TO_SEND;
    return out;
  }

  /**
   * Sends text (a string, or bytes the caller guarantees to be UTF-8). With `fin: false` the
   * message stays open and the next `sendText` continues it.
   *
   * @throws InvalidStateError after our close frame, or while a binary message is open.
   */
  sendText(data: string | Uint8Array, options?: { readonly fin?: boolean }): void {
    const bytes = typeof data === "string" ? textEncoder.encode(data) : data;
    this.#sendData(Opcode.text, bytes, options?.fin ?? true);
  }

  /**
   * Sends binary data. With `fin: false` the message stays open and the next `sendBinary`
   * continues it. The bytes are queued without a copy on the server side: do not change them
   * until `dataToSend()` has returned them and they are written.
   *
   * @throws InvalidStateError after our close frame, or while a text message is open.
   */
  sendBinary(data: Uint8Array, options?: { readonly fin?: boolean }): void {
    this.#sendData(Opcode.binary, data, options?.fin ?? true);
  }

  /**
   * Sends a ping. @throws InvalidArgumentError for more than 125 bytes; InvalidStateError after
   * our close frame.
   */
  sendPing(data: Uint8Array = EMPTY): void {
    this.#sendControl(Opcode.ping, data);
  }

  /** Sends an (unsolicited) pong. Same rules as {@link Connection.sendPing}. */
  sendPong(data: Uint8Array = EMPTY): void {
    this.#sendControl(Opcode.pong, data);
  }

  /**
   * Starts the closing handshake (or answers one the peer started, which the Connection already
   * does by itself). Without a code the close frame is empty.
   *
   * @throws InvalidStateError when our close frame was already sent;
   *   InvalidArgumentError for a code that may not be sent, a reason over 123 UTF-8 bytes, or a
   *   reason without a code.
   */
  sendClose(code?: number, reason?: string): void {
    this.#assertCanSend();
    const payload = encodeClosePayload(code, reason);
    this.#closeSent = { code, reason: code === undefined ? "" : (reason ?? "") };
    this.#queueFrame(Opcode.close, payload, true, 0);
  }

  /**
   * Fails the connection for a local reason: queues a close frame with `code` (unless ours is
   * already out), produces a `close` event (`wasClean: false`, `closedBy: "local"`) for the next
   * `nextEvents()`, and discards all further input. `code` 1006 sends nothing (an abort: the
   * driver drops the transport). Does nothing once the connection is closed.
   *
   * @throws InvalidArgumentError for a code that may not be sent (other than 1006) or a bad reason.
   */
  fail(code: number, reason = ""): void {
    if (this.#has(CLOSED)) return;
    const payload = code === 1006 ? undefined : encodeClosePayload(code, reason);
    if (payload !== undefined && !this.#has(CLOSE_WRITTEN)) {
      this.#closeSent = { code, reason };
      this.#writeCloseNow(payload);
    }
    this.#closeEvent = closeEvent(code, reason, false, "local", undefined);
    this.#close();
  }

  /**
   * Whether we sent a close frame and now expect the peer to end the connection: the driver arms
   * its close timer (a client also waits for the server to end TCP after the handshake).
   */
  closeExpected(): boolean {
    return this.#closeSent !== undefined && !this.#has(EOF);
  }

  // ─────────────────────────────── receiving ───────────────────────────────

  /** A piece of a data frame arrived. Returns true at a stopping point. */
  #onData(events: EventBatch): boolean {
    const parser = this.#parser;
    const messageStarted = parser.messageStarted;
    if (messageStarted) {
      this.#decodedSize = 0;
      const rsv = parser.messageRsv;
      if (rsv === 0) {
        this.#decoder = undefined;
      } else {
        const decoder = this.#extensionFor(rsv);
        if (decoder === undefined) {
          return this.#failPeer(
            new ProtocolError(
              "WS_ERR_UNEXPECTED_RSV",
              `Invalid WebSocket frame: RSV bits ${rsv} belong to more than one extension`,
            ),
            events,
          );
        }
        this.#decoder = decoder;
      }
    }
    const decoder = this.#decoder;
    const payload = parser.payload;
    if (decoder === undefined) {
      return this.#deliver(
        payload,
        parser.binary,
        messageStarted,
        parser.fin,
        parser.frameFinished,
        events,
      );
    }
    const messageFinished = parser.fin && parser.frameFinished;
    if (payload.length === 0 && !messageFinished && !messageStarted) return false;
    let result: Uint8Array | Promise<Uint8Array>;
    try {
      // The extension is foreign code whose contract is "throw or reject to fail": catching
      // here turns its failure into a close, as for any peer violation.
      result = decoder.decode(payload, {
        rsv: parser.messageRsv,
        fin: messageFinished,
        binary: parser.binary,
      });
    } catch (error) {
      return this.#failPeer(extensionError(error), events);
    }
    if (result instanceof Uint8Array) {
      return this.#deliver(
        result,
        parser.binary,
        messageStarted,
        parser.fin,
        parser.frameFinished,
        events,
      );
    }
    this.#put(PIECE_BINARY, parser.binary);
    this.#put(PIECE_MESSAGE_STARTED, messageStarted);
    this.#put(PIECE_FIN, parser.fin);
    this.#put(PIECE_FRAME_FINISHED, parser.frameFinished);
    // `pending` is cleared as soon as the decode settles, so a driver that awaits it and checks
    // `pending` again before calling `nextEvents()` moves on.
    const pending: Promise<void> = Promise.resolve(result).then(
      (bytes) => this.#decodeSettled(pending, bytes, false),
      (error: unknown) => this.#decodeSettled(pending, error, true),
    );
    this.#decodePending = pending;
    return true;
  }

  #decodeSettled(pending: Promise<void>, result: unknown, failed: boolean): void {
    if (this.#decodePending !== pending) return; // the connection closed meanwhile
    this.#decodePending = undefined;
    this.#decodeResult = result;
    this.#put(DECODE_FAILED, failed);
    this.#flags |= DECODE_READY;
  }

  /** A pending decode settled: report its piece. Returns true at a stopping point. */
  #finishDecode(events: EventBatch): boolean {
    this.#flags &= ~DECODE_READY;
    const result = this.#decodeResult;
    this.#decodeResult = undefined;
    if (this.#has(DECODE_FAILED)) return this.#failPeer(extensionError(result), events);
    if (!(result instanceof Uint8Array)) {
      return this.#failPeer(extensionError(new TypeError("decode did not give bytes")), events);
    }
    return this.#deliver(
      result,
      this.#has(PIECE_BINARY),
      this.#has(PIECE_MESSAGE_STARTED),
      this.#has(PIECE_FIN),
      this.#has(PIECE_FRAME_FINISHED),
      events,
    );
  }

  /**
   * Checks a piece of (decoded) message data and reports it. Returns true at a stopping point:
   * the message finished, or the connection failed.
   */
  #deliver(
    data: Uint8Array,
    binary: boolean,
    messageStarted: boolean,
    fin: boolean,
    frameFinished: boolean,
    events: EventBatch,
  ): boolean {
    const messageFinished = fin && frameFinished;
    if (this.#decoder !== undefined) {
      // Untransformed messages were checked on their headers by the parser; transformed ones
      // are checked here, on what the extension produced (S8).
      const size = this.#decodedSize + data.length;
      this.#decodedSize = size;
      if (size > this.#setup.limits.maxMessageSize) {
        return this.#failPeer(
          new MessageTooBigError(
            this.#setup.limits.maxMessageSize,
            `Invalid WebSocket frame: decoded message exceeds maxMessageSize (${this.#setup.limits.maxMessageSize} bytes)`,
          ),
          events,
        );
      }
    }
    if (!binary) {
      // "When an endpoint is to interpret a byte stream as UTF-8 but finds that the byte stream
      // is not, in fact, a valid UTF-8 stream, that endpoint MUST _Fail the WebSocket
      // Connection_." Checked piece by piece so the failure comes with the piece that holds
      // the bad bytes, not at the end of the message.
      // @see https://www.rfc-editor.org/rfc/rfc6455#section-8.1
      let valid: boolean;
      if (messageStarted && messageFinished) {
        valid = this.#setup.validateUtf8(data);
      } else {
        const utf8 = this.#utf8;
        if (messageStarted) utf8.reset();
        valid = utf8.push(data) && (!messageFinished || utf8.finish());
      }
      if (!valid) {
        return this.#failPeer(
          new ProtocolError(
            "WS_ERR_INVALID_UTF8",
            "Invalid WebSocket frame: invalid UTF-8 sequence in a text message",
          ),
          events,
        );
      }
    }
    // Empty pieces in the middle of a message carry nothing: they are not reported.
    if (data.length !== 0 || messageStarted || messageFinished) {
      const event: DataEvent = {
        type: "data",
        binary,
        data,
        messageStarted,
        fin,
        frameFinished,
        messageFinished,
      };
      events.push(event);
    }
    return messageFinished;
  }

  /** A whole control frame arrived. */
  #onControl(events: EventBatch): void {
    const parser = this.#parser;
    const payload = parser.payload;
    if (parser.opcode === Opcode.ping) {
      // "Upon receipt of a Ping frame, an endpoint MUST send a Pong frame in response, unless
      // it already received a Close frame." (Nor after our own close: nothing may follow it.)
      // @see https://www.rfc-editor.org/rfc/rfc6455#section-5.5.2
      if (this.#closeSent === undefined) this.#queueFrame(Opcode.pong, payload, true, 0);
      const event: PingEvent = { type: "ping", data: payload };
      events.push(event);
      return;
    }
    if (parser.opcode === Opcode.pong) {
      // "A Pong frame MAY be sent unsolicited. … A response to an unsolicited Pong frame is not
      // expected." @see https://www.rfc-editor.org/rfc/rfc6455#section-5.5.3
      const event: PongEvent = { type: "pong", data: payload };
      events.push(event);
      return;
    }
    const decoded = decodeClosePayload(payload, this.#setup.validateUtf8);
    if (!decoded.ok) {
      this.#failPeer(decoded.error, events);
      return;
    }
    const { code, reason } = decoded;
    this.#closeReceived = { code, reason };
    events.push({ type: "close-received", code, reason });
    const weStarted = this.#closeSent !== undefined;
    if (!weStarted) {
      // "If an endpoint receives a Close frame and did not previously send a Close frame, the
      // endpoint MUST send a Close frame in response. … it typically echos the status code it
      // received." A frame without a code is answered by one without a code (1005 is never sent).
      // @see https://www.rfc-editor.org/rfc/rfc6455#section-5.5.1
      const echo = code === 1005 ? undefined : code;
      this.#closeSent = { code: echo, reason: "" };
      this.#queueFrame(Opcode.close, echo === undefined ? EMPTY : codeBytes(echo), true, 0);
    }
    // "After both sending and receiving a Close message, an endpoint considers the WebSocket
    // connection closed" — and no data is processed after the peer's close frame.
    // @see https://www.rfc-editor.org/rfc/rfc6455#section-1.4
    events.push(closeEvent(code, reason, true, weStarted ? "local" : "remote", undefined));
    this.#close();
  }

  /** Which extension decodes a message marked with `rsv`: the one that claims all its bits. */
  #extensionFor(rsv: number): Extension | undefined {
    for (const extension of this.#setup.extensions) {
      if ((rsv & ~extension.rsvBits) === 0) return extension;
    }
    return undefined;
  }

  /**
   * The peer broke the protocol: "_Fail the WebSocket Connection_" — send our close frame with
   * the violation's code (unless ours is already out), report `close`, and process nothing
   * more. "An endpoint MUST NOT continue to attempt to process data (including a responding
   * Close frame) from the remote endpoint after being instructed to _Fail the WebSocket
   * Connection_." Returns true (a stopping point) for the callers' convenience.
   * @see https://www.rfc-editor.org/rfc/rfc6455#section-7.1.7
   */
  #failPeer(error: ProtocolError, events: EventBatch): true {
    const code = error.closeCode;
    if (!this.#has(CLOSE_WRITTEN)) {
      this.#closeSent = { code, reason: "" };
      this.#writeCloseNow(codeBytes(code));
    }
    events.push(closeEvent(code, "", false, "local", error));
    this.#close();
    return true;
  }

  /** EOF with no close frame received. */
  #closeOnEof(events: EventBatch): void {
    const closedBy = this.#closeSent === undefined ? "transport" : "local";
    events.push(closeEvent(1006, "", false, closedBy, undefined));
    this.#close();
  }

  /** Enters `closed`: input is discarded from now on. */
  #close(): void {
    this.#flags |= CLOSED;
    this.#queue?.clear();
    this.#decodePending = undefined;
    this.#flags &= ~DECODE_READY;
    this.#decodeResult = undefined;
  }

  // ─────────────────────────────── sending ───────────────────────────────

  #assertCanSend(): void {
    if (this.#closeSent !== undefined || this.#has(CLOSED)) {
      throw new InvalidStateError("cannot send after the close frame was sent");
    }
  }

  #sendData(kind: number, payload: Uint8Array, fin: boolean): void {
    this.#assertCanSend();
    if (!(payload instanceof Uint8Array)) {
      throw new InvalidArgumentError("data must be a string (text) or a Uint8Array");
    }
    const open = this.#outMessage;
    if (open !== NO_MESSAGE && open !== kind) {
      throw new InvalidStateError(
        `cannot send ${kind === Opcode.text ? "text" : "binary"} data while a ${open === Opcode.text ? "text" : "binary"} message is open`,
      );
    }
    const first = open === NO_MESSAGE;
    this.#outMessage = fin ? NO_MESSAGE : kind;
    const opcode = first ? kind : Opcode.continuation;
    const encoder = this.#setup.encoder;
    if (encoder === undefined) {
      this.#queueFrame(opcode, payload, fin, 0);
      return;
    }
    const job = () => this.#encodeFrame(encoder, opcode, payload, fin, first);
    if (this.#encodePending === undefined) job();
    else this.#deferred.push(job);
  }

  #sendControl(opcode: number, payload: Uint8Array): void {
    this.#assertCanSend();
    if (!(payload instanceof Uint8Array)) {
      throw new InvalidArgumentError("a control payload must be a Uint8Array");
    }
    // "All control frames MUST have a payload length of 125 bytes or less".
    // @see https://www.rfc-editor.org/rfc/rfc6455#section-5.5
    if (payload.length > 125) {
      throw new InvalidArgumentError(
        `a control frame payload takes at most 125 bytes, got ${payload.length}`,
      );
    }
    this.#queueFrame(opcode, payload, true, 0);
  }

  /** Queues a frame in call order: behind a pending encode, if there is one. */
  #queueFrame(opcode: number, payload: Uint8Array, fin: boolean, rsv: number): void {
    if (this.#encodePending === undefined) this.#writeFrame(opcode, payload, fin, rsv);
    else this.#deferred.push(() => this.#writeFrame(opcode, payload, fin, rsv));
  }

  /**
   * Writes a close frame at once, dropping the frames a pending encode holds back (and that
   * encode's result): the connection fails, nothing else will be sent.
   */
  #writeCloseNow(payload: Uint8Array): void {
    this.#deferred = [];
    this.#encodePending = undefined;
    this.#writeFrame(Opcode.close, payload, true, 0);
  }

  /**
   * Serializes a frame into the output queue: straight onto it, with the mask key as a number,
   * so a send allocates nothing but the frame's views (the arguments were checked already).
   */
  #writeFrame(opcode: number, payload: Uint8Array, fin: boolean, rsv: number): void {
    const setup = this.#setup;
    const client = setup.role === "client";
    const header = writeFrame(
      (fin ? 0x80 : 0) | (rsv << 4) | opcode,
      payload,
      client,
      client ? setup.maskPool.nextKey() : 0,
      setup.allocateMaskCopy,
      true,
    );
    const body = written.payload;
    const out = this.#out;
    if (out.length === 0) {
      // An array of the exact size: the common case of one frame per flush allocates no spare
      // capacity (a push onto [] reserves 17 slots).
      this.#out = body.length === 0 ? [header] : [header, body];
    } else {
      out.push(header);
      if (body.length !== 0) out.push(body);
    }
    if (opcode === Opcode.close) this.#flags |= CLOSE_WRITTEN;
    else if (opcode <= Opcode.binary) this.#dataFramesWritten++;
  }

  /** Runs the extension's encode on an outgoing piece; frames it now or when it settles. */
  #encodeFrame(
    encoder: Extension,
    opcode: number,
    payload: Uint8Array,
    fin: boolean,
    first: boolean,
  ): void {
    const encode = encoder.encode as NonNullable<Extension["encode"]>;
    let result: ReturnType<typeof encode>;
    try {
      result = encode.call(encoder, payload, { fin, binary: opcode === Opcode.binary, first });
    } catch (error) {
      this.#failEncode(error);
      return;
    }
    if (!isThenable(result)) {
      this.#writeEncoded(result, opcode, fin, first);
      return;
    }
    const pending: Promise<void> = Promise.resolve(result).then(
      (encoded) => {
        if (this.#encodePending !== pending) return; // the connection failed meanwhile
        this.#encodePending = undefined;
        this.#writeEncoded(encoded, opcode, fin, first);
        this.#runDeferred();
      },
      (error: unknown) => {
        if (this.#encodePending !== pending) return;
        this.#encodePending = undefined;
        this.#failEncode(error);
      },
    );
    this.#encodePending = pending;
  }

  /** Runs held-back frames in order until one of them starts another asynchronous encode. */
  #runDeferred(): void {
    const jobs = this.#deferred;
    let i = 0;
    while (i < jobs.length && this.#encodePending === undefined) {
      const job = jobs[i++] as () => void;
      job();
    }
    // Whatever a job queued behind a new pending encode went onto this same array.
    this.#deferred = jobs.slice(i);
  }

  #writeEncoded(
    encoded: { data: Uint8Array; rsv: number },
    opcode: number,
    fin: boolean,
    first: boolean,
  ): void {
    if (
      typeof encoded !== "object" ||
      encoded === null ||
      !(encoded.data instanceof Uint8Array) ||
      !Number.isInteger(encoded.rsv) ||
      (encoded.rsv & ~7) !== 0
    ) {
      this.#failEncode(new TypeError("encode did not give { data, rsv }"));
      return;
    }
    // The RSV bits mark a message on its first frame only.
    this.#writeFrame(opcode, encoded.data, fin, first ? encoded.rsv : 0);
  }

  /** A local extension failed to encode: close with 1011 (internal error). */
  #failEncode(_error: unknown): void {
    this.#deferred = [];
    this.#encodePending = undefined;
    if (!this.#has(CLOSED)) {
      this.fail(1011, "");
    } else if (!this.#has(CLOSE_WRITTEN)) {
      // Closed already, but our close frame was held back behind this encode.
      this.#closeSent = { code: 1011, reason: "" };
      this.#writeFrame(Opcode.close, codeBytes(1011), true, 0);
    }
  }
}

/** The default allocator: zeroed memory of its own. */
const allocateZeroed: Allocate = (size) => new Uint8Array(size);

/** What `dataToSend()` returns when there is nothing: shared, so frozen. */
const NOTHING_TO_SEND = Object.freeze([]) as unknown as Uint8Array[];

/** The two bytes of a close code. */
function codeBytes(code: number): Uint8Array {
  const bytes = new Uint8Array(2);
  bytes[0] = code >>> 8;
  bytes[1] = code & 0xff;
  return bytes;
}

/** Builds a `close` event (always the same shape). */
function closeEvent(
  code: number,
  reason: string,
  wasClean: boolean,
  closedBy: CloseEvent["closedBy"],
  error: ProtocolError | undefined,
): CloseEvent {
  return error === undefined
    ? { type: "close", code, reason, wasClean, closedBy }
    : { type: "close", code, reason, wasClean, closedBy, error };
}

/**
 * What an extension's failure to decode becomes: its own `ProtocolError` (and close code) when
 * it threw one, else WS_ERR_EXTENSION_FAILED (1002) with the failure as the cause.
 */
function extensionError(error: unknown): ProtocolError {
  if (error instanceof ProtocolError) return error;
  // A ProtocolError from another copy of @netsockets/errors: keep its code (and so its close code).
  if (NetSocketsError.isInstance(error) && isProtocolErrorCode(error.code)) {
    return new ProtocolError(error.code, error.message, { cause: error });
  }
  return new ProtocolError(
    "WS_ERR_EXTENSION_FAILED",
    "Invalid WebSocket frame: the extension could not decode a message",
    { cause: error },
  );
}

function isProtocolErrorCode(code: string): code is ErrorCodeOf<"ProtocolError"> {
  const row = (errorCodes as Record<string, { readonly class: string } | undefined>)[code];
  return row !== undefined && row.class === "ProtocolError";
}

function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { then?: unknown }).then === "function"
  );
}

let lastLimits: Limits | undefined;

/** Whether two resolved limits are equal. */
function sameLimits(a: Limits, b: Limits): boolean {
  return (
    a === b ||
    (a.maxMessageSize === b.maxMessageSize &&
      a.maxFrameSize === b.maxFrameSize &&
      a.maxFragments === b.maxFragments)
  );
}

/**
 * The resolved, checked limits for `limits`, frozen and shared with the previous Connection when
 * equal (a server makes thousands with the same ones; each keeps its limits for its lifetime).
 */
function sharedLimits(limits: Partial<Limits> | undefined): Limits {
  const resolved = resolveLimits(limits);
  const last = lastLimits;
  if (last !== undefined && sameLimits(last, resolved)) return last;
  lastLimits = Object.freeze(checkLimits(resolved));
  return lastLimits;
}

/** Refuses limits that are not non-negative integers (local misuse). */
function checkLimits(limits: Limits): Limits {
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new InvalidArgumentError(
        `${name} must be a non-negative integer, got ${String(value)}`,
      );
    }
  }
  return limits;
}
