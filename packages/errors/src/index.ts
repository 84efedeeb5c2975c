export { CloseCode, isReceivableCloseCode, isSendableCloseCode } from "./close-code.js";
export type {
  ClosedBy,
  ConnectionClosedErrorOptions,
  HandshakeErrorOptions,
  HandshakeFailure,
} from "./error-classes.js";
export {
  CertificateError,
  ConnectionClosedError,
  HandshakeError,
  InvalidArgumentError,
  InvalidStateError,
  MessageTooBigError,
  NetworkError,
  OperationCanceledError,
  ProtocolError,
  TimeoutError,
} from "./error-classes.js";
export type { ErrorClassName, ErrorCodeInfo, ErrorCodeOf } from "./error-code.js";
export { ErrorCode, errorCodeInfo, errorCodes } from "./error-code.js";
export { type FailureContext, fromAbortReason, fromSystemError } from "./from-system-error.js";
export { HResult, type HResultName, httpStatusHResult } from "./hresult.js";
export {
  type HResultStatusRow,
  hresultOfStatus,
  hresultStatusTable,
  statusFromHResult,
} from "./hresult-status.js";
export { NetSocketsError, type NetSocketsErrorOptions } from "./netsockets-error.js";
export { systemErrorStatusTable, tlsErrorStatusTable } from "./system-error-status.js";
export {
  isWebErrorStatus,
  WebErrorStatus,
  type WebErrorStatusName,
  webErrorStatusFromHttpStatus,
  webErrorStatusName,
} from "./web-error-status.js";
export { WebSocketError } from "./web-socket-error.js";
