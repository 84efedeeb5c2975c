// @netsockets/message: MessageWebSocket and MessageWebSocketListener.

export { MessageWebSocketConnectionReceivedEventArgs } from "./connection-received-event-args.js";
export {
  ITERATOR_HIGH_WATER_BYTES,
  ITERATOR_HIGH_WATER_COUNT,
} from "./message-queue.js";
export { MessageWebSocketMessageReceivedEventArgs } from "./message-received-event-args.js";
export {
  type ConnectAsyncOptions,
  MessageWebSocket,
  type MessageWebSocketEventMap,
  type MessageWebSocketListenerOf,
  type SendAsyncOptions,
} from "./message-web-socket.js";
export {
  MessageWebSocketControl,
  type MessageWebSocketControlOptions,
} from "./message-web-socket-control.js";
export { MessageWebSocketInformation } from "./message-web-socket-information.js";
export {
  MessageWebSocketListener,
  type MessageWebSocketListenerEventMap,
  MessageWebSocketListenerInformation,
} from "./message-web-socket-listener.js";
export {
  MessageWebSocketListenerControl,
  type MessageWebSocketListenerControlOptions,
  type ServerCertificate,
} from "./message-web-socket-listener-control.js";
export { MessageWebSocketReceiveMode } from "./receive-mode.js";
export { SocketMessageType } from "./socket-message-type.js";
