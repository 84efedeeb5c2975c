import type { ClosedBy, ProtocolError } from "@netsockets/errors";

/**
 * A piece of a data message. The parser hands payload on as it arrives, so one frame may
 * become several `data` events; `frameFinished` marks the last piece of a frame, `fin` is the
 * frame's FIN bit, and `messageFinished` (= `fin && frameFinished`) the last piece of a message.
 * How a message is cut into pieces depends on how the bytes arrived; the bytes do not.
 *
 * For text, every byte of `data` has passed incremental UTF-8 validation: a code point may be
 * split across two events, and the text is complete and valid once `messageFinished` is true.
 * Empty pieces are reported only when they start or finish a message.
 *
 * `data` is a view into a buffer the Connection owns and never writes again; keep it or copy it.
 */
export interface DataEvent {
  readonly type: "data";
  /** `true` for a binary message, `false` for text. */
  readonly binary: boolean;
  /** Payload bytes (unmasked, decoded by extensions). May be a view into a larger buffer. */
  readonly data: Uint8Array;
  /** `true` on the first piece of a message. */
  readonly messageStarted: boolean;
  /** The FIN bit of the frame this piece belongs to. */
  readonly fin: boolean;
  /** `true` on the last piece of a frame. */
  readonly frameFinished: boolean;
  /** `true` on the last piece of a message. */
  readonly messageFinished: boolean;
}

/** A ping arrived; the Connection has already queued the pong that answers it. */
export interface PingEvent {
  readonly type: "ping";
  readonly data: Uint8Array;
}

/** A pong arrived (solicited or not). */
export interface PongEvent {
  readonly type: "pong";
  readonly data: Uint8Array;
}

/**
 * The peer's close frame arrived. When we had not sent one, the Connection has already queued
 * the echo; the `close` event follows once both sides have sent theirs.
 */
export interface CloseReceivedEvent {
  readonly type: "close-received";
  /** The code in the peer's frame, or 1005 when it had none. */
  readonly code: number;
  readonly reason: string;
}

/**
 * The WebSocket connection is closed: the closing handshake completed, the connection failed
 * (we sent the close frame of a violation), or the transport ended first (1006).
 * After this event the Connection discards all input; the driver ends the TCP connection.
 */
export interface CloseEvent {
  readonly type: "close";
  /** The code to report: the peer's (1005 if none) after a handshake, the one we sent on a failure, 1006 on EOF. */
  readonly code: number;
  readonly reason: string;
  /** Whether both close frames were exchanged. */
  readonly wasClean: boolean;
  /** Who started the close: `"local"`, `"remote"`, or `"transport"` for EOF without a close frame. */
  readonly closedBy: ClosedBy;
  /** The peer's violation, when the connection failed because of one. */
  readonly error?: ProtocolError;
}

/** Everything a Connection reports, as a discriminated union on `type`. */
export type ConnectionEvent = DataEvent | PingEvent | PongEvent | CloseReceivedEvent | CloseEvent;
