import type { UpgradeRequest } from "@netsockets/node";
import type { MessageWebSocket } from "./message-web-socket.js";

/**
 * The argument of a listener's `connectionreceived` event (modelled on WinRT's
 * `StreamSocketListenerConnectionReceivedEventArgs`): the accepted socket, connected, with the
 * same API as a client.
 *
 * Set the socket up inside the listener — `messagereceived` listeners, an async iteration, a
 * `closed` listener: no frame is read from it before every `connectionreceived` listener has
 * returned, and adding `messagereceived` listeners afterwards throws, as after a client's
 * `connectAsync`.
 */
export class MessageWebSocketConnectionReceivedEventArgs {
  /** The accepted socket. */
  readonly socket: MessageWebSocket;
  /** The upgrade request it was accepted from (URL, headers, origin, offered subprotocols, peer address). */
  readonly request: UpgradeRequest;

  /** Made by the listener. */
  constructor(socket: MessageWebSocket, request: UpgradeRequest) {
    this.socket = socket;
    this.request = request;
  }
}
