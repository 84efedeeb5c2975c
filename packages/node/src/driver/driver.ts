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
import { BandwidthMeter } from "./bandwidth-meter.js";
import type {
  DriverCloseInfo,
  DriverConnection,
  DriverHandler,
  DriverOptions,
} from "./driver-types.js";
import { Keepalive } from "./keepalive.js";
import { OutputQueue } from "./output-queue.js";
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
 *   send*() ─▶ connection.send* ─▶ output queue ─▶ one corked writev per tick ─▶ promise at the kernel
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
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-7.1.1
 */
export class Driver {
  readonly #socket: Socket;
  readonly #connection: DriverConnection;
  readonly #handler: DriverHandler;
  readonly #output: OutputQueue;
  readonly #keepalive: Keepalive;
  readonly #inMeter: BandwidthMeter;
  readonly #outMeter: BandwidthMeter;
  readonly #closeTimeoutMs: number;
  readonly #sendTimeoutMs: number;
  readonly #messageTimeoutMs: number;
  readonly #closeTimer: Timer;
  readonly #sendTimer: Timer;
  readonly #messageTimer: Timer;
  readonly #done: Promise<void>;
  #resolveDone!: () => void;
  /** The Connection's extensions, released (`close()`) once the connection has ended. */
  readonly #extensions: readonly Extension[];

  #bytesReceived = 0;
  #paused = false;
  #pumping = false;
  #awaitingPending = false;
  /** A watcher on `connection.sendPending` is armed (see {@link Driver.#collect}). */
  #watchingSend = false;
  /** The furthest mark `#collect` has returned (infinite once bytes came after the end). */
  #collectedMark = 0;
  #inMessage = false;
  #aboveHighWater = false;
  #closeRequested = false;
  /** The peer ended its side of TCP (EOF seen). */
  #peerEnded = false;
  /** Set once the one terminal callback ran. */
  #terminal = false;
  /** What sends after the end reject with. */
  #endError: NetSocketsError | undefined;
  /** The error the socket reported (ECONNRESET …), used when it closes without a close frame. */
  #socketError: Error | undefined;
  #finalized = false;

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
    this.#closeTimeoutMs = options.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS;
    this.#sendTimeoutMs = options.sendTimeoutMs ?? DEFAULT_SEND_TIMEOUT_MS;
    this.#messageTimeoutMs = options.messageTimeoutMs ?? DEFAULT_MESSAGE_TIMEOUT_MS;
    this.#extensions = options.extensions ?? [];
    this.#inMeter = new BandwidthMeter(options.clock);
    this.#outMeter = new BandwidthMeter(options.clock);
    this.#done = new Promise((resolve) => {
      this.#resolveDone = resolve;
    });
    this.#output = new OutputQueue(
      socket,
      options.outboundBufferSizeInBytes ?? DEFAULT_OUTBOUND_BUFFER_SIZE,
      (bytes) => this.#onWritten(bytes),
    );
    this.#closeTimer = new Timer(() => this.#onCloseTimeout());
    this.#sendTimer = new Timer(() =>
      this.#failWith(new TimeoutError(`a send made no progress for ${this.#sendTimeoutMs} ms`)),
    );
    this.#messageTimer = new Timer(() =>
      this.#failWith(
        new TimeoutError(`an incoming message stalled for ${this.#messageTimeoutMs} ms`),
      ),
    );
    this.#keepalive = new Keepalive(options, {
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
    });

    // We decide when our side of TCP ends (after the close handshake), not Node on EOF.
    socket.allowHalfOpen = true;
    socket.on("data", (chunk: Buffer) => this.#onSocketData(chunk));
    socket.on("end", () => this.#onSocketEnd());
    socket.on("error", (error) => {
      this.#socketError ??= error;
    });
    socket.on("close", () => this.#onSocketClose());

    if (options.head !== undefined && options.head.byteLength > 0) {
      this.#bytesReceived += options.head.byteLength;
      this.#inMeter.record(options.head.byteLength);
      connection.receiveData(options.head);
    }
    // The first pump waits a microtask so the caller can store the driver before callbacks run.
    queueMicrotask(() => {
      if (socket.destroyed) {
        this.#onSocketClose();
        return;
      }
      this.#keepalive.start();
      this.#pump();
      // A transport handed over paused (explicitly) would not flow on its own.
      if (!this.#paused && !this.#terminal) socket.resume();
    });
  }

  /** The transport. */
  get socket(): Socket {
    return this.#socket;
  }

  /** The connection's lifecycle state. */
  get state(): DriverState {
    if (this.#terminal) return "closed";
    return this.#connection.state;
  }

  /** Bytes accepted for sending that the kernel has not taken yet (framing included). */
  get bufferedAmount(): number {
    return this.#output.bufferedAmount;
  }

  /** `false` while {@link Driver.bufferedAmount} is at or above the high-water mark; `onDrain` follows. */
  get writable(): boolean {
    return this.#output.bufferedAmount < this.#output.highWaterMark;
  }

  /** Whether reading is paused by {@link Driver.pause}. */
  get isPaused(): boolean {
    return this.#paused;
  }

  /** Bytes handed to the kernel so far (framing included). */
  get bytesSent(): number {
    return this.#output.writtenBytes;
  }

  /** Bytes read from the socket so far (framing included). */
  get bytesReceived(): number {
    return this.#bytesReceived;
  }

  /** Throughput over the last second; see {@link BandwidthStatistics}. */
  get bandwidthStatistics(): BandwidthStatistics {
    return bandwidthStatistics(this.#outMeter.bitsPerSecond(), this.#inMeter.bitsPerSecond());
  }

  /** The unsolicited-pong period in effect, in ms (0 = off). */
  get actualUnsolicitedPongIntervalMs(): number {
    return this.#keepalive.actualUnsolicitedPongIntervalMs;
  }

  /** Resolves once the socket is closed and every timer is cleared. Never rejects. */
  get done(): Promise<void> {
    return this.#done;
  }

  /**
   * Sends text (a string, or UTF-8 bytes the caller vouches for). `fin: false` sends a fragment
   * of a message that later sends continue. Resolves when the bytes reached the kernel; rejects
   * when the connection ends first or the call is not allowed in this state.
   */
  sendText(data: string | Uint8Array, options?: { fin?: boolean }): Promise<void> {
    return this.#send((c) => c.sendText(data, options));
  }

  /** Sends binary data; see {@link Driver.sendText}. */
  sendBinary(data: Uint8Array, options?: { fin?: boolean }): Promise<void> {
    return this.#send((c) => c.sendBinary(data, options));
  }

  /** Sends a ping (≤ 125 bytes). Resolves when it reached the kernel. */
  ping(data?: Uint8Array): Promise<void> {
    return this.#send((c) => c.sendPing(data));
  }

  /** Sends an unsolicited pong (≤ 125 bytes). Resolves when it reached the kernel. */
  pong(data?: Uint8Array): Promise<void> {
    return this.#send((c) => c.sendPong(data));
  }

  /**
   * Starts the closing handshake: sends a close frame (empty without `code`) and waits up to the
   * close timeout for the peer's; without an answer the TCP connection is destroyed and `onClose`
   * reports 1006. Throws `InvalidArgumentError` for a code that may not be sent or a reason over
   * 123 UTF-8 bytes. Does nothing once closing or closed.
   */
  close(code?: number, reason?: string): void {
    if (this.#terminal || this.#closeRequested) return;
    if (this.#connection.state !== "open") return;
    this.#connection.sendClose(code, reason);
    this.#closeRequested = true;
    // From now on the close timeout bounds the wait; an outstanding keepalive ping must not
    // turn an orderly close into "peer unresponsive".
    this.#keepalive.stop();
    this.#collect();
    if (this.#connection.closeExpected()) this.#closeTimer.start(this.#closeTimeoutMs);
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
    if (this.#paused) return;
    this.#paused = true;
    this.#socket.pause();
    // Waiting on our own consumer is not the peer stalling.
    this.#messageTimer.clear();
  }

  /** Resumes reading after {@link Driver.pause}; buffered events are dispatched first. */
  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    if (this.#terminal) return;
    if (this.#inMessage) this.#messageTimer.start(this.#messageTimeoutMs);
    queueMicrotask(() => {
      this.#pump();
      if (!this.#paused && !this.#socket.destroyed) this.#socket.resume();
    });
  }

  // --- sending -------------------------------------------------------------------------------

  #send(enqueue: (connection: DriverConnection) => void): Promise<void> {
    if (this.#terminal) {
      return Promise.reject(this.#endError ?? this.#closedError());
    }
    try {
      enqueue(this.#connection);
    } catch (error) {
      return Promise.reject(error);
    }
    const mark = this.#collect();
    const pending = this.#connection.sendPending;
    if (pending !== undefined) {
      // An extension is still encoding: the bytes come after it settles. The encode watcher
      // (armed by `#collect`) may have collected them first, so wait for the furthest mark.
      return pending.then(() => {
        this.#collect();
        return this.#output.whenWritten(this.#collectedMark);
      });
    }
    return this.#output.whenWritten(mark);
  }

  #sendControl(enqueue: (connection: DriverConnection) => void): void {
    if (this.#terminal || this.#connection.state !== "open") return;
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
    if (!this.#watchingSend) {
      const pending = this.#connection.sendPending;
      if (pending !== undefined) {
        this.#watchingSend = true;
        const settled = () => {
          this.#watchingSend = false;
          if (this.#finalized) return;
          this.#collect();
          // An encode that failed closed the Connection (1011): its `close` event comes out of
          // the next `nextEvents()`, which no incoming data may ever prompt.
          this.#pump();
        };
        pending.then(settled, settled);
      }
    }
    const pieces = this.#connection.dataToSend();
    const before = this.#output.bufferedAmount;
    const mark = this.#output.push(pieces);
    if (mark > this.#collectedMark) this.#collectedMark = mark;
    const after = this.#output.bufferedAmount;
    if (after > before) {
      if (!this.#sendTimer.active) this.#sendTimer.start(this.#sendTimeoutMs);
      if (after >= this.#output.highWaterMark) this.#aboveHighWater = true;
    }
    return mark;
  }

  #onWritten(bytes: number): void {
    this.#outMeter.record(bytes);
    if (this.#output.bufferedAmount === 0) this.#sendTimer.clear();
    else this.#sendTimer.refresh();
    if (this.#aboveHighWater && this.#output.bufferedAmount < this.#output.highWaterMark) {
      this.#aboveHighWater = false;
      if (!this.#terminal) this.#call(() => this.#handler.onDrain?.());
    }
  }

  // --- receiving -----------------------------------------------------------------------------

  #onSocketData(chunk: Buffer): void {
    this.#bytesReceived += chunk.byteLength;
    this.#inMeter.record(chunk.byteLength);
    if (this.#terminal) return;
    if (this.#inMessage && !this.#paused) this.#messageTimer.refresh();
    this.#connection.receiveData(chunk);
    this.#pump();
  }

  #onSocketEnd(): void {
    this.#peerEnded = true;
    if (this.#terminal) {
      // The peer ended TCP after the close: end ours (the client's side of §7.1.1).
      this.#socket.end();
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
    if (this.#pumping || this.#finalized) return;
    this.#pumping = true;
    try {
      while (!this.#paused && !this.#terminal) {
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
          if (this.#terminal) break;
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
      this.#pumping = false;
    }
  }

  #awaitPending(pending: Promise<void>): void {
    if (this.#awaitingPending) return;
    this.#awaitingPending = true;
    const proceed = () => {
      this.#awaitingPending = false;
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
          this.#inMessage = false;
          this.#messageTimer.clear();
        } else if (!this.#inMessage) {
          this.#inMessage = true;
          if (!this.#paused) this.#messageTimer.start(this.#messageTimeoutMs);
        }
        handler.onData(event.data, event);
        break;
      case "ping":
        handler.onPing?.(event.data);
        break;
      case "pong":
        this.#keepalive.pongReceived();
        handler.onPong?.(event.data);
        break;
      case "close-received":
        this.#keepalive.stop();
        handler.onCloseReceived?.(event.code, event.reason);
        break;
      case "close":
        this.#onConnectionClose(event);
        break;
    }
  }

  #onConnectionClose(event: CloseEvent): void {
    this.#closeTimer.clear();
    this.#messageTimer.clear();
    this.#keepalive.stop();
    if (event.closedBy === "transport") {
      // EOF without a close frame. A close the application asked for ends as a close (1006);
      // otherwise it is an abrupt loss: no close, an error (reference/uwp-api.md §17.3).
      if (this.#closeRequested) {
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
    const endNow = this.#connection.role === "server" || !event.wasClean || this.#peerEnded;
    this.#closeTimer.start(this.#closeTimeoutMs);
    // "write what is left (after `sendPending`, if an encode is still running)": the frames an
    // extension is still encoding — and whatever the Connection holds back behind them — go
    // out before TCP ends. The close timer bounds the wait.
    this.#afterPending(() => {
      if (this.#finalized) return;
      this.#collect();
      this.#output.drainAll(() => {
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
    if (!this.#terminal) {
      // Our close frame got no answer in time.
      this.#terminate({ code: 1006, reason: "", wasClean: false, closedBy: "local" });
    }
    this.#socket.destroy();
  }

  #onSocketClose(): void {
    if (!this.#terminal) {
      if (this.#closeRequested) {
        this.#terminate({ code: 1006, reason: "", wasClean: false, closedBy: "local" });
      } else {
        this.#terminateWithError(this.#lossError());
      }
    }
    this.#finalize();
  }

  /** Ends the connection at once because of `error` (timeouts, dead peer, abort). */
  #failWith(error: NetSocketsError): void {
    if (!this.#terminal) this.#terminateWithError(error);
    this.#socket.destroy();
  }

  #terminate(info: DriverCloseInfo): void {
    if (this.#terminal) return;
    this.#terminal = true;
    this.#stopTimersExceptClose();
    this.#endError = this.#closedError(info);
    this.#call(() => this.#handler.onClose(info));
  }

  #terminateWithError(error: NetSocketsError): void {
    if (this.#terminal) return;
    this.#terminal = true;
    this.#stopTimersExceptClose();
    this.#closeTimer.clear();
    this.#endError = error;
    this.#output.abandon(error);
    this.#call(() => this.#handler.onError(error));
  }

  #stopTimersExceptClose(): void {
    this.#keepalive.stop();
    this.#messageTimer.clear();
  }

  #finalize(): void {
    if (this.#finalized) return;
    this.#finalized = true;
    this.#stopTimersExceptClose();
    this.#closeTimer.clear();
    this.#sendTimer.clear();
    this.#output.abandon(this.#endError ?? this.#closedError());
    // The Connection never releases its extensions (zlib streams …): the driver does, once the
    // connection has ended and no decode or encode still uses them.
    this.#afterPending(() => {
      for (const extension of this.#extensions) {
        if (extension.close !== undefined) this.#call(() => extension.close?.());
      }
      this.#resolveDone();
    });
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

  /** Runs a handler callback; a throwing handler is reported, never unwinds into the pump. */
  #call(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      reportListenerError(error);
    }
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
