import {
  applyControlOptions,
  type ControlOwner,
  checkSize,
  WebSocketControl,
  type WebSocketControlOptions,
} from "@netsockets/node";

/**
 * Default `inboundBufferSizeInBytes`: received bytes the socket holds for a slow reader before it
 * stops reading from TCP (1 MiB).
 */
export const DEFAULT_INBOUND_BUFFER_SIZE = 1024 * 1024;

/**
 * Default `outboundBufferSizeInBytes` of a stream socket: 1 MiB in flight to the kernel before a
 * write waits (the message socket's is 64 KiB). A bulk sender that refills the socket 64 KiB at
 * a time wakes up four times as often and, on a busy machine, leaves the kernel's buffer empty
 * between wake-ups; 1 MiB measured 1.35× the throughput of 64 KiB (README, Performance).
 */
export const DEFAULT_STREAM_OUTBOUND_BUFFER_SIZE = 1024 * 1024;

/** The settable properties of a {@link StreamWebSocketControl}, for `new StreamWebSocket(options)`. */
export interface StreamWebSocketControlOptions extends WebSocketControlOptions {
  readonly inboundBufferSizeInBytes?: number;
}

/** What the control asks its socket (shared by both socket kinds, from @netsockets/node). */
export type { ControlOwner };

/** `actualUnsolicitedPongInterval` has no setter: refused as an option like an unknown name. */
const OPTION_ORDER = Object.freeze({ readOnly: Object.freeze(["actualUnsolicitedPongInterval"]) });

/**
 * `Windows.Networking.Sockets.StreamWebSocketControl` (reference/uwp-api.md §8.1), plus the
 * timeouts, keepalive and connection options of the Node driver and the receive buffer size.
 * Created with its socket, the same object for the socket's lifetime (`socket.control`). The
 * members it shares with `MessageWebSocketControl` come from `WebSocketControl`
 * (@netsockets/node); `inboundBufferSizeInBytes` is its own.
 *
 * After `connectAsync` (reference §17.2): `noDelay`, the credentials and every other setter throw
 * `InvalidStateError` (`ERR_INVALID_STATE`, `E_ILLEGAL_METHOD_CALL`) — also after close — and are
 * allowed again once a connect has failed; `outboundBufferSizeInBytes` and
 * `inboundBufferSizeInBytes` are accepted and have no effect on the running connection;
 * `supportedProtocols` and `ignorableServerCertificateErrors` are lists read when `connectAsync`
 * starts, so later edits are ignored until a retry after a failed connect.
 *
 * @example
 * ```ts
 * const socket = new StreamWebSocket();
 * socket.control.noDelay = false; // Nagle on (WinRT default: off)
 * socket.control.supportedProtocols.push("files.v1");
 * await socket.connectAsync("wss://files.example/upload");
 * ```
 */
export class StreamWebSocketControl extends WebSocketControl {
  #inboundBufferSizeInBytes = DEFAULT_INBOUND_BUFFER_SIZE;

  /** Made by its socket (`socket.control`). */
  constructor(owner: ControlOwner, options: StreamWebSocketControlOptions = {}) {
    super(owner, DEFAULT_STREAM_OUTBOUND_BUFFER_SIZE);
    applyControlOptions(this, options, OPTION_ORDER);
  }

  /**
   * Received bytes held for the reader before the socket stops reading from TCP (so a slow
   * reader slows the peer down instead of growing memory); reading resumes once half of them
   * were read. Default 1 MiB. A netsockets addition; like `outboundBufferSizeInBytes`, setting
   * it after connect is accepted and has no effect.
   */
  get inboundBufferSizeInBytes(): number {
    return this.#inboundBufferSizeInBytes;
  }
  set inboundBufferSizeInBytes(value: number) {
    this.#inboundBufferSizeInBytes = checkSize("inboundBufferSizeInBytes", value);
  }
}
