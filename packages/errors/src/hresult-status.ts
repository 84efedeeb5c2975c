import { HResult, httpStatusHResult } from "./hresult.js";
import { WebErrorStatus } from "./web-error-status.js";

const S = WebErrorStatus;
const H = HResult;

/** One row of the HRESULT → {@link WebErrorStatus} table. */
export interface HResultStatusRow {
  /** The HRESULT constant's name (`HTTP_E_STATUS_404` style for the HTTP mirrors). */
  readonly name: string;
  /** The HRESULT as an unsigned 32-bit number. */
  readonly hresult: number;
  /** What `WebSocketError.getStatus(hresult)` returns. */
  readonly status: WebErrorStatus;
}

const row = (name: keyof typeof HResult, status: WebErrorStatus): HResultStatusRow =>
  Object.freeze({ name, hresult: H[name], status });

/** Every WebErrorStatus member that mirrors an HTTP status (300–505, without 306 and 308). */
const httpMirrors = (Object.values(WebErrorStatus) as WebErrorStatus[]).filter((v) => v >= 300);

/**
 * What `WebSocketError.getStatus(hresult)` maps, row by row (reference/uwp-api.md §11.4).
 * Microsoft does not publish its table; these rows pair each `winerror.h` / `wininet.h` code
 * with the member of the same meaning. The first row of a status is also the HRESULT an error
 * gets when it is made with that status (see {@link hresultOfStatus}). Anything not listed —
 * including `INET_E_SECURITY_PROBLEM`, the WebSocket-protocol HRESULTs (0x8376xxxx),
 * `E_INVALIDARG` and `RO_E_CLOSED` — maps to `unknown`, as on Windows.
 */
export const hresultStatusTable: readonly HResultStatusRow[] = Object.freeze([
  row("WININET_E_TIMEOUT", S.timeout),
  row("WININET_E_NAME_NOT_RESOLVED", S.hostNameNotResolved),
  row("WININET_E_OPERATION_CANCELLED", S.operationCanceled),
  row("WININET_E_CANNOT_CONNECT", S.cannotConnect),
  row("WININET_E_CONNECTION_ABORTED", S.connectionAborted),
  row("WININET_E_CONNECTION_RESET", S.connectionReset),
  row("WININET_E_SEC_CERT_DATE_INVALID", S.certificateExpired),
  row("WININET_E_SEC_CERT_CN_INVALID", S.certificateCommonNameIsIncorrect),
  row("WININET_E_HTTP_TO_HTTPS_ON_REDIR", S.httpToHttpsOnRedirection),
  row("WININET_E_HTTPS_TO_HTTP_ON_REDIR", S.httpsToHttpOnRedirection),
  row("WININET_E_INVALID_CA", S.certificateIsInvalid),
  row("WININET_E_SEC_CERT_ERRORS", S.certificateContainsErrors),
  row("WININET_E_INVALID_SERVER_RESPONSE", S.errorHttpInvalidServerResponse),
  row("WININET_E_REDIRECT_FAILED", S.redirectFailed),
  row("WININET_E_DISCONNECTED", S.disconnected),
  row("WININET_E_SERVER_UNREACHABLE", S.serverUnreachable),
  row("WININET_E_SEC_INVALID_CERT", S.certificateIsInvalid),
  row("WININET_E_SEC_CERT_REVOKED", S.certificateRevoked),
  // Cancellation as the WinRT async machinery reports it (our addition to §11.4).
  row("ERROR_CANCELLED", S.operationCanceled),
  row("E_ABORT", S.operationCanceled),
  row("HTTP_E_STATUS_UNEXPECTED", S.unexpectedStatusCode),
  row("HTTP_E_STATUS_UNEXPECTED_REDIRECTION", S.unexpectedRedirection),
  row("HTTP_E_STATUS_UNEXPECTED_CLIENT_ERROR", S.unexpectedClientError),
  row("HTTP_E_STATUS_UNEXPECTED_SERVER_ERROR", S.unexpectedServerError),
  // HTTP_E_STATUS_* exists exactly for the statuses WebErrorStatus mirrors.
  ...httpMirrors.map((status) =>
    Object.freeze({ name: `HTTP_E_STATUS_${status}`, hresult: httpStatusHResult(status), status }),
  ),
]);

const statusByHResult = new Map<number, WebErrorStatus>(
  hresultStatusTable.map((r) => [r.hresult, r.status]),
);
const hresultByStatus = new Map<WebErrorStatus, number>();
for (const r of hresultStatusTable) {
  if (!hresultByStatus.has(r.status)) hresultByStatus.set(r.status, r.hresult);
}

/**
 * The {@link WebErrorStatus} of an HRESULT given as a signed (`-2147012867`) or unsigned
 * (`0x80072efd`) 32-bit integer; `unknown` for anything else, never a throw.
 */
export function statusFromHResult(hresult: number): WebErrorStatus {
  if (!Number.isInteger(hresult) || hresult < -0x80000000 || hresult > 0xffffffff) return S.unknown;
  return statusByHResult.get(hresult >>> 0) ?? S.unknown;
}

/**
 * The HRESULT an error made with `status` reports: the first row of that status in
 * {@link hresultStatusTable}, or `undefined` (`unknown`, `insufficientRangeSupport`,
 * `missingContentLengthSupport` have none).
 */
export function hresultOfStatus(status: WebErrorStatus): number | undefined {
  return hresultByStatus.get(status);
}
