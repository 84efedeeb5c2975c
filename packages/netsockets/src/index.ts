// The netsockets facade: a curated list of re-exports, no logic (the layer check enforces it).
// A symbol is public API of `netsockets` only when it is listed here.

// Typed binary reading and writing — @netsockets/data
export type { IInputStream, IOutputStream } from "@netsockets/data";
export {
  ByteOrder,
  DataReader,
  DataWriter,
  fromBytes,
  fromReadable,
  fromReadableStream,
  fromWritable,
  fromWritableStream,
  InputStreamOptions,
  MemoryInputStream,
  MemoryOutputStream,
  toReadable,
  toReadableStream,
  toWritable,
  toWritableStream,
  UnicodeEncoding,
} from "@netsockets/data";
// Errors and statuses — @netsockets/errors
export type { ClosedBy, ErrorCodeInfo, HandshakeFailure } from "@netsockets/errors";
export {
  CertificateError,
  CloseCode,
  ConnectionClosedError,
  ErrorCode,
  HandshakeError,
  HResult,
  InvalidArgumentError,
  InvalidStateError,
  isReceivableCloseCode,
  isSendableCloseCode,
  MessageTooBigError,
  NetSocketsError,
  NetworkError,
  OperationCanceledError,
  ProtocolError,
  TimeoutError,
  WebErrorStatus,
  WebSocketError,
  webErrorStatusName,
} from "@netsockets/errors";
// Message WebSockets, client and server — @netsockets/message
export type {
  ConnectAsyncOptions,
  MessageWebSocketControlOptions,
  MessageWebSocketEventMap,
  MessageWebSocketListenerControlOptions,
  MessageWebSocketListenerEventMap,
  SendAsyncOptions,
  ServerCertificate,
} from "@netsockets/message";
export {
  MessageWebSocket,
  MessageWebSocketConnectionReceivedEventArgs,
  MessageWebSocketControl,
  MessageWebSocketInformation,
  MessageWebSocketListener,
  MessageWebSocketListenerControl,
  MessageWebSocketListenerInformation,
  MessageWebSocketMessageReceivedEventArgs,
  MessageWebSocketReceiveMode,
  SocketMessageType,
} from "@netsockets/message";
// The WinRT types both socket kinds share — @netsockets/node
export type {
  BandwidthStatistics,
  OriginPolicy,
  ServerCertificateInfo,
  TypedEvent,
  TypedEventListener,
  UpgradeDecision,
  UpgradeHook,
  UpgradeRequest,
} from "@netsockets/node";
export {
  ChainValidationResult,
  Deferral,
  PasswordCredential,
  SocketSslErrorSeverity,
  WebSocketClosedEventArgs,
  WebSocketServerCustomValidationRequestedEventArgs,
} from "@netsockets/node";
// Stream WebSockets, client and server — @netsockets/stream
export type {
  StreamWebSocketConnectOptions,
  StreamWebSocketControlOptions,
  StreamWebSocketDuplexOptions,
  StreamWebSocketEventMap,
  StreamWebSocketListenerControlOptions,
  StreamWebSocketListenerEventMap,
} from "@netsockets/stream";
export {
  StreamWebSocket,
  StreamWebSocketConnectionReceivedEventArgs,
  StreamWebSocketControl,
  StreamWebSocketInformation,
  StreamWebSocketListener,
  StreamWebSocketListenerControl,
  StreamWebSocketListenerInformation,
} from "@netsockets/stream";
