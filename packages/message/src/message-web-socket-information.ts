export {
  type ConnectedInformation,
  connectionFacts,
  type InformationSource,
  recordConnection,
} from "@netsockets/node";

import { WebSocketInformation } from "@netsockets/node";

/**
 * `Windows.Networking.Sockets.MessageWebSocketInformation` (reference/uwp-api.md §6): read-only
 * facts about the connection, readable at any time — before connect (`null`s, empty lists, zero
 * statistics), while connected, and after close (the values of the last connection). Every
 * member comes from `WebSocketInformation` (shared with `StreamWebSocketInformation`).
 *
 * @example
 * ```ts
 * await socket.connectAsync("wss://chat.example/");
 * console.log(socket.information.protocol, socket.information.serverCertificate?.subject);
 * ```
 */
export class MessageWebSocketInformation extends WebSocketInformation {}
