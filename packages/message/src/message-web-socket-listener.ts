import {
  type AcceptedUpgrade,
  acceptedConnectionInformation,
  type ListenerAddress,
  WebSocketListener,
  WebSocketListenerInformation,
  type WebSocketListenerKind,
} from "@netsockets/node";
import { MessageWebSocketConnectionReceivedEventArgs } from "./connection-received-event-args.js";
import {
  adoptAcceptedSocket,
  lockAcceptedReceivers,
  MessageWebSocket,
} from "./message-web-socket.js";
import {
  acceptedSocketOptions,
  MessageWebSocketListenerControl,
  type MessageWebSocketListenerControlOptions,
} from "./message-web-socket-listener-control.js";

/** The events of a {@link MessageWebSocketListener}. */
export interface MessageWebSocketListenerEventMap {
  /** A client connected; `args.socket` is the accepted `MessageWebSocket`. */
  connectionreceived: MessageWebSocketConnectionReceivedEventArgs;
}

/**
 * Facts about a listener (modelled on `StreamSocketListenerInformation`): the bound port and
 * address, `null` until bound. Every member comes from `WebSocketListenerInformation` (shared
 * with `StreamWebSocketListenerInformation`).
 */
export class MessageWebSocketListenerInformation extends WebSocketListenerInformation {}

/** How a `MessageWebSocketListener` makes its parts and its sockets. */
const MESSAGE_LISTENER: WebSocketListenerKind<
  MessageWebSocketListenerControlOptions,
  MessageWebSocketListenerControl,
  MessageWebSocketListenerInformation,
  MessageWebSocketConnectionReceivedEventArgs
> = Object.freeze({
  control: (started: () => boolean, options: MessageWebSocketListenerControlOptions) =>
    new MessageWebSocketListenerControl(started, options),
  information: (address: ListenerAddress) => new MessageWebSocketListenerInformation(address),
  accept(upgrade: AcceptedUpgrade, control: MessageWebSocketListenerControl) {
    const socket = new MessageWebSocket(acceptedSocketOptions(control));
    adoptAcceptedSocket(
      socket,
      acceptedConnectionInformation(upgrade),
      (connection, handler, options) => upgrade.start(connection, handler, options),
    );
    return new MessageWebSocketConnectionReceivedEventArgs(socket, upgrade.request);
  },
  // Every connectionreceived listener could still add messagereceived listeners; no more now.
  dispatched: (args: MessageWebSocketConnectionReceivedEventArgs) =>
    lockAcceptedReceivers(args.socket),
});

/**
 * A WebSocket server handing out `MessageWebSocket`s — the server side WinRT lacks, modelled on
 * `StreamSocketListener` (design §3). Bind it with {@link bindServiceNameAsync} /
 * {@link bindEndpointAsync} (serving `wss://` when `control.serverCertificate` is set), or attach
 * it to an existing `http`/`https` server with {@link handleUpgrade}. Each accepted connection
 * raises `connectionreceived` with a connected socket that has the client's API. Binding,
 * `handleUpgrade`, `close` and the `connectionreceived` slot come from `WebSocketListener`
 * (@netsockets/node, shared with `StreamWebSocketListener`).
 *
 * Upgrades are validated (RFC 6455 §4.2.1), checked against `control.allowedOrigins` and
 * `control.upgradeHook`, and refused with `503` while no `connectionreceived` listener is
 * attached (nobody would own the socket). {@link close} is graceful: new upgrades get `503`,
 * open sockets are closed with 1001 and, after the timeout, destroyed.
 *
 * @example
 * ```ts
 * const listener = new MessageWebSocketListener();
 * listener.addEventListener("connectionreceived", ({ socket }) => {
 *   socket.addEventListener("messagereceived", (args) => {
 *     const reader = args.getDataReader();
 *     socket.control.messageType = args.messageType; // echo with the same type
 *     void socket.sendAsync(reader.readBuffer(reader.unconsumedBufferLength));
 *   });
 * });
 * await listener.bindServiceNameAsync("0");
 * console.log(`ws://127.0.0.1:${listener.information.localPort}/`);
 * ```
 */
export class MessageWebSocketListener extends WebSocketListener<
  MessageWebSocketListenerControlOptions,
  MessageWebSocketListenerControl,
  MessageWebSocketListenerInformation,
  MessageWebSocketListenerEventMap
> {
  /** Creates an unbound listener; `options` pre-sets `control` properties. */
  constructor(options: MessageWebSocketListenerControlOptions = {}) {
    super(MESSAGE_LISTENER, options);
  }
}
