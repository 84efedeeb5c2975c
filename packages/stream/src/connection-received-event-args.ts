import type { UpgradeRequest } from "@netsockets/node";
import type { StreamWebSocket } from "./stream-web-socket.js";

/**
 * The argument of a listener's `connectionreceived` event (modelled on WinRT's
 * `StreamSocketListenerConnectionReceivedEventArgs`): the accepted socket, connected, with the
 * same API as a client.
 *
 * Set the socket up inside the listener — a `closed` listener, a read loop: no frame is read
 * from it before every `connectionreceived` listener has returned, and bytes that arrive before
 * the first read wait in the socket's input buffer (bounded: the socket stops reading when it is
 * full).
 */
export class StreamWebSocketConnectionReceivedEventArgs {
  /** The accepted socket. */
  readonly socket: StreamWebSocket;
  /** The upgrade request it was accepted from (URL, headers, origin, offered subprotocols, peer address). */
  readonly request: UpgradeRequest;

  /** Made by the listener. */
  constructor(socket: StreamWebSocket, request: UpgradeRequest) {
    this.socket = socket;
    this.request = request;
  }
}
