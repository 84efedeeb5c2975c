/**
 * `Windows.Web.WebErrorStatus`: every member, with the exact WinRT numeric values.
 *
 * A frozen object with camelCase members, plus a type of the same name, as the WinRT
 * JavaScript projection has it. 24 non-HTTP members (0–23) and 31 mirrors of HTTP statuses.
 *
 * @example
 * ```ts
 * if (WebSocketError.getStatus(err) === WebErrorStatus.cannotConnect) retryLater();
 * ```
 */
export const WebErrorStatus = Object.freeze({
  unknown: 0,
  certificateCommonNameIsIncorrect: 1,
  certificateExpired: 2,
  certificateContainsErrors: 3,
  certificateRevoked: 4,
  certificateIsInvalid: 5,
  serverUnreachable: 6,
  timeout: 7,
  errorHttpInvalidServerResponse: 8,
  connectionAborted: 9,
  connectionReset: 10,
  disconnected: 11,
  httpToHttpsOnRedirection: 12,
  httpsToHttpOnRedirection: 13,
  cannotConnect: 14,
  hostNameNotResolved: 15,
  operationCanceled: 16,
  redirectFailed: 17,
  unexpectedStatusCode: 18,
  unexpectedRedirection: 19,
  unexpectedClientError: 20,
  unexpectedServerError: 21,
  insufficientRangeSupport: 22,
  missingContentLengthSupport: 23,
  multipleChoices: 300,
  movedPermanently: 301,
  found: 302,
  seeOther: 303,
  notModified: 304,
  useProxy: 305,
  temporaryRedirect: 307,
  badRequest: 400,
  unauthorized: 401,
  paymentRequired: 402,
  forbidden: 403,
  notFound: 404,
  methodNotAllowed: 405,
  notAcceptable: 406,
  proxyAuthenticationRequired: 407,
  requestTimeout: 408,
  conflict: 409,
  gone: 410,
  lengthRequired: 411,
  preconditionFailed: 412,
  requestEntityTooLarge: 413,
  requestUriTooLong: 414,
  unsupportedMediaType: 415,
  requestedRangeNotSatisfiable: 416,
  expectationFailed: 417,
  internalServerError: 500,
  notImplemented: 501,
  badGateway: 502,
  serviceUnavailable: 503,
  gatewayTimeout: 504,
  httpVersionNotSupported: 505,
} as const);

/** One of the values of {@link WebErrorStatus}. */
export type WebErrorStatus = (typeof WebErrorStatus)[keyof typeof WebErrorStatus];

/** The camelCase name of a {@link WebErrorStatus} member. */
export type WebErrorStatusName = keyof typeof WebErrorStatus;

const namesByValue = new Map<number, WebErrorStatusName>(
  (Object.keys(WebErrorStatus) as WebErrorStatusName[]).map((name) => [WebErrorStatus[name], name]),
);

/**
 * The member name of a {@link WebErrorStatus} value (`404` → `"notFound"`), or `undefined`
 * when no member has that value (`306` and `308` have none).
 */
export function webErrorStatusName(value: number): WebErrorStatusName | undefined {
  return namesByValue.get(value);
}

/** Whether `value` is the numeric value of a {@link WebErrorStatus} member. */
export function isWebErrorStatus(value: unknown): value is WebErrorStatus {
  return typeof value === "number" && namesByValue.has(value);
}

/**
 * The {@link WebErrorStatus} of an HTTP status code, as WinRT reports a failed HTTP exchange:
 * the member whose value is the status where one exists (`404` → `notFound`), otherwise the
 * catch-all of its class — `unexpectedRedirection` for 3xx (306, 308), `unexpectedClientError`
 * for 4xx (418 and up), `unexpectedServerError` for 5xx (506 and up) — and
 * `unexpectedStatusCode` for anything else (1xx, 2xx, out of range).
 */
export function webErrorStatusFromHttpStatus(statusCode: number): WebErrorStatus {
  if (!Number.isInteger(statusCode)) return WebErrorStatus.unexpectedStatusCode;
  // Only 300–599 are HTTP mirrors; 0–23 are the non-HTTP members and must not match here.
  if (statusCode >= 300 && statusCode < 600) {
    const member = namesByValue.get(statusCode);
    if (member !== undefined) return WebErrorStatus[member];
    if (statusCode < 400) return WebErrorStatus.unexpectedRedirection;
    if (statusCode < 500) return WebErrorStatus.unexpectedClientError;
    return WebErrorStatus.unexpectedServerError;
  }
  return WebErrorStatus.unexpectedStatusCode;
}
