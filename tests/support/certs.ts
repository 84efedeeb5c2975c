/**
 * Certificates made in-process at test time with @peculiar/x509 over Node's WebCrypto, so no PEM
 * is committed and nothing expires in CI. ECDSA P-256 keys: fast to generate on a busy machine.
 * Call {@link makeCertificates} once per test file (in `beforeAll`).
 */
import { webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

const algorithm = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const DAY = 86_400_000;

/** A certificate with its private key, both PEM. */
export interface Issued {
  readonly cert: string;
  readonly key: string;
}

/** A CA that can issue more certificates. */
export interface Authority extends Issued {
  issue(options: IssueOptions): Promise<Issued>;
  /** A CRL of this CA listing the given certificates (PEM) as revoked. */
  revocationList(revoked: readonly string[]): Promise<string>;
}

/** What to put in an issued certificate. */
export interface IssueOptions {
  readonly commonName: string;
  /** DNS names and IP addresses for the subjectAltName. */
  readonly dns?: readonly string[];
  readonly ips?: readonly string[];
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  /** Make an intermediate CA instead of a leaf. */
  readonly ca?: boolean;
  /** Client instead of server authentication. */
  readonly client?: boolean;
}

async function keyPair(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(algorithm, true, ["sign", "verify"])) as CryptoKeyPair;
}

async function keyPem(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey("pkcs8", key);
  return x509.PemConverter.encode(der, "PRIVATE KEY");
}

let serial = 1;
const nextSerial = (): string => (serial++).toString(16).padStart(2, "0");

function caExtensions(): x509.Extension[] {
  return [
    new x509.BasicConstraintsExtension(true, undefined, true),
    new x509.KeyUsagesExtension(
      x509.KeyUsageFlags.keyCertSign |
        x509.KeyUsageFlags.cRLSign |
        x509.KeyUsageFlags.digitalSignature,
      true,
    ),
  ];
}

function authority(cert: x509.X509Certificate, keys: CryptoKeyPair): Promise<Authority> {
  return (async () => ({
    cert: cert.toString("pem"),
    key: await keyPem(keys.privateKey),
    async issue(options: IssueOptions): Promise<Issued> {
      const leafKeys = await keyPair();
      const names: x509.JsonGeneralName[] = [
        ...(options.dns ?? []).map((value) => ({ type: "dns" as const, value })),
        ...(options.ips ?? []).map((value) => ({ type: "ip" as const, value })),
      ];
      const extensions: x509.Extension[] = options.ca
        ? caExtensions()
        : [
            new x509.BasicConstraintsExtension(false, undefined, true),
            new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
            new x509.ExtendedKeyUsageExtension([
              options.client ? x509.ExtendedKeyUsage.clientAuth : x509.ExtendedKeyUsage.serverAuth,
            ]),
          ];
      if (names.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(names));
      extensions.push(await x509.AuthorityKeyIdentifierExtension.create(cert));
      extensions.push(await x509.SubjectKeyIdentifierExtension.create(leafKeys.publicKey));
      const issued = await x509.X509CertificateGenerator.create({
        serialNumber: nextSerial(),
        subject: `CN=${options.commonName}`,
        issuer: cert.subject,
        notBefore: options.notBefore ?? new Date(Date.now() - DAY),
        notAfter: options.notAfter ?? new Date(Date.now() + 30 * DAY),
        signingAlgorithm: algorithm,
        publicKey: leafKeys.publicKey,
        signingKey: keys.privateKey,
        extensions,
      });
      if (options.ca) return authority(issued, leafKeys);
      return { cert: issued.toString("pem"), key: await keyPem(leafKeys.privateKey) };
    },
    async revocationList(revoked: readonly string[]): Promise<string> {
      const crl = await x509.X509CrlGenerator.create({
        issuer: cert.subject,
        thisUpdate: new Date(Date.now() - DAY),
        nextUpdate: new Date(Date.now() + DAY),
        signingAlgorithm: algorithm,
        signingKey: keys.privateKey,
        extensions: [await x509.AuthorityKeyIdentifierExtension.create(cert)],
        entries: revoked.map((pem) => ({
          serialNumber: new x509.X509Certificate(pem).serialNumber,
          revocationDate: new Date(Date.now() - DAY),
        })),
      });
      // OpenSSL reads only the "X509 CRL" PEM label.
      return x509.PemConverter.encode(crl.rawData, "X509 CRL");
    },
  }))();
}

/** A new self-signed root CA. */
export async function makeAuthority(commonName: string): Promise<Authority> {
  const keys = await keyPair();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: nextSerial(),
    name: `CN=${commonName}`,
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 365 * DAY),
    signingAlgorithm: algorithm,
    keys,
    extensions: [
      ...caExtensions(),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return authority(cert, keys);
}

/** Every certificate the connect tests need, made once per test file. */
export interface TestCertificates {
  /** The trusted root (tests pass it as `ca`). */
  readonly ca: Authority;
  /** localhost / 127.0.0.1, issued by `ca`. */
  readonly server: Issued;
  /** Issued by `ca` but expired yesterday. */
  readonly expired: Issued;
  /** Issued by `ca`, valid only from tomorrow. */
  readonly notYetValid: Issued;
  /** Issued by `ca` for another name. */
  readonly wrongName: Issued;
  /** Self-signed for localhost. */
  readonly selfSigned: Issued;
  /** Issued by an intermediate of `ca`; the server must send `intermediate.cert` too. */
  readonly intermediate: Authority;
  readonly viaIntermediate: Issued;
  /** Issued by a root nobody trusts (send `untrustedRoot.cert` along for the chain). */
  readonly untrustedRoot: Authority;
  readonly untrustedLeaf: Issued;
  /** Client-authentication certificate issued by `ca`. */
  readonly client: Issued;
}

/** Makes every certificate of {@link TestCertificates}. */
export async function makeCertificates(): Promise<TestCertificates> {
  const now = Date.now();
  const ca = await makeAuthority("netsockets test CA");
  const local = { dns: ["localhost"], ips: ["127.0.0.1"] };
  const intermediate = (await ca.issue({
    commonName: "netsockets test intermediate",
    ca: true,
  })) as Authority;
  const untrustedRoot = await makeAuthority("untrusted root");
  const selfSignedKeys = await keyPair();
  const selfSigned = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: nextSerial(),
    name: "CN=localhost",
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + 30 * DAY),
    signingAlgorithm: algorithm,
    keys: selfSignedKeys,
    extensions: [
      new x509.SubjectAlternativeNameExtension([
        { type: "dns", value: "localhost" },
        { type: "ip", value: "127.0.0.1" },
      ]),
    ],
  });
  return {
    ca,
    server: await ca.issue({ commonName: "localhost", ...local }),
    expired: await ca.issue({
      commonName: "localhost",
      ...local,
      notBefore: new Date(now - 10 * DAY),
      notAfter: new Date(now - DAY),
    }),
    notYetValid: await ca.issue({
      commonName: "localhost",
      ...local,
      notBefore: new Date(now + DAY),
      notAfter: new Date(now + 10 * DAY),
    }),
    wrongName: await ca.issue({ commonName: "wrong.example", dns: ["wrong.example"] }),
    selfSigned: { cert: selfSigned.toString("pem"), key: await keyPem(selfSignedKeys.privateKey) },
    intermediate,
    viaIntermediate: await intermediate.issue({ commonName: "localhost", ...local }),
    untrustedRoot,
    untrustedLeaf: await untrustedRoot.issue({ commonName: "localhost", ...local }),
    client: await ca.issue({ commonName: "netsockets client", client: true }),
  };
}

/** DER: one tag-length-value. */
function tlv(tag: number, content: Uint8Array): Uint8Array {
  const n = content.length;
  const length =
    n < 0x80
      ? [n]
      : n < 0x100
        ? [0x81, n]
        : n < 0x10000
          ? [0x82, n >> 8, n & 0xff]
          : [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
  const out = new Uint8Array(1 + length.length + n);
  out[0] = tag;
  out.set(length, 1);
  out.set(content, 1 + length.length);
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

const SEQUENCE = 0x30;
const OCTET_STRING = 0x04;
const EXPLICIT_0 = 0xa0;
const oid = (hex: string): Uint8Array => tlv(0x06, Buffer.from(hex, "hex"));
const OID_DATA = oid("2a864886f70d010701"); // 1.2.840.113549.1.7.1
const OID_KEY_BAG = oid("2a864886f70d010c0a0101"); // 1.2.840.113549.1.12.10.1.1
const OID_CERT_BAG = oid("2a864886f70d010c0a0103"); // 1.2.840.113549.1.12.10.1.3
const OID_X509_CERT = oid("2a864886f70d01091601"); // 1.2.840.113549.1.9.22.1

function pemBody(pem: string): Uint8Array {
  return Buffer.from(pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, ""), "base64");
}

function dataContentInfo(content: Uint8Array): Uint8Array {
  return tlv(SEQUENCE, concat(OID_DATA, tlv(EXPLICIT_0, tlv(OCTET_STRING, content))));
}

/**
 * A PKCS#12 (PFX) bundle of a certificate and its key (RFC 7292), written by hand because no
 * installed library writes one: unencrypted bags and no MAC, which OpenSSL reads when no
 * passphrase is given. For the `clientCertificate: { pfx }` test.
 */
export function toPfx(issued: Issued): Uint8Array {
  const keyBag = tlv(SEQUENCE, concat(OID_KEY_BAG, tlv(EXPLICIT_0, pemBody(issued.key))));
  const certBag = tlv(
    SEQUENCE,
    concat(
      OID_CERT_BAG,
      tlv(
        EXPLICIT_0,
        tlv(
          SEQUENCE,
          concat(OID_X509_CERT, tlv(EXPLICIT_0, tlv(OCTET_STRING, pemBody(issued.cert)))),
        ),
      ),
    ),
  );
  const safeContents = tlv(SEQUENCE, concat(keyBag, certBag));
  const authenticatedSafe = tlv(SEQUENCE, dataContentInfo(safeContents));
  const version = tlv(0x02, Uint8Array.of(3));
  return tlv(SEQUENCE, concat(version, dataContentInfo(authenticatedSafe)));
}
