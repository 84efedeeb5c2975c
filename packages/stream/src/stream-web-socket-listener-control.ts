import {
  applyListenerControlOptions,
  checkSize,
  type ServerCertificate,
  WebSocketListenerControl,
  type WebSocketListenerControlOptions,
} from "@netsockets/node";
import {
  DEFAULT_INBOUND_BUFFER_SIZE,
  DEFAULT_STREAM_OUTBOUND_BUFFER_SIZE,
  type StreamWebSocketControlOptions,
} from "./stream-web-socket-control.js";

/** The TLS identity of a `wss://` listener (shared by both socket kinds, from @netsockets/node). */
export type { ServerCertificate };

/** The settable properties of a {@link StreamWebSocketListenerControl}, for `new StreamWebSocketListener(options)`. */
export interface StreamWebSocketListenerControlOptions extends WebSocketListenerControlOptions {
  readonly inboundBufferSizeInBytes?: number;
}

/**
 * The settings of a `StreamWebSocketListener`: what it accepts (subprotocols, origins, the
 * accept/refuse hook, handshake limits, the TLS certificate for `wss://`) and the control of the
 * sockets it hands out (buffer sizes, Nagle, timeouts, keepalive). The members it shares with
 * `MessageWebSocketListenerControl` come from `WebSocketListenerControl` (@netsockets/node);
 * `inboundBufferSizeInBytes` is its own.
 *
 * Changes apply to connections accepted afterwards. `serverCertificate`, `handshakeTimeoutMs`,
 * `maxHeaderSize` and `maxHeadersCount` configure the HTTP server itself: they throw
 * `InvalidStateError` once the listener is bound (or has taken its first `handleUpgrade`).
 *
 * @example
 * ```ts
 * const listener = new StreamWebSocketListener();
 * listener.control.supportedProtocols.push("chat.v1");
 * listener.control.allowedOrigins = ["https://app.example"];
 * listener.control.inboundBufferSizeInBytes = 4 << 20;
 * listener.control.upgradeHook = (request) =>
 *   request.url === "/chat" ? undefined : { accept: false, status: 404 };
 * ```
 */
export class StreamWebSocketListenerControl extends WebSocketListenerControl {
  #inboundBufferSizeInBytes = DEFAULT_INBOUND_BUFFER_SIZE;

  /** Made by its listener (`listener.control`). */
  constructor(started: () => boolean, options: StreamWebSocketListenerControlOptions = {}) {
    super(started, DEFAULT_STREAM_OUTBOUND_BUFFER_SIZE);
    applyListenerControlOptions(this, options);
  }

  /** `control.inboundBufferSizeInBytes` of accepted sockets (default 1 MiB). */
  get inboundBufferSizeInBytes(): number {
    return this.#inboundBufferSizeInBytes;
  }
  set inboundBufferSizeInBytes(value: number) {
    this.#inboundBufferSizeInBytes = checkSize("inboundBufferSizeInBytes", value);
  }

  /** The control options an accepted socket starts with (internal). */
  socketOptions(): StreamWebSocketControlOptions {
    return {
      outboundBufferSizeInBytes: this.outboundBufferSizeInBytes,
      inboundBufferSizeInBytes: this.#inboundBufferSizeInBytes,
      noDelay: this.noDelay,
      closeTimeoutMs: this.closeTimeoutMs,
      sendTimeoutMs: this.sendTimeoutMs,
      messageTimeoutMs: this.messageTimeoutMs,
      pingIntervalMs: this.pingIntervalMs,
      pingTimeoutMs: this.pingTimeoutMs,
      desiredUnsolicitedPongInterval: this.desiredUnsolicitedPongInterval,
    };
  }
}
