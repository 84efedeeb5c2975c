/**
 * The Windows HRESULTs netsockets reports, as unsigned 32-bit numbers
 * (reference/uwp-api.md §11.3–§11.4). `error.hresult` carries one of these where Windows has one.
 */
export const HResult = Object.freeze({
  /** Most parameter-validation errors. */
  E_INVALIDARG: 0x80070057,
  /** Reading past the loaded data of a DataReader. */
  E_BOUNDS: 0x8000000b,
  /** A call that is not allowed in the object's current state. */
  E_ILLEGAL_METHOD_CALL: 0x8000000e,
  /** Use of a closed object. */
  RO_E_CLOSED: 0x80000013,
  /** HRESULT_FROM_WIN32(ERROR_INVALID_OPERATION): concurrent operations, detach during an operation. */
  ERROR_INVALID_OPERATION: 0x800710dd,
  /** The connection was rejected by the server-certificate validation hook. */
  INET_E_SECURITY_PROBLEM: 0x800c000e,
  /** E_ABORT: the operation was aborted. */
  E_ABORT: 0x80004004,
  /** HRESULT_FROM_WIN32(ERROR_CANCELLED): what a cancelled WinRT async operation reports. */
  ERROR_CANCELLED: 0x800704c7,
  WININET_E_TIMEOUT: 0x80072ee2,
  WININET_E_NAME_NOT_RESOLVED: 0x80072ee7,
  WININET_E_OPERATION_CANCELLED: 0x80072ef1,
  WININET_E_CANNOT_CONNECT: 0x80072efd,
  WININET_E_CONNECTION_ABORTED: 0x80072efe,
  WININET_E_CONNECTION_RESET: 0x80072eff,
  WININET_E_SEC_CERT_DATE_INVALID: 0x80072f05,
  WININET_E_SEC_CERT_CN_INVALID: 0x80072f06,
  WININET_E_HTTP_TO_HTTPS_ON_REDIR: 0x80072f07,
  WININET_E_HTTPS_TO_HTTP_ON_REDIR: 0x80072f08,
  WININET_E_INVALID_CA: 0x80072f0d,
  WININET_E_SEC_CERT_ERRORS: 0x80072f17,
  WININET_E_INVALID_SERVER_RESPONSE: 0x80072f78,
  WININET_E_REDIRECT_FAILED: 0x80072f7c,
  WININET_E_DISCONNECTED: 0x80072f83,
  WININET_E_SERVER_UNREACHABLE: 0x80072f84,
  WININET_E_SEC_INVALID_CERT: 0x80072f89,
  WININET_E_SEC_CERT_REVOKED: 0x80072f8a,
  HTTP_E_STATUS_UNEXPECTED: 0x80190001,
  HTTP_E_STATUS_UNEXPECTED_REDIRECTION: 0x80190003,
  HTTP_E_STATUS_UNEXPECTED_CLIENT_ERROR: 0x80190004,
  HTTP_E_STATUS_UNEXPECTED_SERVER_ERROR: 0x80190005,
  E_INVALID_PROTOCOL_OPERATION: 0x83760001,
  E_INVALID_PROTOCOL_FORMAT: 0x83760002,
  E_PROTOCOL_EXTENSIONS_NOT_SUPPORTED: 0x83760003,
  E_SUBPROTOCOL_NOT_SUPPORTED: 0x83760004,
  E_PROTOCOL_VERSION_NOT_SUPPORTED: 0x83760005,
} as const);

/** The name of an {@link HResult} constant. */
export type HResultName = keyof typeof HResult;

/**
 * `HTTP_E_STATUS_*`: the HRESULT of an HTTP status, `0x80190000 + status`
 * (`404` → `0x80190194`, `HTTP_E_STATUS_NOT_FOUND`).
 */
export function httpStatusHResult(status: number): number {
  return 0x80190000 + status;
}
