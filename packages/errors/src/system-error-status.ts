import { WebErrorStatus } from "./web-error-status.js";

const S = WebErrorStatus;

/**
 * Node system error codes (`err.code` of `net`, `dns`, `http` errors) → {@link WebErrorStatus},
 * as `WebSocketError.getStatus` maps them. Each row is the WinINet error Windows reports for the
 * same failure (reference/uwp-api.md §11.4). Codes not listed map to `unknown`.
 */
export const systemErrorStatusTable = Object.freeze({
  // TCP refused: WININET_E_CANNOT_CONNECT.
  ECONNREFUSED: S.cannotConnect,
  // The local side cannot get an address/port to connect from (ports exhausted).
  EADDRNOTAVAIL: S.cannotConnect,
  // DNS: getaddrinfo (`dns.lookup`, what net.connect uses) and c-ares (`dns.resolve*`).
  ENOTFOUND: S.hostNameNotResolved,
  ENODATA: S.hostNameNotResolved,
  ESERVFAIL: S.hostNameNotResolved,
  EAI_AGAIN: S.hostNameNotResolved,
  EAI_NONAME: S.hostNameNotResolved,
  EAI_FAIL: S.hostNameNotResolved,
  EAI_NODATA: S.hostNameNotResolved,
  EAI_ADDRFAMILY: S.hostNameNotResolved,
  // Timeouts: the kernel's connect timeout and net's autoSelectFamily attempt timeout.
  ETIMEDOUT: S.timeout,
  ERR_SOCKET_CONNECTION_TIMEOUT: S.timeout,
  // The peer reset the connection: WININET_E_CONNECTION_RESET.
  ECONNRESET: S.connectionReset,
  ENETRESET: S.connectionReset,
  // The connection ended under us: WININET_E_CONNECTION_ABORTED, what WinRT reports for an
  // abrupt TCP loss (§17.3). EPIPE is a write after the peer closed: the same loss, seen
  // while sending, so it is connectionAborted, not connectionReset.
  ECONNABORTED: S.connectionAborted,
  EPIPE: S.connectionAborted,
  ERR_STREAM_PREMATURE_CLOSE: S.connectionAborted,
  // No route: WININET_E_SERVER_UNREACHABLE.
  EHOSTUNREACH: S.serverUnreachable,
  ENETUNREACH: S.serverUnreachable,
  EHOSTDOWN: S.serverUnreachable,
  ENETDOWN: S.serverUnreachable,
} as const);

/**
 * Node TLS errors (`err.code` of a `tls.connect` failure: OpenSSL's X509 verification codes and
 * Node's host-name check) → {@link WebErrorStatus}. The split follows WinINet:
 *
 * - the chain does not end at a trusted root (self-signed, unknown or untrusted issuer, not a
 *   CA) → `certificateIsInvalid` (WININET_E_INVALID_CA);
 * - outside its validity dates, before or after → `certificateExpired`
 *   (WININET_E_SEC_CERT_DATE_INVALID covers both);
 * - the name does not match → `certificateCommonNameIsIncorrect`;
 * - revoked → `certificateRevoked`;
 * - the certificate or chain is malformed or misused (bad signature, undecodable key or date
 *   field, wrong purpose, path too long, CRL problems) → `certificateContainsErrors`
 *   (WININET_E_SEC_CERT_ERRORS).
 */
export const tlsErrorStatusTable = Object.freeze({
  // Not trusted.
  DEPTH_ZERO_SELF_SIGNED_CERT: S.certificateIsInvalid,
  SELF_SIGNED_CERT_IN_CHAIN: S.certificateIsInvalid,
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: S.certificateIsInvalid,
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: S.certificateIsInvalid,
  UNABLE_TO_GET_ISSUER_CERT: S.certificateIsInvalid,
  CERT_UNTRUSTED: S.certificateIsInvalid,
  CERT_REJECTED: S.certificateIsInvalid,
  INVALID_CA: S.certificateIsInvalid,
  // Dates.
  CERT_HAS_EXPIRED: S.certificateExpired,
  CERT_NOT_YET_VALID: S.certificateExpired,
  // Name.
  ERR_TLS_CERT_ALTNAME_INVALID: S.certificateCommonNameIsIncorrect,
  HOSTNAME_MISMATCH: S.certificateCommonNameIsIncorrect,
  // Revocation.
  CERT_REVOKED: S.certificateRevoked,
  // Malformed or misused.
  CERT_SIGNATURE_FAILURE: S.certificateContainsErrors,
  UNABLE_TO_DECRYPT_CERT_SIGNATURE: S.certificateContainsErrors,
  UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY: S.certificateContainsErrors,
  ERROR_IN_CERT_NOT_BEFORE_FIELD: S.certificateContainsErrors,
  ERROR_IN_CERT_NOT_AFTER_FIELD: S.certificateContainsErrors,
  CERT_CHAIN_TOO_LONG: S.certificateContainsErrors,
  PATH_LENGTH_EXCEEDED: S.certificateContainsErrors,
  INVALID_PURPOSE: S.certificateContainsErrors,
  UNABLE_TO_GET_CRL: S.certificateContainsErrors,
  UNABLE_TO_DECRYPT_CRL_SIGNATURE: S.certificateContainsErrors,
  CRL_SIGNATURE_FAILURE: S.certificateContainsErrors,
  CRL_NOT_YET_VALID: S.certificateContainsErrors,
  CRL_HAS_EXPIRED: S.certificateContainsErrors,
  ERROR_IN_CRL_LAST_UPDATE_FIELD: S.certificateContainsErrors,
  ERROR_IN_CRL_NEXT_UPDATE_FIELD: S.certificateContainsErrors,
  ERR_TLS_CERT_ALTNAME_FORMAT: S.certificateContainsErrors,
} as const);

/** The status of a system or TLS error code, or `undefined` when neither table has it. */
export function statusFromErrorCode(code: string): WebErrorStatus | undefined {
  // Object.hasOwn, not `in`: "constructor" or "__proto__" must not match Object.prototype.
  if (Object.hasOwn(systemErrorStatusTable, code)) {
    return systemErrorStatusTable[code as keyof typeof systemErrorStatusTable];
  }
  if (Object.hasOwn(tlsErrorStatusTable, code)) {
    return tlsErrorStatusTable[code as keyof typeof tlsErrorStatusTable];
  }
  return undefined;
}
