// @netsockets/stream: StreamWebSocket and StreamWebSocketListener.

export { StreamWebSocketConnectionReceivedEventArgs } from "./connection-received-event-args.js";
export { MAX_FRAME_SIZE } from "./outbound-stream.js";
export {
  StreamWebSocket,
  type StreamWebSocketConnectOptions,
  type StreamWebSocketDuplexOptions,
  type StreamWebSocketEventMap,
} from "./stream-web-socket.js";
export {
  DEFAULT_INBOUND_BUFFER_SIZE,
  DEFAULT_STREAM_OUTBOUND_BUFFER_SIZE,
  StreamWebSocketControl,
  type StreamWebSocketControlOptions,
} from "./stream-web-socket-control.js";
export { StreamWebSocketInformation } from "./stream-web-socket-information.js";
export {
  StreamWebSocketListener,
  type StreamWebSocketListenerEventMap,
  StreamWebSocketListenerInformation,
} from "./stream-web-socket-listener.js";
export {
  type ServerCertificate,
  StreamWebSocketListenerControl,
  type StreamWebSocketListenerControlOptions,
} from "./stream-web-socket-listener-control.js";
