import {
  applyListenerControlOptions,
  checkUInt32,
  DEFAULT_OUTBOUND_BUFFER_SIZE,
  type ServerCertificate,
  WebSocketListenerControl,
  type WebSocketListenerControlOptions,
} from "@netsockets/node";
import { DEFAULT_MAX_FRAGMENTS } from "@netsockets/protocol";
import type { MessageWebSocketControlOptions } from "./message-web-socket-control.js";
import { checkReceiveMode, MessageWebSocketReceiveMode } from "./receive-mode.js";
import { checkSocketMessageType, SocketMessageType } from "./socket-message-type.js";

/** The TLS identity of a `wss://` listener (shared by both socket kinds, from @netsockets/node). */
export type { ServerCertificate };

/** The settable properties of a {@link MessageWebSocketListenerControl}, for `new MessageWebSocketListener(options)`. */
export interface MessageWebSocketListenerControlOptions extends WebSocketListenerControlOptions {
  readonly messageType?: SocketMessageType;
  readonly receiveMode?: MessageWebSocketReceiveMode;
  readonly maxMessageSize?: number | null;
  readonly maxFragments?: number;
}

let optionsOf: (control: MessageWebSocketListenerControl) => MessageWebSocketControlOptions;
/** Whether {@link optionsOf} would give `control` exactly `options` now (reads, no allocation). */
let optionsAre: (
  control: MessageWebSocketListenerControl,
  options: MessageWebSocketControlOptions,
) => boolean;

/**
 * The settings of a `MessageWebSocketListener`: what it accepts (subprotocols, origins, the
 * accept/refuse hook, handshake limits, the TLS certificate for `wss://`) and the control of the
 * sockets it hands out (message type, receive mode, limits, timeouts, keepalive). The members it
 * shares with `StreamWebSocketListenerControl` come from `WebSocketListenerControl`
 * (@netsockets/node); the message type, receive mode and message limits are its own.
 *
 * Changes apply to connections accepted afterwards. `serverCertificate`, `handshakeTimeoutMs`,
 * `maxHeaderSize` and `maxHeadersCount` configure the HTTP server itself: they throw
 * `InvalidStateError` once the listener is bound (or has taken its first `handleUpgrade`).
 *
 * @example
 * ```ts
 * const listener = new MessageWebSocketListener();
 * listener.control.supportedProtocols.push("chat.v1");
 * listener.control.allowedOrigins = ["https://app.example"];
 * listener.control.receiveMode = MessageWebSocketReceiveMode.partialMessage;
 * listener.control.upgradeHook = (request) =>
 *   request.url === "/chat" ? undefined : { accept: false, status: 404 };
 * ```
 */
export class MessageWebSocketListenerControl extends WebSocketListenerControl {
  #messageType: SocketMessageType = SocketMessageType.binary;
  #receiveMode: MessageWebSocketReceiveMode = MessageWebSocketReceiveMode.fullMessage;
  #maxMessageSize: number | null = null;
  #maxFragments = DEFAULT_MAX_FRAGMENTS;

  /** Made by its listener (`listener.control`). */
  constructor(started: () => boolean, options: MessageWebSocketListenerControlOptions = {}) {
    super(started, DEFAULT_OUTBOUND_BUFFER_SIZE);
    applyListenerControlOptions(this, options);
  }

  /** `control.messageType` of accepted sockets (default binary; each socket may change its own). */
  get messageType(): SocketMessageType {
    return this.#messageType;
  }
  set messageType(value: SocketMessageType) {
    this.#messageType = checkSocketMessageType(value);
  }

  /** `control.receiveMode` of accepted sockets (default fullMessage). */
  get receiveMode(): MessageWebSocketReceiveMode {
    return this.#receiveMode;
  }
  set receiveMode(value: MessageWebSocketReceiveMode) {
    this.#receiveMode = checkReceiveMode(value);
  }

  /**
   * `control.maxMessageSize` of accepted sockets; `null` (default) takes the socket default
   * (64 MiB in fullMessage mode, no limit in partialMessage mode).
   */
  get maxMessageSize(): number | null {
    return this.#maxMessageSize;
  }
  set maxMessageSize(value: number | null) {
    if (value !== null) checkUInt32("maxMessageSize", value);
    this.#maxMessageSize = value;
  }

  /** `control.maxFragments` of accepted sockets (default 131 072; 0xFFFFFFFF: no limit). */
  get maxFragments(): number {
    return this.#maxFragments;
  }
  set maxFragments(value: number) {
    this.#maxFragments = checkUInt32("maxFragments", value);
  }

  static {
    // Per accepted connection: the shared members are read through their getters (no copy of
    // the base's fields), in the order the options always had.
    optionsOf = (c) => ({
      messageType: c.#messageType,
      receiveMode: c.#receiveMode,
      ...(c.#maxMessageSize === null ? {} : { maxMessageSize: c.#maxMessageSize }),
      maxFragments: c.#maxFragments,
      outboundBufferSizeInBytes: c.outboundBufferSizeInBytes,
      noDelay: c.noDelay,
      closeTimeoutMs: c.closeTimeoutMs,
      sendTimeoutMs: c.sendTimeoutMs,
      messageTimeoutMs: c.messageTimeoutMs,
      pingIntervalMs: c.pingIntervalMs,
      pingTimeoutMs: c.pingTimeoutMs,
      desiredUnsolicitedPongInterval: c.desiredUnsolicitedPongInterval,
    });
    // The same members as optionsOf, compared (keep the two lists together).
    optionsAre = (c, o) =>
      o.messageType === c.#messageType &&
      o.receiveMode === c.#receiveMode &&
      (o.maxMessageSize ?? null) === c.#maxMessageSize &&
      o.maxFragments === c.#maxFragments &&
      o.outboundBufferSizeInBytes === c.outboundBufferSizeInBytes &&
      o.noDelay === c.noDelay &&
      o.closeTimeoutMs === c.closeTimeoutMs &&
      o.sendTimeoutMs === c.sendTimeoutMs &&
      o.messageTimeoutMs === c.messageTimeoutMs &&
      o.pingIntervalMs === c.pingIntervalMs &&
      o.pingTimeoutMs === c.pingTimeoutMs &&
      o.desiredUnsolicitedPongInterval === c.desiredUnsolicitedPongInterval;
  }
}

/** What a listener control that nobody changed hands out: the socket control's defaults. */
let defaultOptions: Readonly<Record<string, unknown>> | undefined;

/** Each listener control's last answer of {@link acceptedSocketOptions}, and the values it was made from. */
const lastAnswers = new WeakMap<
  MessageWebSocketListenerControl,
  { readonly all: MessageWebSocketControlOptions; readonly changed: MessageWebSocketControlOptions }
>();

/**
 * The control options an accepted socket starts with (internal to the listener): only those that
 * differ from the defaults. Every accepted socket builds its `MessageWebSocketControl` from these
 * through the validating setters (RESULTS item 10: 0.9 % of a server accepting connections in a
 * loop); a listener's defaults are the socket control's own (the same constants), so leaving them
 * out skips their re-validation and changes no value. A listener whose control did not change
 * since its last accept gets the same (frozen) object again: no options record, key list and
 * iterator per connection.
 */
export function acceptedSocketOptions(
  control: MessageWebSocketListenerControl,
): MessageWebSocketControlOptions {
  const last = lastAnswers.get(control);
  if (last !== undefined && optionsAre(control, last.all)) return last.changed;
  if (defaultOptions === undefined) {
    defaultOptions = optionsOf(new MessageWebSocketListenerControl(() => false)) as Readonly<
      Record<string, unknown>
    >;
  }
  const defaults = defaultOptions;
  const all = optionsOf(control);
  const values = all as Record<string, unknown>;
  const changed: Record<string, unknown> = {};
  for (const key of Object.keys(values)) {
    if (values[key] !== defaults[key]) changed[key] = values[key];
  }
  const answer = Object.freeze(changed) as MessageWebSocketControlOptions;
  lastAnswers.set(control, { all, changed: answer });
  return answer;
}
