import type { ClosedBy, NetSocketsError, ProtocolError } from "@netsockets/errors";
import type { ConnectionEvent, Extension } from "@netsockets/protocol";
import type { Clock } from "./bandwidth-meter.js";
import type { Driver } from "./driver.js";
import type { KeepaliveOptions } from "./keepalive.js";

/**
 * What the driver needs from a protocol `Connection` (`@netsockets/protocol`). The class
 * satisfies it structurally; tests may pass a stand-in.
 */
export interface DriverConnection {
  readonly role: "client" | "server";
  readonly state: "open" | "closing" | "closed";
  receiveData(bytes: Uint8Array): void;
  /** Where the next bytes may be read straight into (protocol's `Connection.receiveRegion`). */
  receiveRegion?(minimum: number): Uint8Array | undefined;
  /** Bytes were read into the last region (protocol's `Connection.receivedInto`). */
  receivedInto?(count: number): void;
  receiveEof(): void;
  nextEvents(): ConnectionEvent[];
  /** An extension decode is pending: `nextEvents()` reports nothing until it settles. */
  readonly receivePending: Promise<void> | undefined;
  /** An extension encode is pending: its frames (and later ones) reach `dataToSend()` after it. */
  readonly sendPending: Promise<void> | undefined;
  dataToSend(): Uint8Array[];
  /**
   * Data frames (text, binary, continuation) written into `dataToSend()` so far: one per accepted
   * data send, in call order, unless an encode failed and dropped it. The driver resolves a send
   * behind an asynchronous encode only once its frame is counted here. A stand-in without it is
   * treated as writing every frame once no encode is pending.
   */
  readonly dataFramesWritten?: number;
  sendText(data: string | Uint8Array, options?: { fin?: boolean }): void;
  sendBinary(data: Uint8Array, options?: { fin?: boolean }): void;
  sendPing(data?: Uint8Array): void;
  sendPong(data?: Uint8Array): void;
  sendClose(code?: number, reason?: string): void;
  closeExpected(): boolean;
}

/** Where a piece of received data sits in its frame and message. */
export interface DataInfo {
  /** `true` for a binary message, `false` for text (UTF-8, validated). */
  readonly binary: boolean;
  /** `true` on the first piece of a message. */
  readonly messageStarted: boolean;
  /** The FIN bit of the frame this piece belongs to. */
  readonly fin: boolean;
  /** `true` on the last piece of a frame. */
  readonly frameFinished: boolean;
  /** `true` on the last piece of a message. */
  readonly messageFinished: boolean;
}

/** How a WebSocket connection ended with a close (never for an abrupt loss). */
export interface DriverCloseInfo {
  /** The close code: the peer's (1005 when its frame had none), ours on a failure, 1006 when our close got no answer. */
  readonly code: number;
  /** The close reason; may be empty. */
  readonly reason: string;
  /** Whether both close frames were exchanged. */
  readonly wasClean: boolean;
  /** Who started the close. */
  readonly closedBy: ClosedBy;
  /** The peer's violation, when the connection failed because of one (we sent 1002/1007/1008/1009). */
  readonly error?: ProtocolError;
}

/**
 * The callbacks a socket facade gives the driver — the one engine under the message socket, the
 * stream socket and a WHATWG-style facade (the shape of undici's websocket `Handler`).
 *
 * Every callback runs synchronously from the driver's pump, in wire order. Exactly ONE terminal
 * callback runs per driver: {@link DriverHandler.onClose} (a closing handshake, a failure we
 * reported with a close frame, or our close that got no answer) or {@link DriverHandler.onError}
 * (the TCP connection was lost without a close frame, a timeout, keepalive detected a dead peer,
 * or the connection was aborted). Nothing is called after it.
 */
export interface DriverHandler {
  /** A piece of a data message. `bytes` may be a view into a larger buffer; copy to keep it. */
  onData(bytes: Uint8Array, info: DataInfo): void;
  /** A ping arrived; the pong was already queued. */
  onPing?(data: Uint8Array): void;
  /** A pong arrived (solicited or not). */
  onPong?(data: Uint8Array): void;
  /** The peer's close frame arrived (code 1005 when it had none); `onClose` follows. */
  onCloseReceived?(code: number, reason: string): void;
  /** Terminal: the WebSocket connection is closed. */
  onClose(info: DriverCloseInfo): void;
  /**
   * Terminal: the connection ended without a close — a `ConnectionClosedError`
   * (`ERR_CONNECTION_ABORTED`, `ERR_CONNECTION_RESET`, `ERR_PEER_UNRESPONSIVE`) or a `TimeoutError`.
   */
  onError(error: NetSocketsError): void;
  /** Buffered output fell below the high-water mark after having reached it. */
  onDrain?(): void;
}

/** Driver settings; all optional. Times are milliseconds; 0 (or Infinity) turns a timeout off. */
export interface DriverOptions extends KeepaliveOptions {
  /** Bytes that arrived after the handshake's header (the `head` of an upgrade). */
  readonly head?: Uint8Array;
  /**
   * How long to wait for the peer's close frame after ours, and after a clean close for the
   * TCP end (the client waits for the server to close first). Default 30 000.
   */
  readonly closeTimeoutMs?: number;
  /** A send whose bytes make no progress into the kernel for this long fails the connection. Default 30 000. */
  readonly sendTimeoutMs?: number;
  /** A started incoming message that receives nothing for this long fails the connection. Default 30 000. */
  readonly messageTimeoutMs?: number;
  /**
   * `outboundBufferSizeInBytes`: the buffered output at which sends start to wait and `onDrain`
   * is armed (Node has no SO_SNDBUF setter). Default 65 536.
   */
  readonly outboundBufferSizeInBytes?: number;
  /** The clock of the bandwidth statistics (tests). Default `performance.now`. */
  readonly clock?: Clock;
  /**
   * The extensions given to the `Connection` (the same objects). The Connection never releases
   * them; the driver calls each one's `close()` once, after the connection has ended (socket
   * closed) and no decode or encode is pending — before the driver's `done` resolves.
   */
  readonly extensions?: readonly Extension[];
  /**
   * Called once, with the driver, when the connection is over — when {@link Driver.done}
   * resolves (socket closed, timers cleared, extensions released). One function can serve every
   * driver of a server, so its bookkeeping costs no promise or closure per connection. A throwing
   * callback is reported as a listener error.
   */
  readonly onDone?: (driver: Driver) => void;
}
