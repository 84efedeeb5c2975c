import { X509Certificate } from "node:crypto";
import * as fs from "node:fs";
import * as tls from "node:tls";
import { WebErrorStatus } from "@netsockets/errors";
import { ChainValidationResult } from "../winrt/chain-validation-result.js";

/** What the default validation found about the server's certificate. */
export interface CertificateCheck {
  readonly serverCertificate: X509Certificate;
  readonly serverIntermediateCertificates: X509Certificate[];
  /** Every problem found, in a fixed order, without duplicates. */
  readonly errors: ChainValidationResult[];
}

const R = ChainValidationResult;

/**
 * OpenSSL verification codes (`socket.authorizationError.code`) → {@link ChainValidationResult},
 * after the Windows chain-engine meanings: a chain that ends at a self-signed certificate that is
 * not trusted is `untrusted` (CERT_TRUST_IS_UNTRUSTED_ROOT); a chain whose issuer cannot be found
 * at all — an unknown CA, or a server that left out its intermediate — is `incompleteChain`
 * (CERT_TRUST_IS_PARTIAL_CHAIN). Codes not listed are `otherErrors`.
 */
const opensslResults: ReadonlyMap<string, ChainValidationResult> = new Map(
  Object.entries({
    DEPTH_ZERO_SELF_SIGNED_CERT: R.untrusted,
    // Node's own host-name check, which it reports here when OpenSSL found nothing.
    ERR_TLS_CERT_ALTNAME_INVALID: R.invalidName,
    SELF_SIGNED_CERT_IN_CHAIN: R.untrusted,
    CERT_UNTRUSTED: R.untrusted,
    CERT_REJECTED: R.untrusted,
    UNABLE_TO_GET_ISSUER_CERT: R.incompleteChain,
    UNABLE_TO_GET_ISSUER_CERT_LOCALLY: R.incompleteChain,
    UNABLE_TO_VERIFY_LEAF_SIGNATURE: R.incompleteChain,
    CERT_HAS_EXPIRED: R.expired,
    CERT_NOT_YET_VALID: R.expired,
    ERROR_IN_CERT_NOT_BEFORE_FIELD: R.expired,
    ERROR_IN_CERT_NOT_AFTER_FIELD: R.expired,
    CERT_REVOKED: R.revoked,
    CERT_SIGNATURE_FAILURE: R.invalidSignature,
    UNABLE_TO_DECRYPT_CERT_SIGNATURE: R.invalidSignature,
    UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY: R.invalidSignature,
    INVALID_PURPOSE: R.wrongUsage,
    INVALID_CA: R.basicConstraintsError,
    PATH_LENGTH_EXCEEDED: R.basicConstraintsError,
    UNHANDLED_CRITICAL_EXTENSION: R.unknownCriticalExtension,
    UNABLE_TO_GET_CRL: R.revocationInformationMissing,
    CRL_SIGNATURE_FAILURE: R.revocationFailure,
    UNABLE_TO_DECRYPT_CRL_SIGNATURE: R.revocationFailure,
    CRL_NOT_YET_VALID: R.revocationFailure,
    CRL_HAS_EXPIRED: R.revocationFailure,
    ERROR_IN_CRL_LAST_UPDATE_FIELD: R.revocationFailure,
    ERROR_IN_CRL_NEXT_UPDATE_FIELD: R.revocationFailure,
  }),
);

/** OpenSSL reports only its last verification error, and date checks come last: see {@link checkServerCertificate}. */
const dateCodes = new Set([
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "ERROR_IN_CERT_NOT_BEFORE_FIELD",
  "ERROR_IN_CERT_NOT_AFTER_FIELD",
]);

/**
 * The {@link WebErrorStatus} a connection fails with because of one certificate error (the
 * WinINet split, as in the errors package's TLS table): not trusted → `certificateIsInvalid`,
 * outside its dates (before or after) → `certificateExpired`, wrong name →
 * `certificateCommonNameIsIncorrect`, revoked → `certificateRevoked`, anything malformed or
 * misused → `certificateContainsErrors`.
 */
export function statusOfCertificateError(error: ChainValidationResult): WebErrorStatus {
  switch (error) {
    case R.untrusted:
    case R.incompleteChain:
      return WebErrorStatus.certificateIsInvalid;
    case R.expired:
      return WebErrorStatus.certificateExpired;
    case R.invalidName:
      return WebErrorStatus.certificateCommonNameIsIncorrect;
    case R.revoked:
      return WebErrorStatus.certificateRevoked;
    default:
      return WebErrorStatus.certificateContainsErrors;
  }
}

/** Which unignored error decides the failure status: broken before untrusted before dates before name. */
const precedence: readonly ChainValidationResult[] = [
  R.revoked,
  R.invalidSignature,
  R.basicConstraintsError,
  R.unknownCriticalExtension,
  R.wrongUsage,
  R.invalidCertificateAuthorityPolicy,
  R.revocationFailure,
  R.revocationInformationMissing,
  R.otherErrors,
  R.untrusted,
  R.incompleteChain,
  R.expired,
  R.invalidName,
];

/** The error among `errors` that names the failure (see `precedence`). */
export function decisiveError(errors: readonly ChainValidationResult[]): ChainValidationResult {
  for (const e of precedence) if (errors.includes(e)) return e;
  return errors[0] ?? R.otherErrors;
}

/**
 * Errors that `ignorableServerCertificateErrors` can never waive: a broken certificate cannot be
 * "accepted anyway" (the WinRT sample: "not all validation errors can be ignored"). Listing them
 * is allowed and has no effect.
 */
export const UNIGNORABLE: ReadonlySet<ChainValidationResult> = new Set([
  R.success,
  R.invalidSignature,
  R.basicConstraintsError,
  R.unknownCriticalExtension,
  R.otherErrors,
]);

/**
 * Validates the server certificate of a TLS connection made with `rejectUnauthorized: false`,
 * listing every problem rather than the first:
 *
 * 1. OpenSSL's verdict (`authorizationError`), classified per `opensslResults`;
 * 2. the validity dates of every certificate of the chain (`expired` covers "not yet valid"
 *    too, as WinINet's SEC_CERT_DATE_INVALID does);
 * 3. the host name against the leaf, with `tls.checkServerIdentity` (`invalidName`);
 * 4. OpenSSL keeps only its *last* error and checks dates last, so an expired certificate that is
 *    also untrusted reports only the date. When the verdict is a date error, the chain is
 *    therefore checked again here — signatures link by link up to a trust anchor, issuers must
 *    be CAs — and `untrusted` / `incompleteChain` added when it does not hold. Without this, a
 *    caller ignoring `expired` would accept an untrusted certificate. Revocation is checked
 *    before dates too and cannot be re-checked here (Node has no CRL parser): with CRLs in use,
 *    a date verdict also adds `revocationFailure` ("revocation could not be established"), so
 *    ignoring `expired` alone never lets a revoked certificate through.
 */
export function checkServerCertificate(
  socket: tls.TLSSocket,
  hostname: string,
  anchors: () => readonly X509Certificate[],
  options: { readonly revocationChecked?: boolean; readonly now?: Date } = {},
): CertificateCheck | null {
  const now = options.now ?? new Date();
  // One getPeerCertificate(true) call, and no getPeerX509Certificate(): on Node 20, once the
  // latter has run, getPeerCertificate() returns {} for the rest of the connection.
  const peer = socket.getPeerCertificate(true) as tls.DetailedPeerCertificate | undefined;
  if (peer?.raw === undefined) return null;
  const chain = peerChain(peer);
  const leaf = chain[0] as X509Certificate;
  const errors = new Set<ChainValidationResult>();
  const verdict = socket.authorizationError as unknown as Error | string | null | undefined;
  const code = typeof verdict === "string" ? verdict : (verdict as { code?: string } | null)?.code;
  if (!socket.authorized && typeof code === "string") {
    errors.add(opensslResults.get(code) ?? R.otherErrors);
  }
  for (const cert of chain) {
    if (now < new Date(cert.validFrom) || now > new Date(cert.validTo)) errors.add(R.expired);
  }
  if (tls.checkServerIdentity(hostname, peer) !== undefined) {
    errors.add(R.invalidName);
  }
  if (typeof code === "string" && dateCodes.has(code)) {
    const trust = chainTrust(chain, anchors());
    if (trust !== null) errors.add(trust);
    if (options.revocationChecked) errors.add(R.revocationFailure);
  }
  const last = chain[chain.length - 1];
  const intermediates = chain.slice(1).filter((c) => !(c === last && isSelfSigned(c)));
  return {
    serverCertificate: leaf,
    serverIntermediateCertificates: intermediates,
    errors: [...errors].sort((a, b) => a - b),
  };
}

/** The leaf and the issuers Node found for it (those the server sent, completed from the store). */
function peerChain(peer: tls.DetailedPeerCertificate): X509Certificate[] {
  const leaf = new X509Certificate(peer.raw);
  const chain = [leaf];
  let current: tls.DetailedPeerCertificate | undefined = peer;
  const seen = new Set<string>([leaf.fingerprint256]);
  while (current?.issuerCertificate !== undefined && current.issuerCertificate !== current) {
    current = current.issuerCertificate;
    if (current.raw === undefined) break;
    const cert = new X509Certificate(current.raw);
    if (seen.has(cert.fingerprint256)) break;
    seen.add(cert.fingerprint256);
    chain.push(cert);
  }
  return chain;
}

function isSelfSigned(cert: X509Certificate): boolean {
  return cert.checkIssued(cert) && cert.verify(cert.publicKey);
}

/**
 * `null` when `chain` links, signature by signature and through CA certificates, to one of
 * `anchors`; `untrusted` when it ends at another self-signed certificate; `incompleteChain` when
 * its top has no issuer at hand.
 */
function chainTrust(
  chain: readonly X509Certificate[],
  anchors: readonly X509Certificate[],
): ChainValidationResult | null {
  const trusted = new Set(anchors.map((a) => a.fingerprint256));
  for (let i = 0; i < chain.length; i++) {
    const cert = chain[i] as X509Certificate;
    if (trusted.has(cert.fingerprint256)) return null;
    const issuer =
      chain[i + 1] ?? anchors.find((a) => cert.checkIssued(a) && cert.verify(a.publicKey));
    if (issuer === undefined) return isSelfSigned(cert) ? R.untrusted : R.incompleteChain;
    if (!issuer.ca || !cert.checkIssued(issuer) || !cert.verify(issuer.publicKey)) {
      return R.untrusted;
    }
    if (i + 1 >= chain.length) return trusted.has(issuer.fingerprint256) ? null : R.untrusted;
  }
  return R.incompleteChain;
}

let defaultAnchors: X509Certificate[] | undefined;
let extraCaPems: string[] | undefined;

/**
 * The PEM certificates of `NODE_EXTRA_CA_CERTS`. Node adds them to its default store at start-up,
 * but an explicit `ca` option replaces that store, so they are read here to add them back.
 */
export function extraCaCertificates(): readonly string[] {
  if (extraCaPems === undefined) {
    const file = process.env.NODE_EXTRA_CA_CERTS;
    let text = "";
    try {
      if (file !== undefined && file !== "") text = fs.readFileSync(file, "utf8");
    } catch {
      // Node already warned about an unreadable file at start-up.
    }
    extraCaPems = splitPem(text);
  }
  return extraCaPems;
}

/** The PEM blocks of a bundle. */
export function splitPem(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? [];
}

/** Trust anchors as X509Certificate objects: the given PEMs, or Node's default store. */
export function parseAnchors(pems: readonly string[] | undefined): X509Certificate[] {
  if (pems === undefined) {
    defaultAnchors ??= parseAll([...tls.rootCertificates, ...extraCaCertificates()]);
    return defaultAnchors;
  }
  return parseAll(pems);
}

function parseAll(pems: readonly string[]): X509Certificate[] {
  const out: X509Certificate[] = [];
  for (const pem of pems) {
    try {
      out.push(new X509Certificate(pem));
    } catch {
      // An unparsable anchor anchors nothing.
    }
  }
  return out;
}
