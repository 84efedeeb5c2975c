import type { Socket } from "node:net";
import {
  ConnectionClosedError,
  InvalidStateError,
  type NetSocketsError,
  TimeoutError,
  WebErrorStatus,
  WebSocketError,
} from "@netsockets/errors";
import type { CloseEvent, ConnectionEvent, Extension } from "@netsockets/protocol";
import { type BandwidthStatistics, bandwidthStatistics } from "../winrt/bandwidth-statistics.js";
import { reportListenerError } from "../winrt/event-target.js";
import { BandwidthMeter, type Clock } from "./bandwidth-meter.js";
import type {
  DriverCloseInfo,
  DriverConnection,
  DriverHandler,
  DriverOptions,
} from "./driver-types.js";
import { Keepalive, keepaliveWanted } from "./keepalive.js";
import { releasesWrittenChunks } from "./mask-copy-arena.js";
import { maskCopyArena } from "./node-connection-options.js";
import { OutputQueue } from "./output-queue.js";
import { onSocketBytes, type SocketFiller } from "./socket-reads.js";
import { Timer } from "./timer.js";

/** Default close-handshake timeout: the reference's 30 s send/receive timeout (uwp-api.md §17.1). */
export const DEFAULT_CLOSE_TIMEOUT_MS = 30_000;
/** Default send-stall timeout (uwp-api.md §17.1). */
export const DEFAULT_SEND_TIMEOUT_MS = 30_000;
/** Default message-stall timeout (uwp-api.md §17.1). */
export const DEFAULT_MESSAGE_TIMEOUT_MS = 30_000;
/** Default `outboundBufferSizeInBytes`. */
export const DEFAULT_OUTBOUND_BUFFER_SIZE = 64 * 1024;

/** The lifecycle of a driver: `open`, `closing` (a close frame was sent or received), `closed`. */
export type DriverState = "open" | "closing" | "closed";

/** The driver of a socket, stored on it so the socket's listeners can be shared functions. */
const kDriver = Symbol("netsockets.driver");
type DriverSocket = Socket & { [kDriver]: Driver };
const NO_EXTENSIONS: readonly Extension[] = Object.freeze([]);
/** A direct socket reads straight into a message being gathered when this much of it is missing. */
const MIN_FILL_REGION = 16 * 1024;
/** Schedules the driver's own microtasks (see the constructor). */
const RESOLVED: Promise<void> = Promise.resolve();

// The bits of `Driver.#flags`.
/** `done` has resolved (or would resolve at once). */
const IS_DONE = 1;
/** Reading is paused by `pause()`. */
const PAUSED = 1 << 1;
/** A pump is running (it is not re-entered). */
const PUMPING = 1 << 2;
/** A watcher on a pending decode is armed: the pump goes on when it settles. */
const AWAITING_PENDING = 1 << 3;
/** A watcher on `connection.sendPending` is armed (see `Driver.#collect`). */
const WATCHING_SEND = 1 << 4;
/** A data message is open (between its first and last piece: the message timer's span). */
const IN_MESSAGE = 1 << 5;
/** The output went above its high-water mark: `onDrain` follows when it falls back. */
const ABOVE_HIGH_WATER = 1 << 6;
/** `close()` was called. */
const CLOSE_REQUESTED = 1 << 7;
/** The peer ended its side of TCP (EOF seen). */
const PEER_ENDED = 1 << 8;
/** The one terminal callback ran. */
const TERMINAL = 1 << 9;
/** The driver has let go: timers cleared, output abandoned, waiting encodes rejected. */
const FINALIZED = 1 << 10;

/** A send whose frame an extension has not produced yet (see `Driver.#send`). */
interface EncodeWaiter {
  /** The number of data frames the Connection must have written for this send's to be out. */
  readonly ticket: number;
  readonly resolve: (written: Promise<void>) => void;
  readonly reject: (error: unknown) => void;
}

let onSocketData: (this: Socket, chunk: Buffer) => void;
/** Reads straight into a message being gathered, for a socket that reads directly. */
let socketFiller: SocketFiller;
let onSocketEnd: (this: Socket) => void;
let onSocketError: (this: Socket, error: Error) => void;
let onSocketClose: (this: Socket) => void;

/** What a {@link Driver} keeps of its options (see {@link setupOf}). */
interface DriverSetup {
  readonly closeTimeoutMs: number;
  readonly sendTimeoutMs: number;
  readonly messageTimeoutMs: number;
  readonly highWaterMark: number;
  readonly clock: Clock | undefined;
  readonly onDone: ((driver: Driver) => void) | undefined;
  /** The Connection's extensions, released (`close()`) once the connection has ended. */
  readonly extensions: readonly Extension[];
}

/** The last setup without extensions, handed out again while options resolve to it. */
let lastSetup: DriverSetup | undefined;

/**
 * What `options` resolve to. A driver without extensions gets the previous one's setup (frozen)
 * when equal: a server's drivers share one (its `onDone` is one function for all), where each
 * would carry seven fields for its whole life (56 bytes on 64-bit Node).
 */
function setupOf(options: DriverOptions): DriverSetup {
  const closeTimeoutMs = options.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS;
  const sendTimeoutMs = options.sendTimeoutMs ?? DEFAULT_SEND_TIMEOUT_MS;
  const messageTimeoutMs = options.messageTimeoutMs ?? DEFAULT_MESSAGE_TIMEOUT_MS;
  const highWaterMark = options.outboundBufferSizeInBytes ?? DEFAULT_OUTBOUND_BUFFER_SIZE;
  const extensions = options.extensions ?? NO_EXTENSIONS;
  const { clock, onDone } = options;
  const shareable = extensions.length === 0;
  const last = lastSetup;
  if (
    shareable &&
    last !== undefined &&
    last.closeTimeoutMs === closeTimeoutMs &&
    last.sendTimeoutMs === sendTimeoutMs &&
    last.messageTimeoutMs === messageTimeoutMs &&
    last.highWaterMark === highWaterMark &&
    last.clock === clock &&
    last.onDone === onDone
  ) {
    return last;
  }
  const setup: DriverSetup = Object.freeze({
    closeTimeoutMs,
    sendTimeoutMs,
    messageTimeoutMs,
    highWaterMark,
    clock,
    onDone,
    extensions,
  });
  if (shareable) lastSetup = setup;
  return setup;
}

/** A driver's bandwidth meters, each made with the first byte its way (see `Driver#meters`). */
class DriverMeters {
  in: BandwidthMeter | undefined = undefined;
  out: BandwidthMeter | undefined = undefined;
}

/** A driver's timers (see {@link Driver}'s `#timers`). */
class DriverTimers {
  close: Timer | undefined = undefined;
  send: Timer | undefined = undefined;
  message: Timer | undefined = undefined;
}

/** How a driver ends (see {@link Driver}'s `#ending`). */
class DriverEnding {
  done: Promise<void> | undefined = undefined;
  resolveDone: (() => void) | undefined = undefined;
  endError: NetSocketsError | undefined = undefined;
  closeInfo: DriverCloseInfo | undefined = undefined;
  socketError: Error | undefined = undefined;
}

/**
 * Pumps a protocol `Connection` over a `net.Socket` / `tls.TLSSocket` — the one engine under both
 * socket kinds, both roles (see {@link createDriver}).
 *
 * Theory of operation:
 *
 * ```
 *   socket 'data' ─▶ connection.receiveData ─▶ pump: loop {
 *                                                 events = connection.nextEvents()   (stop when [] / paused / receivePending)
 *                                                 dispatch events to the handler, synchronously, in order
 *                                                 flush connection.dataToSend() into the output queue
 *                                               }
 *   send*() ─▶ connection.send* ─▶ output queue ─▶ one write per tick (or per dispatched read) ─▶ promise at the kernel
 *   connection.sendPending settles ─▶ flush connection.dataToSend(), pump once, watch the next encode
 * ```
 *
 * Extension work on the two directions overlaps: the pump waits only for a pending decode
 * (`receivePending`), never for an encode, so an echo decodes the next message while the answer
 * to the previous one is still being encoded (the Connection keeps the encoded frames in call
 * order by itself). Each flush that leaves an encode pending arms one watcher on `sendPending`
 * that flushes again when it settles (and pumps: a failed encode's `close` event is waiting).
 *
 * Closing (RFC 6455 §7): `close()` sends our close frame and arms the close timer; the peer's
 * answer completes the handshake (`onClose`, clean). Then the server ends TCP first and the client
 * waits for that FIN (bounded by the close timeout) before ending its side: "The underlying TCP
 * connection, in most normal cases, SHOULD be closed first by the server", and "the client SHOULD
 * wait for the server to close the connection but MAY close the connection at any time after
 * sending and receiving a Close message, e.g., if it has not received a TCP Close from the server
 * in a reasonable time period" (§7.1.1). EOF or a reset without a close frame is an abrupt loss:
 * no close, `onError` with `connectionAborted` / `connectionReset`.
 *
 * Per-connection memory (an idle server holds thousands): what an idle connection never uses is
 * made on first use — the output queue on the first bytes to send, each timer on its first arm
 * (then kept and re-armed with `refresh()`), the keepalive only when it is on, the bandwidth
 * meters on the first byte each way, `done` on first read — and the socket's four listeners are
 * shared functions that find the driver on the socket.
 *
 * Send promises with an asynchronous extension (permessage-deflate): the Connection writes data
 * frames in call order, holding later ones behind a pending encode, and counts the data frames it
 * wrote (`dataFramesWritten`). The n-th data send is out of the Connection once that count reaches
 * n; only then does its promise wait for the kernel. An encode that fails closes the connection
 * (1011) and drops every frame behind it: those sends reject with the error of that close.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-7.1.1
 */
export class Driver {
  readonly #socket: Socket;
  readonly #connection: DriverConnection;
  readonly #handler: DriverHandler;
  /** Made on first use ({@link Driver.#out}). */
  #output: OutputQueue | undefined;
  /**
   * The options' numbers and callbacks (timeouts, high-water mark, clock, `onDone`, extensions):
   * one field instead of seven, shared with the previous driver when equal (see {@link setupOf}).
   */
  readonly #setup: DriverSetup;
  /** Only when a keepalive feature is on. */
  readonly #keepalive: Keepalive | undefined;
  /**
   * The bandwidth meters ({@link DriverMeters}), made with the first byte either way; the timers
   * ({@link DriverTimers}), made by the first timer armed; how the driver ends
   * ({@link DriverEnding}), made by the first of `done`, a close, an error. An idle connection
   * holds three empty fields instead of ten; the accessors below keep the call sites as fields.
   */
  #meters: DriverMeters | undefined;
  #timers: DriverTimers | undefined;
  #ending: DriverEnding | undefined;
  /** Data sends accepted by the Connection so far (the tickets of {@link EncodeWaiter}). */
  #dataSends = 0;
  #encodeWaiters: EncodeWaiter[] | undefined;

  #bytesReceived = 0;
  /**
   * The driver's yes/no state, one bit each (see the flag constants above the class): one field
   * instead of eleven booleans, 80 bytes less on every connection.
   */
  #flags = 0;
  /** The furthest mark `#collect` has returned (infinite once bytes came after the end). */
  #collectedMark = 0;

  // Setters that store `undefined` make no holder for it.
  /** Each timer is made on its first arm, then re-armed (see {@link Timer}). */
  get #closeTimer(): Timer | undefined {
    return this.#timers?.close;
  }
  set #closeTimer(timer: Timer) {
    this.#timers ??= new DriverTimers();
    this.#timers.close = timer;
  }
  get #sendTimer(): Timer | undefined {
    return this.#timers?.send;
  }
  set #sendTimer(timer: Timer) {
    this.#timers ??= new DriverTimers();
    this.#timers.send = timer;
  }
  get #messageTimer(): Timer | undefined {
    return this.#timers?.message;
  }
  set #messageTimer(timer: Timer) {
    this.#timers ??= new DriverTimers();
    this.#timers.message = timer;
  }
  /** Made on first read of {@link Driver.done}. */
  get #done(): Promise<void> | undefined {
    return this.#ending?.done;
  }
  set #done(done: Promise<void>) {
    this.#endingState().done = done;
  }
  get #resolveDone(): (() => void) | undefined {
    return this.#ending?.resolveDone;
  }
  set #resolveDone(resolve: (() => void) | undefined) {
    if (resolve !== undefined || this.#ending !== undefined) {
      this.#endingState().resolveDone = resolve;
    }
  }
  /** What sends after the end reject with. */
  get #endError(): NetSocketsError | undefined {
    return this.#ending?.endError;
  }
  set #endError(error: NetSocketsError | undefined) {
    if (error !== undefined || this.#ending !== undefined) this.#endingState().endError = error;
  }
  /**
   * How a clean or timed-out close ended, until {@link Driver.#ended} turns it into
   * {@link Driver.#endError}: most connections close with nothing left to reject, and a
   * `ConnectionClosedError` (a captured stack) per close showed in the handshake profiles.
   */
  get #closeInfo(): DriverCloseInfo | undefined {
    return this.#ending?.closeInfo;
  }
  set #closeInfo(info: DriverCloseInfo) {
    this.#endingState().closeInfo = info;
  }
  /** The error the socket reported (ECONNRESET …), used when it closes without a close frame. */
  get #socketError(): Error | undefined {
    return this.#ending?.socketError;
  }
  set #socketError(error: Error) {
    this.#endingState().socketError = error;
  }
  #endingState(): DriverEnding {
    this.#ending ??= new DriverEnding();
    return this.#ending;
  }

  /** Use {@link createDriver}. */
  constructor(
    socket: Socket,
    connection: DriverConnection,
    handler: DriverHandler,
    options: DriverOptions = {},
  ) {
    this.#socket = socket;
    this.#connection = connection;
    this.#handler = handler;
    this.#setup = setupOf(options);
    this.#keepalive = keepaliveWanted(options)
      ? new Keepalive(options, {
          sendPing: () => this.#sendControl((c) => c.sendPing()),
          sendPong: () => this.#sendControl((c) => c.sendPong()),
          unresponsive: () =>
            this.#failWith(
              new ConnectionClosedError(
                "ERR_PEER_UNRESPONSIVE",
                "no pong arrived within the ping timeout",
                { closedBy: "local" },
              ),
            ),
        })
      : undefined;

    // We decide when our side of TCP ends (after the close handshake), not Node on EOF.
    socket.allowHalfOpen = true;
    (socket as DriverSocket)[kDriver] = this;
    onSocketBytes(socket, onSocketData, socketFiller);
    socket.on("end", onSocketEnd);
    socket.on("error", onSocketError);
    socket.on("close", onSocketClose);

    if (options.head !== undefined && options.head.byteLength > 0) {
      this.#bytesReceived += options.head.byteLength;
      this.#recordIn(options.head.byteLength);
      connection.receiveData(options.head);
    }
    // The first pump waits a microtask so the caller can store the driver before callbacks run.
    // A promise job rather than queueMicrotask, which Node wraps in an AsyncResource (an object,
    // a bound function and async-hook bookkeeping) per call: this runs once per connection.
    RESOLVED.then(() => {
      if (socket.destroyed) {
        this.#onSocketClose();
        return;
      }
      this.#keepalive?.start();
      this.#pump();
      // A transport handed over paused (explicitly) would not flow on its own.
      if (!this.#has(PAUSED) && !this.#has(TERMINAL)) socket.resume();
    });
  }

  /** The transport. */
  get socket(): Socket {
    return this.#socket;
  }

  /** The connection's lifecycle state. */
  get state(): DriverState {
    if (this.#has(TERMINAL)) return "closed";
    return this.#connection.state;
  }

  /** Bytes accepted for sending that the kernel has not taken yet (framing included). */
  get bufferedAmount(): number {
    return this.#output?.bufferedAmount ?? 0;
  }

  /** `false` while {@link Driver.bufferedAmount} is at or above the high-water mark; `onDrain` follows. */
  get writable(): boolean {
    const output = this.#output;
    return output === undefined || output.bufferedAmount < output.highWaterMark;
  }

  /** Whether reading is paused by {@link Driver.pause}. */
  get isPaused(): boolean {
    return this.#has(PAUSED);
  }

  /** Bytes handed to the kernel so far (framing included). */
  get bytesSent(): number {
    return this.#output?.writtenBytes ?? 0;
  }

  /** Bytes read from the socket so far (framing included). */
  get bytesReceived(): number {
    return this.#bytesReceived;
  }

  /** Throughput over the last second; see {@link BandwidthStatistics}. */
  get bandwidthStatistics(): BandwidthStatistics {
    return bandwidthStatistics(
      this.#meters?.out?.bitsPerSecond() ?? 0n,
      this.#meters?.in?.bitsPerSecond() ?? 0n,
    );
  }

  /** The unsolicited-pong period in effect, in ms (0 = off). */
  get actualUnsolicitedPongIntervalMs(): number {
    return this.#keepalive?.actualUnsolicitedPongIntervalMs ?? 0;
  }

  /** Resolves once the socket is closed and every timer is cleared. Never rejects. */
  get done(): Promise<void> {
    if (this.#done === undefined) {
      this.#done = this.#has(IS_DONE)
        ? Promise.resolve()
        : new Promise((resolve) => {
            this.#resolveDone = resolve;
          });
    }
    return this.#done;
  }

  /**
   * Sends text (a string, or UTF-8 bytes the caller vouches for). `fin: false` sends a fragment
   * of a message that later sends continue. Resolves when the bytes reached the kernel; rejects
   * when the connection ends first or the call is not allowed in this state.
   */
  sendText(data: string | Uint8Array, options?: { fin?: boolean }): Promise<void> {
    return this.#sendData(false, data, options);
  }

  /** Sends binary data; see {@link Driver.sendText}. */
  sendBinary(data: Uint8Array, options?: { fin?: boolean }): Promise<void> {
    return this.#sendData(true, data, options);
  }

  /** A data send: a flag rather than `#send` with a closure, as this runs once per message. */
  #sendData(
    binary: boolean,
    data: string | Uint8Array,
    options: { fin?: boolean } | undefined,
  ): Promise<void> {
    if (this.#has(TERMINAL)) return this.#rejectEnded();
    try {
      if (binary) this.#connection.sendBinary(data as Uint8Array, options);
      else this.#connection.sendText(data, options);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#sent(true);
  }

  /** Sends a ping (≤ 125 bytes). Resolves when it reached the kernel. */
  ping(data?: Uint8Array): Promise<void> {
    return this.#send((c) => c.sendPing(data), false);
  }

  /** Sends an unsolicited pong (≤ 125 bytes). Resolves when it reached the kernel. */
  pong(data?: Uint8Array): Promise<void> {
    return this.#send((c) => c.sendPong(data), false);
  }

  /**
   * Starts the closing handshake: sends a close frame (empty without `code`) and waits up to the
   * close timeout for the peer's; without an answer the TCP connection is destroyed and `onClose`
   * reports 1006. Throws `InvalidArgumentError` for a code that may not be sent or a reason over
   * 123 UTF-8 bytes. Does nothing once closing or closed.
   */
  close(code?: number, reason?: string): void {
    if (this.#has(TERMINAL) || this.#has(CLOSE_REQUESTED)) return;
    if (this.#connection.state !== "open") return;
    this.#connection.sendClose(code, reason);
    this.#flags |= CLOSE_REQUESTED;
    // From now on the close timeout bounds the wait; an outstanding keepalive ping must not
    // turn an orderly close into "peer unresponsive".
    this.#keepalive?.stop();
    this.#collect();
    if (this.#connection.closeExpected()) this.#armCloseTimer();
  }

  /**
   * Ends the connection at once without a closing handshake: destroys the socket, rejects
   * pending sends, and reports `error` (default: `ConnectionClosedError` `ERR_CONNECTION_ABORTED`,
   * closed by `"local"`) through `onError` unless the connection already ended.
   */
  abort(error?: NetSocketsError): void {
    this.#failWith(
      error ??
        new ConnectionClosedError("ERR_CONNECTION_ABORTED", "the connection was aborted", {
          closedBy: "local",
        }),
    );
  }

  /**
   * Stops reading: the socket stops reading from the kernel (so TCP flow control pushes back on
   * the peer) and no more events are dispatched. The current batch finishes first.
   */
  pause(): void {
    if (this.#has(PAUSED)) return;
    this.#flags |= PAUSED;
    this.#socket.pause();
    // Waiting on our own consumer is not the peer stalling.
    this.#messageTimer?.disarm();
  }

  /** Resumes reading after {@link Driver.pause}; buffered events are dispatched first. */
  resume(): void {
    if (!this.#has(PAUSED)) return;
    this.#flags &= ~PAUSED;
    if (this.#has(TERMINAL)) return;
    if (this.#has(IN_MESSAGE)) this.#armMessageTimer();
    RESOLVED.then(() => {
      this.#pump();
      if (!this.#has(PAUSED) && !this.#socket.destroyed) this.#socket.resume();
    });
  }

  // --- sending -------------------------------------------------------------------------------

  /**
   * `data`: a data frame (counted in {@link Driver.#dataSends}), else a control frame. The promise
   * waits for the kernel once the send's frame is out of the Connection: at once, or — behind or
   * inside an asynchronous encode — once the Connection's `dataFramesWritten` reached its ticket
   * (a control frame's ticket is the data sends before it: the Connection writes it right after
   * the last of them). See the class comment.
   */
  #send(enqueue: (connection: DriverConnection) => void, data: boolean): Promise<void> {
    if (this.#has(TERMINAL)) return this.#rejectEnded();
    try {
      enqueue(this.#connection);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#sent(data);
  }

  #rejectEnded(): Promise<void> {
    return Promise.reject(this.#ended() ?? this.#closedError());
  }

  /** After a send was handed to the Connection: its promise (see {@link Driver.#send}). */
  #sent(data: boolean): Promise<void> {
    const connection = this.#connection;
    const ticket = data ? ++this.#dataSends : this.#dataSends;
    const mark = this.#collect();
    const pending = connection.sendPending;
    if (pending === undefined && this.#framesWritten() >= ticket) {
      return this.#out().whenWritten(mark);
    }
    if (pending === undefined) {
      // Nothing pending and the frame not written: its encode failed synchronously, and the
      // Connection is failing (1011). Its `close` event (which rejects this send) comes out of
      // the next `nextEvents()`: pump for it, outside this call.
      queueMicrotask(() => this.#pump());
    }
    return new Promise((resolve, reject) => {
      this.#encodeWaiters ??= [];
      this.#encodeWaiters.push({ ticket, resolve, reject });
    });
  }

  /** Data frames the Connection has written (a stand-in without the count: all, once idle). */
  #framesWritten(): number {
    const connection = this.#connection;
    return (
      connection.dataFramesWritten ??
      (connection.sendPending === undefined ? this.#dataSends : Number.NEGATIVE_INFINITY)
    );
  }

  /**
   * Settles the {@link EncodeWaiter}s whose frames are out of the Connection (collected: they wait
   * for the kernel now). With no encode pending the others will never be written — an encode
   * failed, or the connection ended — and reject with why the connection ended, once it has.
   */
  #settleEncodeWaiters(): void {
    const waiters = this.#encodeWaiters;
    if (waiters === undefined) return;
    const written = this.#framesWritten();
    let i = 0;
    while (i < waiters.length && (waiters[i] as EncodeWaiter).ticket <= written) {
      (waiters[i] as EncodeWaiter).resolve(this.#out().whenWritten(this.#collectedMark));
      i++;
    }
    const endError = this.#ended();
    if (
      i < waiters.length &&
      endError !== undefined &&
      this.#connection.sendPending === undefined
    ) {
      for (; i < waiters.length; i++) (waiters[i] as EncodeWaiter).reject(endError);
    }
    if (i === waiters.length) this.#encodeWaiters = undefined;
    else if (i > 0) this.#encodeWaiters = waiters.slice(i);
  }

  #sendControl(enqueue: (connection: DriverConnection) => void): void {
    if (this.#has(TERMINAL) || this.#connection.state !== "open") return;
    try {
      enqueue(this.#connection);
    } catch {
      return;
    }
    this.#collect();
  }

  /**
   * Moves the Connection's queued wire bytes into the output queue; returns the mark. When an
   * encode is still pending, arms the one watcher that collects again once it settles: the
   * frames it (and every frame held behind it, pongs and close echoes included) produces go out
   * promptly even when neither a send nor the pump comes by.
   */
  #collect(): number {
    if (!this.#has(WATCHING_SEND)) {
      const pending = this.#connection.sendPending;
      if (pending !== undefined) {
        this.#flags |= WATCHING_SEND;
        const settled = () => {
          this.#flags &= ~WATCHING_SEND;
          if (this.#has(FINALIZED)) return;
          this.#collect();
          // An encode that failed closed the Connection (1011): its `close` event comes out of
          // the next `nextEvents()`, which no incoming data may ever prompt.
          this.#pump();
        };
        pending.then(settled, settled);
      }
    }
    const pieces = this.#connection.dataToSend();
    let mark: number;
    if (pieces.length === 0) {
      mark = this.#output?.mark ?? 0;
    } else {
      const output = this.#out();
      const before = output.bufferedAmount;
      mark = output.push(pieces);
      if (mark > this.#collectedMark) this.#collectedMark = mark;
      const after = output.bufferedAmount;
      // The send timer is armed by the output queue's backlog signal instead: only when a flush
      // leaves bytes the kernel has not taken (a clock read per message otherwise).
      if (after > before && after >= output.highWaterMark) this.#flags |= ABOVE_HIGH_WATER;
    }
    if (this.#encodeWaiters !== undefined) this.#settleEncodeWaiters();
    return mark;
  }

  /** The output queue, made on first use. */
  #out(): OutputQueue {
    if (this.#output === undefined) {
      this.#output = new OutputQueue(
        this.#socket,
        this.#setup.highWaterMark,
        (bytes) => this.#onWritten(bytes),
        () => {
          if (this.#sendTimer?.active !== true) this.#armSendTimer();
        },
        // A client's large masked copies come from the process's arena; this queue gives their
        // memory back once the kernel has it — where the socket then no longer refers to it.
        this.#connection.role === "client" && releasesWrittenChunks(this.#socket)
          ? maskCopyArena
          : undefined,
      );
      if (this.#has(FINALIZED)) this.#output.abandon(() => this.#ended() ?? this.#closedError());
    }
    return this.#output;
  }

  #onWritten(bytes: number): void {
    const output = this.#output as OutputQueue;
    const meters = this.#metersHolder();
    meters.out ??= new BandwidthMeter(this.#setup.clock);
    meters.out.record(bytes);
    if (output.bufferedAmount === 0) this.#sendTimer?.disarm();
    else this.#sendTimer?.refresh();
    if (this.#has(ABOVE_HIGH_WATER) && output.bufferedAmount < output.highWaterMark) {
      this.#flags &= ~ABOVE_HIGH_WATER;
      if (!this.#has(TERMINAL)) this.#call(() => this.#handler.onDrain?.());
    }
  }

  // --- receiving -----------------------------------------------------------------------------

  #recordIn(byteCount: number): void {
    const meters = this.#metersHolder();
    meters.in ??= new BandwidthMeter(this.#setup.clock);
    meters.in.record(byteCount);
  }

  #metersHolder(): DriverMeters {
    this.#meters ??= new DriverMeters();
    return this.#meters;
  }

  #armCloseTimer(): void {
    const ms = this.#setup.closeTimeoutMs;
    if (!(ms > 0) || !Number.isFinite(ms)) return;
    this.#closeTimer ??= new Timer(() => this.#onCloseTimeout());
    this.#closeTimer.start(ms);
  }

  #armSendTimer(): void {
    const ms = this.#setup.sendTimeoutMs;
    if (!(ms > 0) || !Number.isFinite(ms)) return;
    this.#sendTimer ??= new Timer(() =>
      this.#failWith(new TimeoutError(`a send made no progress for ${ms} ms`)),
    );
    this.#sendTimer.start(ms);
  }

  #armMessageTimer(): void {
    const ms = this.#setup.messageTimeoutMs;
    if (!(ms > 0) || !Number.isFinite(ms)) return;
    this.#messageTimer ??= new Timer(() =>
      this.#failWith(new TimeoutError(`an incoming message stalled for ${ms} ms`)),
    );
    this.#messageTimer.start(ms);
  }

  #onSocketData(chunk: Buffer): void {
    if (!this.#received(chunk.byteLength)) return;
    this.#connection.receiveData(chunk);
    this.#pump();
  }

  /** `count` bytes were read into the region {@link Driver.#fillRegion} gave (a direct socket). */
  #onSocketFilled(count: number): void {
    if (!this.#received(count)) return;
    this.#connection.receivedInto?.(count);
    this.#pump();
  }

  /** Counts bytes that arrived; whether they are to be processed (not after the end). */
  #received(count: number): boolean {
    this.#bytesReceived += count;
    this.#recordIn(count);
    if (this.#has(TERMINAL)) return false;
    if (this.#has(IN_MESSAGE) && !this.#has(PAUSED)) this.#messageTimer?.refresh();
    return true;
  }

  /**
   * Where a direct socket's next read may go: the rest of a large message being gathered, when
   * at least {@link MIN_FILL_REGION} bytes of it are missing (a smaller rest is read as usual,
   * with what follows it). Asked after every read: outside a message (no announced message in
   * progress, as after every small one) nothing is being gathered, and the Connection is not asked.
   */
  #fillRegion(): Uint8Array | undefined {
    if (!this.#has(IN_MESSAGE) || this.#has(TERMINAL)) return undefined;
    return this.#connection.receiveRegion?.(MIN_FILL_REGION);
  }

  #onSocketEnd(): void {
    this.#flags |= PEER_ENDED;
    if (this.#has(TERMINAL)) {
      // The peer ended TCP after the close: end ours (the client's side of §7.1.1) — unless we
      // already did (a server ends first): ending twice makes Node build an error object.
      if (!this.#socket.writableEnded) this.#socket.end();
      return;
    }
    this.#connection.receiveEof();
    this.#pump();
  }

  /**
   * The pump: the strict ordering rule. Each batch from `nextEvents()` is dispatched
   * synchronously, then the Connection's output is flushed, then the next batch is asked for.
   */
  #pump(): void {
    if (this.#has(PUMPING) || this.#has(FINALIZED)) return;
    this.#flags |= PUMPING;
    // Answers the handlers send while this read's events are dispatched leave in one write at
    // the end (a queue made during the pump schedules its own flush).
    const output = this.#output;
    output?.hold();
    try {
      while (!this.#has(PAUSED) && !this.#has(TERMINAL)) {
        // Only a decode stops the pump; a pending encode holds its frames inside the Connection.
        const pending = this.#connection.receivePending;
        if (pending !== undefined) {
          this.#awaitPending(pending);
          break;
        }
        const events = this.#connection.nextEvents();
        if (events.length === 0) {
          // Nothing yet — but `nextEvents()` may just have started an asynchronous decode:
          // "if events is empty: if conn.receivePending is set: await it, then loop again".
          if (this.#connection.receivePending === undefined) break;
          continue;
        }
        for (const event of events) {
          if (this.#has(TERMINAL)) break;
          try {
            this.#dispatch(event);
          } catch (error) {
            // A throwing handler is reported and never unwinds into the pump.
            reportListenerError(error);
          }
        }
        this.#collect();
      }
    } finally {
      this.#flags &= ~PUMPING;
      output?.release();
    }
  }

  #awaitPending(pending: Promise<void>): void {
    if (this.#has(AWAITING_PENDING)) return;
    this.#flags |= AWAITING_PENDING;
    const proceed = () => {
      this.#flags &= ~AWAITING_PENDING;
      this.#collect();
      this.#pump();
    };
    pending.then(proceed, proceed);
  }

  /** Dispatches one event; handler callbacks may throw (the pump catches). */
  #dispatch(event: ConnectionEvent): void {
    const handler = this.#handler;
    switch (event.type) {
      case "data":
        if (event.messageFinished) {
          this.#flags &= ~IN_MESSAGE;
          this.#messageTimer?.disarm();
        } else if (!this.#has(IN_MESSAGE)) {
          this.#flags |= IN_MESSAGE;
          if (!this.#has(PAUSED)) this.#armMessageTimer();
        }
        handler.onData(event.data, event);
        break;
      case "ping":
        handler.onPing?.(event.data);
        break;
      case "pong":
        this.#keepalive?.pongReceived();
        handler.onPong?.(event.data);
        break;
      case "close-received":
        this.#keepalive?.stop();
        handler.onCloseReceived?.(event.code, event.reason);
        break;
      case "close":
        this.#onConnectionClose(event);
        break;
    }
  }

  #onConnectionClose(event: CloseEvent): void {
    this.#closeTimer?.disarm();
    this.#messageTimer?.disarm();
    this.#keepalive?.stop();
    if (event.closedBy === "transport") {
      // EOF without a close frame. A close the application asked for ends as a close (1006);
      // otherwise it is an abrupt loss: no close, an error (reference/uwp-api.md §17.3).
      if (this.#has(CLOSE_REQUESTED)) {
        this.#terminate({ code: 1006, reason: "", wasClean: false, closedBy: "local" });
      } else {
        this.#terminateWithError(this.#lossError());
      }
      this.#socket.destroy();
      return;
    }
    const info: DriverCloseInfo =
      event.error === undefined
        ? {
            code: event.code,
            reason: event.reason,
            wasClean: event.wasClean,
            closedBy: event.closedBy,
          }
        : {
            code: event.code,
            reason: event.reason,
            wasClean: event.wasClean,
            closedBy: event.closedBy,
            error: event.error,
          };
    this.#terminate(info);
    this.#collect();
    // "The underlying TCP connection, in most normal cases, SHOULD be closed first by the
    // server" — a client waits for the server's FIN after a clean close; a failed connection is
    // closed by whoever failed it.
    // A client whose peer already ended TCP has nothing left to wait for.
    const endNow = this.#connection.role === "server" || !event.wasClean || this.#has(PEER_ENDED);
    this.#armCloseTimer();
    // "write what is left (after `sendPending`, if an encode is still running)": the frames an
    // extension is still encoding — and whatever the Connection holds back behind them — go
    // out before TCP ends. The close timer bounds the wait.
    this.#afterPending(() => {
      if (this.#has(FINALIZED)) return;
      this.#collect();
      this.#out().drainAll(() => {
        if (endNow && !this.#socket.destroyed) this.#socket.end();
      });
    });
  }

  /** Runs `then` once no extension decode or encode is pending (at once when none is). */
  #afterPending(then: () => void): void {
    // After the close event only encodes remain (the Connection drops a pending decode); after
    // a TCP loss a decode may still be running and still use the extension.
    const connection = this.#connection;
    const pending = connection.receivePending ?? connection.sendPending;
    if (pending === undefined) {
      then();
      return;
    }
    // Neither ever rejects; a settled encode may start the next one, so look again.
    const again = () => this.#afterPending(then);
    pending.then(again, again);
  }

  // --- ending --------------------------------------------------------------------------------

  #onCloseTimeout(): void {
    if (!this.#has(TERMINAL)) {
      // Our close frame got no answer in time.
      this.#terminate({ code: 1006, reason: "", wasClean: false, closedBy: "local" });
    }
    this.#socket.destroy();
  }

  #onSocketClose(): void {
    if (!this.#has(TERMINAL)) {
      if (this.#has(CLOSE_REQUESTED)) {
        this.#terminate({ code: 1006, reason: "", wasClean: false, closedBy: "local" });
      } else {
        this.#terminateWithError(this.#lossError());
      }
    }
    this.#finalize();
  }

  /** Ends the connection at once because of `error` (timeouts, dead peer, abort). */
  #failWith(error: NetSocketsError): void {
    if (!this.#has(TERMINAL)) this.#terminateWithError(error);
    this.#socket.destroy();
  }

  #terminate(info: DriverCloseInfo): void {
    if (this.#has(TERMINAL)) return;
    this.#flags |= TERMINAL;
    this.#stopTimersExceptClose();
    this.#closeInfo = info;
    this.#settleEncodeWaiters();
    this.#call(() => this.#handler.onClose(info));
  }

  #terminateWithError(error: NetSocketsError): void {
    if (this.#has(TERMINAL)) return;
    this.#flags |= TERMINAL;
    this.#stopTimersExceptClose();
    this.#closeTimer?.disarm();
    this.#endError = error;
    this.#output?.abandon(() => error);
    this.#settleEncodeWaiters();
    this.#call(() => this.#handler.onError(error));
  }

  #stopTimersExceptClose(): void {
    this.#keepalive?.stop();
    this.#messageTimer?.disarm();
  }

  #finalize(): void {
    if (this.#has(FINALIZED)) return;
    this.#flags |= FINALIZED;
    this.#keepalive?.stop();
    // Cancelled for good: a pending Timeout would keep this driver alive until it fired.
    this.#messageTimer?.clear();
    this.#closeTimer?.clear();
    this.#sendTimer?.clear();
    const endError = (): NetSocketsError => this.#ended() ?? this.#closedError();
    // A queue made later (see #out) starts abandoned.
    this.#output?.abandon(endError);
    // Frames still inside an encode can no longer reach the socket.
    const waiters = this.#encodeWaiters;
    this.#encodeWaiters = undefined;
    if (waiters !== undefined) for (const waiter of waiters) waiter.reject(endError());
    // The Connection never releases its extensions (zlib streams …): the driver does, once the
    // connection has ended and no decode or encode still uses them.
    this.#afterPending(() => {
      for (const extension of this.#setup.extensions) {
        if (extension.close !== undefined) this.#call(() => extension.close?.());
      }
      this.#flags |= IS_DONE;
      this.#resolveDone?.();
      this.#resolveDone = undefined;
      const onDone = this.#setup.onDone;
      if (onDone !== undefined) this.#call(() => onDone(this));
    });
  }

  /** Why the connection ended (made on first use after a close), or `undefined` while open. */
  #ended(): NetSocketsError | undefined {
    if (this.#endError === undefined && this.#closeInfo !== undefined) {
      this.#endError = this.#closedError(this.#closeInfo);
    }
    return this.#endError;
  }

  #lossError(): ConnectionClosedError {
    const cause = this.#socketError;
    // The errors package's table decides what a reset is (ECONNRESET, ENETRESET …), as for
    // connecting; anything else that ends TCP without a close frame is an abort.
    const reset =
      cause !== undefined && WebSocketError.getStatus(cause) === WebErrorStatus.connectionReset;
    return new ConnectionClosedError(
      reset ? "ERR_CONNECTION_RESET" : "ERR_CONNECTION_ABORTED",
      reset
        ? "the peer reset the connection"
        : "the connection was lost without a closing handshake",
      cause === undefined ? { closedBy: "transport" } : { closedBy: "transport", cause },
    );
  }

  #closedError(info?: DriverCloseInfo): NetSocketsError {
    if (info === undefined) {
      return new InvalidStateError("the WebSocket is closed", { code: "ERR_OBJECT_CLOSED" });
    }
    return new ConnectionClosedError(
      "ERR_CONNECTION_CLOSED",
      `the WebSocket is closed (${info.code}${info.reason === "" ? "" : ` ${info.reason}`})`,
      {
        closeCode: info.code,
        closeReason: info.reason,
        wasClean: info.wasClean,
        closedBy: info.closedBy,
      },
    );
  }

  /** Whether `flag` is set in {@link Driver.#flags}. */
  #has(flag: number): boolean {
    return (this.#flags & flag) !== 0;
  }

  /** Runs a handler callback; a throwing handler is reported, never unwinds into the pump. */
  #call(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      reportListenerError(error);
    }
  }

  static {
    // Shared by every driver's socket: four closures per connection fewer.
    onSocketData = function (this: Socket, chunk: Buffer) {
      (this as DriverSocket)[kDriver].#onSocketData(chunk);
    };
    socketFiller = {
      region(this: Socket) {
        return (this as DriverSocket)[kDriver].#fillRegion();
      },
      filled(this: Socket, count: number) {
        (this as DriverSocket)[kDriver].#onSocketFilled(count);
      },
    };
    onSocketEnd = function (this: Socket) {
      (this as DriverSocket)[kDriver].#onSocketEnd();
    };
    onSocketError = function (this: Socket, error: Error) {
      const driver = (this as DriverSocket)[kDriver];
      driver.#socketError ??= error;
    };
    onSocketClose = function (this: Socket) {
      (this as DriverSocket)[kDriver].#onSocketClose();
    };
  }
}

/**
 * Starts pumping `connection` over `socket` (after the opening handshake, both roles) and
 * returns the {@link Driver}. `options.head` holds bytes read past the handshake; they are
 * processed first. The first events are dispatched a microtask later, so the caller can store
 * the driver before any callback runs.
 *
 * @example
 * ```ts
 * const driver = createDriver(socket, new Connection(nodeConnectionOptions("server")), {
 *   onData: (bytes, info) => collect(bytes, info.messageFinished),
 *   onClose: ({ code, reason }) => console.log("closed", code, reason),
 *   onError: (error) => console.error(error.code),
 * }, { head });
 * await driver.sendText("hello"); // resolved once in the kernel
 * ```
 */
export function createDriver(
  socket: Socket,
  connection: DriverConnection,
  handler: DriverHandler,
  options: DriverOptions = {},
): Driver {
  return new Driver(socket, connection, handler, options);
}
