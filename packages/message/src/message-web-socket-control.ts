import {
  type ApplyControlOptionsOrder,
  applyControlOptions,
  assertControlUnlocked,
  type ControlOwner,
  checkUInt32,
  DEFAULT_OUTBOUND_BUFFER_SIZE,
  UINT32_MAX,
  WebSocketControl,
  type WebSocketControlOptions,
} from "@netsockets/node";
import { DEFAULT_MAX_FRAGMENTS, DEFAULT_MAX_MESSAGE_SIZE } from "@netsockets/protocol";
import { checkReceiveMode, MessageWebSocketReceiveMode } from "./receive-mode.js";
import { checkSocketMessageType, SocketMessageType } from "./socket-message-type.js";

/** The settable properties of a {@link MessageWebSocketControl}, for `new MessageWebSocket(options)`. */
export interface MessageWebSocketControlOptions extends WebSocketControlOptions {
  readonly messageType?: SocketMessageType;
  readonly maxMessageSize?: number;
  readonly maxFragments?: number;
  readonly receiveMode?: MessageWebSocketReceiveMode;
}

/** What the control asks its socket (shared by both socket kinds, from @netsockets/node). */
export type { ControlOwner };

/** receiveMode, then maxMessageSize, then the rest: the maxMessageSize default depends on it. */
const OPTION_ORDER: ApplyControlOptionsOrder<
  MessageWebSocketControl,
  MessageWebSocketControlOptions
> = Object.freeze({
  first(
    control: MessageWebSocketControl,
    { receiveMode, maxMessageSize }: MessageWebSocketControlOptions,
  ): void {
    if (receiveMode !== undefined) control.receiveMode = receiveMode;
    if (maxMessageSize !== undefined) control.maxMessageSize = maxMessageSize;
  },
  firstKeys: Object.freeze(["receiveMode", "maxMessageSize"]),
});

/**
 * `Windows.Networking.Sockets.MessageWebSocketControl` (reference/uwp-api.md §5), plus the
 * timeouts, keepalive and connection options of the Node driver. Created with its socket and the
 * same object for the socket's lifetime (`socket.control`). The members it shares with
 * `StreamWebSocketControl` come from `WebSocketControl` (@netsockets/node); the message type,
 * receive mode and message limits are its own.
 *
 * When a property may change (reference §17.2; the decisions where WinRT is silent are in the
 * README): `messageType` at any time (it applies to sends started afterwards);
 * `outboundBufferSizeInBytes` is accepted after connect with no effect; `supportedProtocols` and
 * `ignorableServerCertificateErrors` are lists read when `connectAsync` starts, so later edits are
 * ignored until a retry after a failed connect; every other setter throws `InvalidStateError`
 * (`ERR_INVALID_STATE`, `E_ILLEGAL_METHOD_CALL`) from `connectAsync` on — also after close — and
 * is allowed again once a connect has failed.
 *
 * @example
 * ```ts
 * const socket = new MessageWebSocket();
 * socket.control.messageType = SocketMessageType.utf8;
 * socket.control.supportedProtocols.push("chat.v1");
 * socket.control.maxMessageSize = 1 << 20;
 * await socket.connectAsync("wss://chat.example/");
 * ```
 */
export class MessageWebSocketControl extends WebSocketControl {
  #messageType: SocketMessageType = SocketMessageType.binary;
  #maxMessageSize: number | undefined;
  #maxFragments = DEFAULT_MAX_FRAGMENTS;
  #receiveMode: MessageWebSocketReceiveMode = MessageWebSocketReceiveMode.fullMessage;

  /** Made by its socket (`socket.control`). */
  constructor(owner: ControlOwner, options: MessageWebSocketControlOptions = {}) {
    super(owner, DEFAULT_OUTBOUND_BUFFER_SIZE);
    applyControlOptions(this, options, OPTION_ORDER);
  }

  /**
   * The kind of message that sends produce: `storeAsync` through `outputStream`, `sendAsync` of
   * bytes, and `sendFinalFrameAsync` / `sendNonfinalFrameAsync`. Default
   * {@link SocketMessageType.binary}. Changeable at any time; each send takes the value at the
   * moment it is called. It does not affect how received messages are typed.
   */
  get messageType(): SocketMessageType {
    return this.#messageType;
  }
  set messageType(value: SocketMessageType) {
    this.#messageType = checkSocketMessageType(value);
  }

  /**
   * The largest message received, in bytes (UInt32); `0xFFFFFFFF` means no limit (WinRT's
   * "INFINITE"). Default: 64 MiB in `fullMessage` mode (a whole message is held in memory), no
   * limit in `partialMessage` mode (memory stays bounded). A bigger message fails the connection
   * with close code 1009 and raises a last `messagereceived` whose readers throw
   * `MessageTooBigError`. Before connect only.
   */
  get maxMessageSize(): number {
    if (this.#maxMessageSize !== undefined) return this.#maxMessageSize;
    return this.#receiveMode === MessageWebSocketReceiveMode.partialMessage
      ? UINT32_MAX
      : DEFAULT_MAX_MESSAGE_SIZE;
  }
  set maxMessageSize(value: number) {
    checkUInt32("maxMessageSize", value);
    assertControlUnlocked(this, "maxMessageSize");
    this.#maxMessageSize = value;
  }

  /**
   * The most frames one incoming message may arrive in (UInt32); `0xFFFFFFFF` means no limit.
   * Default 131 072 (as `ws`). More fails the connection with close code 1008. Before connect
   * only. A netsockets addition: WinRT has no such limit.
   */
  get maxFragments(): number {
    return this.#maxFragments;
  }
  set maxFragments(value: number) {
    checkUInt32("maxFragments", value);
    assertControlUnlocked(this, "maxFragments");
    this.#maxFragments = value;
  }

  /** Whole messages or sections as they arrive. Default `fullMessage`. Before connect only. */
  get receiveMode(): MessageWebSocketReceiveMode {
    return this.#receiveMode;
  }
  set receiveMode(value: MessageWebSocketReceiveMode) {
    checkReceiveMode(value);
    assertControlUnlocked(this, "receiveMode");
    this.#receiveMode = value;
  }
}
