/**
 * The demo server's certificate, made at start with @peculiar/x509 over Node's WebCrypto — no PEM
 * is committed and nothing expires. ECDSA P-256: quick to generate on a busy machine.
 */
import { webcrypto, X509Certificate } from "node:crypto";
import * as x509 from "@peculiar/x509";

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

/** A self-signed certificate with its key, and the SHA-256 a client pins. */
export interface SelfSignedCertificate {
  /** PEM certificate. */
  readonly cert: string;
  /** PEM PKCS#8 private key. */
  readonly key: string;
  /** SHA-256 of the DER certificate, colon-separated upper-case hex (`X509Certificate.fingerprint256`). */
  readonly sha256: string;
}

const DAY = 86_400_000;

/**
 * A self-signed certificate for `localhost` and `127.0.0.1`, valid from yesterday (clock skew)
 * for a week. Its name matches the demo's URLs, so the only chain error a client sees is
 * `untrusted` — nobody vouches for it except the pin.
 */
export async function makeSelfSignedCertificate(): Promise<SelfSignedCertificate> {
  const algorithm = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, [
    "sign",
    "verify",
  ])) as webcrypto.CryptoKeyPair;
  const now = Date.now();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: webcrypto.getRandomValues(new Uint8Array(8)).reduce(
      (hex, byte) => hex + byte.toString(16).padStart(2, "0"),
      "01", // a leading 01 keeps the serial positive
    ),
    name: "CN=netsockets demo",
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + 7 * DAY),
    signingAlgorithm: algorithm,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        { type: "dns", value: "localhost" },
        { type: "ip", value: "127.0.0.1" },
      ]),
    ],
  });
  const cert = certificate.toString("pem");
  const pkcs8 = await webcrypto.subtle.exportKey("pkcs8", keys.privateKey);
  return {
    cert,
    key: x509.PemConverter.encode(pkcs8, "PRIVATE KEY"),
    sha256: new X509Certificate(cert).fingerprint256,
  };
}
