export {
  type ConnectedInformation,
  connectionFacts,
  type InformationSource,
  recordConnection,
} from "@netsockets/node";

import { WebSocketInformation } from "@netsockets/node";

/**
 * `Windows.Networking.Sockets.StreamWebSocketInformation` (reference/uwp-api.md §8.2): read-only
 * facts about the connection, readable at any time — before connect (`null`s, empty lists, zero
 * statistics), while connected, and after close (the values of the last connection). As in
 * WinRT there is no round-trip-time member (that exists only on `StreamSocketInformation`).
 * Every member comes from `WebSocketInformation` (shared with `MessageWebSocketInformation`).
 *
 * @example
 * ```ts
 * await socket.connectAsync("wss://chat.example/");
 * console.log(socket.information.protocol, socket.information.serverCertificate?.subject);
 * ```
 */
export class StreamWebSocketInformation extends WebSocketInformation {}
