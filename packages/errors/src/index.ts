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
export type { ErrorCodeInfo } from "./error-code.js";
export { ErrorCode, errorCodeInfo, errorCodes } from "./error-code.js";
export { HResult, type HResultName, httpStatusHResult } from "./hresult.js";
export { NetSocketsError, type NetSocketsErrorOptions } from "./netsockets-error.js";
export {
  isWebErrorStatus,
  WebErrorStatus,
  type WebErrorStatusName,
  webErrorStatusName,
} from "./web-error-status.js";
