import {
  type AcceptedUpgrade,
  acceptedConnectionInformation,
  type ListenerAddress,
  WebSocketListener,
  WebSocketListenerInformation,
  type WebSocketListenerKind,
} from "@netsockets/node";
import { StreamWebSocketConnectionReceivedEventArgs } from "./connection-received-event-args.js";
import { adoptAcceptedSocket, StreamWebSocket } from "./stream-web-socket.js";
import {
  StreamWebSocketListenerControl,
  type StreamWebSocketListenerControlOptions,
} from "./stream-web-socket-listener-control.js";

/** The events of a {@link StreamWebSocketListener}. */
export interface StreamWebSocketListenerEventMap {
  /** A client connected; `args.socket` is the accepted `StreamWebSocket`. */
  connectionreceived: StreamWebSocketConnectionReceivedEventArgs;
}

/**
 * Facts about a listener (modelled on `StreamSocketListenerInformation`): the bound port and
 * address, `null` until bound. Every member comes from `WebSocketListenerInformation` (shared
 * with `MessageWebSocketListenerInformation`).
 */
export class StreamWebSocketListenerInformation extends WebSocketListenerInformation {}

/** How a `StreamWebSocketListener` makes its parts and its sockets. */
const STREAM_LISTENER: WebSocketListenerKind<
  StreamWebSocketListenerControlOptions,
  StreamWebSocketListenerControl,
  StreamWebSocketListenerInformation,
  StreamWebSocketConnectionReceivedEventArgs
> = Object.freeze({
  control: (started: () => boolean, options: StreamWebSocketListenerControlOptions) =>
    new StreamWebSocketListenerControl(started, options),
  information: (address: ListenerAddress) => new StreamWebSocketListenerInformation(address),
  // Bytes that arrive while connectionreceived listeners run wait in the socket's input buffer.
  accept(upgrade: AcceptedUpgrade, control: StreamWebSocketListenerControl) {
    const socket = new StreamWebSocket(control.socketOptions());
    adoptAcceptedSocket(
      socket,
      acceptedConnectionInformation(upgrade),
      (connection, handler, options) => upgrade.start(connection, handler, options),
    );
    return new StreamWebSocketConnectionReceivedEventArgs(socket, upgrade.request);
  },
});

/**
 * A WebSocket server handing out `StreamWebSocket`s — the server side WinRT lacks, modelled on
 * `StreamSocketListener` (design §3). Bind it with {@link bindServiceNameAsync} /
 * {@link bindEndpointAsync} (serving `wss://` when `control.serverCertificate` is set), or attach
 * it to an existing `http`/`https` server with {@link handleUpgrade}. Each accepted connection
 * raises `connectionreceived` with a connected socket that has the client's API. Binding,
 * `handleUpgrade`, `close` and the `connectionreceived` slot come from `WebSocketListener`
 * (@netsockets/node, shared with `MessageWebSocketListener`).
 *
 * Upgrades are validated (RFC 6455 §4.2.1), checked against `control.allowedOrigins` and
 * `control.upgradeHook`, and refused with `503` while no `connectionreceived` listener is
 * attached (nobody would own the socket). {@link close} is graceful: new upgrades get `503`,
 * open sockets are closed with 1001 and, after the timeout, destroyed.
 *
 * @example
 * ```ts
 * const listener = new StreamWebSocketListener();
 * listener.addEventListener("connectionreceived", ({ socket }) => {
 *   // Echo: every byte read goes back (as one binary message per read).
 *   void (async () => {
 *     const buffer = new Uint8Array(64 * 1024);
 *     for (;;) {
 *       const bytes = await socket.inputStream.readAsync(buffer, buffer.length, InputStreamOptions.partial);
 *       if (bytes.length === 0) break; // the client closed
 *       await socket.outputStream.writeAsync(bytes);
 *     }
 *   })();
 * });
 * await listener.bindServiceNameAsync("0");
 * console.log(`ws://127.0.0.1:${listener.information.localPort}/`);
 * ```
 */
export class StreamWebSocketListener extends WebSocketListener<
  StreamWebSocketListenerControlOptions,
  StreamWebSocketListenerControl,
  StreamWebSocketListenerInformation,
  StreamWebSocketListenerEventMap
> {
  /** Creates an unbound listener; `options` pre-sets `control` properties. */
  constructor(options: StreamWebSocketListenerControlOptions = {}) {
    super(STREAM_LISTENER, options);
  }
}
