/**
 * `Windows.Security.Cryptography.Certificates.ChainValidationResult`: what went wrong while
 * validating a server certificate chain, with the exact WinRT values (reference/uwp-api.md §2).
 * Elements of `ignorableServerCertificateErrors` and `serverCertificateErrors`.
 *
 * @example
 * ```ts
 * await openWebSocketTransport("wss://self-signed.test/", {
 *   ignorableServerCertificateErrors: [ChainValidationResult.untrusted],
 * });
 * ```
 */
export const ChainValidationResult = Object.freeze({
  success: 0,
  untrusted: 1,
  revoked: 2,
  expired: 3,
  incompleteChain: 4,
  invalidSignature: 5,
  wrongUsage: 6,
  invalidName: 7,
  invalidCertificateAuthorityPolicy: 8,
  basicConstraintsError: 9,
  unknownCriticalExtension: 10,
  revocationInformationMissing: 11,
  revocationFailure: 12,
  otherErrors: 13,
} as const);

/** One of the values of {@link ChainValidationResult}. */
export type ChainValidationResult =
  (typeof ChainValidationResult)[keyof typeof ChainValidationResult];

/**
 * `Windows.Networking.Sockets.SocketSslErrorSeverity`: how bad the certificate errors of a
 * connection are (reference/uwp-api.md §2).
 */
export const SocketSslErrorSeverity = Object.freeze({
  /** No certificate error. */
  none: 0,
  /** The certificate could not be fully validated (untrusted, expired, wrong name, incomplete chain). */
  ignorable: 1,
  /** The certificate cannot be validated at all (revoked, bad signature or content). */
  fatal: 2,
} as const);

/** One of the values of {@link SocketSslErrorSeverity}. */
export type SocketSslErrorSeverity =
  (typeof SocketSslErrorSeverity)[keyof typeof SocketSslErrorSeverity];

/** Errors that make the severity `fatal` (the rest are `ignorable`), after the WinRT definitions. */
const fatalErrors: ReadonlySet<number> = new Set<ChainValidationResult>([
  ChainValidationResult.revoked,
  ChainValidationResult.invalidSignature,
  ChainValidationResult.wrongUsage,
  ChainValidationResult.invalidCertificateAuthorityPolicy,
  ChainValidationResult.basicConstraintsError,
  ChainValidationResult.unknownCriticalExtension,
  ChainValidationResult.otherErrors,
]);

/**
 * The severity of a list of certificate errors: `none` for an empty list, `fatal` when one of
 * them is revoked or a broken certificate (signature, usage, CA policy, basic constraints,
 * critical extension, other), else `ignorable`.
 */
export function severityOf(errors: readonly ChainValidationResult[]): SocketSslErrorSeverity {
  if (errors.length === 0) return SocketSslErrorSeverity.none;
  return errors.some((e) => fatalErrors.has(e))
    ? SocketSslErrorSeverity.fatal
    : SocketSslErrorSeverity.ignorable;
}
