// node-core: the driver, the upgrade server, and the shared WinRT types.

export type { ConnectCancellation } from "./connect/connect-cancellation.js";
export type {
  ClientCertificate,
  ConnectOptions,
  CreateConnection,
  LookupFunction,
  UpgradedTransport,
} from "./connect/connect-options.js";
export { DEFAULT_CLIENT_HANDSHAKE_TIMEOUT_MS } from "./connect/handshake-deadline.js";
export { openWebSocketTransport } from "./connect/open-websocket-transport.js";
export { MAX_ADDRESSES } from "./connect/resolve-host.js";
export { DEFAULT_CONNECT_TIMEOUT_MS } from "./connect/tcp-connect.js";
export { parseWebSocketUri, type WebSocketUri } from "./connect/websocket-uri.js";
export {
  acceptServerAnswer,
  clientOfferOf,
  clientOffersOf,
  type DeflateOfferOptions,
  type DeflateParameters,
  negotiateServer,
  PERMESSAGE_DEFLATE,
  parametersOfAnswer,
  perMessageDeflateNegotiator,
  type ServerNegotiation,
} from "./deflate/deflate-negotiation.js";
export {
  DEFAULT_DEFLATE_THRESHOLD,
  PerMessageDeflate,
  type PerMessageDeflateOptions,
} from "./deflate/per-message-deflate.js";
export {
  DEFAULT_ZLIB_CONCURRENCY,
  setZlibConcurrency,
  zlibJobCounts,
} from "./deflate/zlib-limiter.js";
export {
  BANDWIDTH_WINDOW_MS,
  BandwidthMeter,
  type Clock,
} from "./driver/bandwidth-meter.js";
export {
  createDriver,
  DEFAULT_CLOSE_TIMEOUT_MS,
  DEFAULT_MESSAGE_TIMEOUT_MS,
  DEFAULT_OUTBOUND_BUFFER_SIZE,
  DEFAULT_SEND_TIMEOUT_MS,
  Driver,
  type DriverState,
} from "./driver/driver.js";
export type {
  DataInfo,
  DriverCloseInfo,
  DriverConnection,
  DriverHandler,
  DriverOptions,
} from "./driver/driver-types.js";
export {
  actualUnsolicitedPongInterval,
  DEFAULT_PING_TIMEOUT_MS,
  type KeepaliveOptions,
  MIN_UNSOLICITED_PONG_INTERVAL_MS,
} from "./driver/keepalive.js";
export {
  type NodeConnectionOptions,
  nodeConnectionOptions,
} from "./driver/node-connection-options.js";
export {
  checkOrigin,
  isSameOrigin,
  normalizeOrigin,
  type OriginPolicy,
} from "./server/origin-policy.js";
export {
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  DEFAULT_MAX_HEADER_SIZE,
  DEFAULT_MAX_HEADERS_COUNT,
  DEFAULT_SHUTDOWN_TIMEOUT_MS,
  UpgradeServer,
} from "./server/upgrade-server.js";
export type {
  AcceptedUpgrade,
  UpgradeDecision,
  UpgradeHook,
  UpgradeRequest,
  UpgradeServerCloseOptions,
  UpgradeServerOptions,
} from "./server/upgrade-server-types.js";
export {
  type BandwidthStatistics,
  bandwidthStatistics,
  ZERO_BANDWIDTH_STATISTICS,
} from "./winrt/bandwidth-statistics.js";
export {
  ChainValidationResult,
  SocketSslErrorSeverity,
  severityOf,
} from "./winrt/chain-validation-result.js";
export { WebSocketClosedEventArgs } from "./winrt/closed-event-args.js";
export {
  type ControlOwner,
  type ControlSnapshot,
  ControlSnapshots,
  makeSocketControl,
  TEMPLATE_CONTROL_OWNER,
} from "./winrt/control-snapshots.js";
export {
  checkBoolean,
  checkCredential,
  checkMs,
  checkSize,
  checkTimeSpan,
  checkUInt32,
  lockedError,
  UINT32_MAX,
} from "./winrt/control-values.js";
export {
  EventArgsBase,
  reportListenerError,
  type TypedEvent,
  type TypedEventListener,
  TypedEventTarget,
} from "./winrt/event-target.js";
export { PasswordCredential } from "./winrt/password-credential.js";
export {
  Deferral,
  type ServerCertificateInfo,
  WebSocketServerCustomValidationRequestedEventArgs,
} from "./winrt/server-custom-validation.js";
export {
  checkCloseArguments,
  checkRequestHeader,
  closeWebSocketConnection,
  connectWebSocket,
  type DriverControlValues,
  driverControlValues,
  readyWebSocketDriver,
  type StartDriver,
  snapshotConnectOptions,
  socketDriverOptions,
  WebSocketBase,
  type WebSocketBaseEventMap,
  type WebSocketKind,
  type WebSocketPhase,
} from "./winrt/web-socket-base.js";
export {
  type ApplyControlOptionsOrder,
  applyControlOptions,
  assertControlUnlocked,
  WebSocketControl,
  type WebSocketControlOptions,
} from "./winrt/web-socket-control.js";
export {
  type ConnectedInformation,
  connectionFacts,
  type InformationSource,
  recordConnection,
  WebSocketInformation,
} from "./winrt/web-socket-information.js";
export {
  acceptedConnectionInformation,
  type ListenerAddress,
  WebSocketListener,
  WebSocketListenerInformation,
  type WebSocketListenerKind,
} from "./winrt/web-socket-listener.js";
export {
  applyListenerControlOptions,
  type ServerCertificate,
  WebSocketListenerControl,
  type WebSocketListenerControlOptions,
} from "./winrt/web-socket-listener-control.js";
