import type { X509Certificate } from "node:crypto";
import * as net from "node:net";
import * as tls from "node:tls";
import {
  CertificateError,
  InvalidArgumentError,
  type NetSocketsError,
  WebErrorStatus,
} from "@netsockets/errors";
import {
  type ChainValidationResult,
  type SocketSslErrorSeverity,
  severityOf,
} from "../winrt/chain-validation-result.js";
import {
  customValidationDecision,
  WebSocketServerCustomValidationRequestedEventArgs,
} from "../winrt/server-custom-validation.js";
import {
  checkServerCertificate,
  decisiveError,
  extraCaCertificates,
  parseAnchors,
  statusOfCertificateError,
  UNIGNORABLE,
} from "./certificate-validation.js";
import type { ConnectCancellation } from "./connect-cancellation.js";
import { abortError, connectError } from "./connect-errors.js";
import type { ConnectOptions } from "./connect-options.js";

/** The secured socket and what was learnt about the server's certificate. */
export interface TlsResult {
  readonly socket: tls.TLSSocket;
  readonly serverCertificate: X509Certificate;
  readonly serverIntermediateCertificates: X509Certificate[];
  readonly serverCertificateErrors: ChainValidationResult[];
  readonly serverCertificateErrorSeverity: SocketSslErrorSeverity;
}

type TlsOptions = Pick<
  ConnectOptions,
  | "ca"
  | "crl"
  | "clientCertificate"
  | "ignorableServerCertificateErrors"
  | "onServerCustomValidation"
>;

/**
 * Runs TLS over a connected socket (direct or a proxy tunnel) and validates the server: SNI with
 * the host name (not for IP literals, which SNI forbids); trust in Node's bundled roots plus
 * `NODE_EXTRA_CA_CERTS` plus `options.ca` (added, never substituted); a client certificate if
 * given. Validation lists every error (see `checkServerCertificate`), lets through those listed
 * in `ignorableServerCertificateErrors` and fails closed on any other with a `CertificateError`
 * whose status names it; then the custom validation hook runs and may reject
 * (`ERR_SERVER_CERTIFICATE_REJECTED`, `INET_E_SECURITY_PROBLEM`), also after a deferral.
 */
export async function startTls(
  socket: net.Socket,
  hostname: string,
  options: TlsOptions,
  cancellation: ConnectCancellation,
): Promise<TlsResult> {
  const userCa = options.ca === undefined ? undefined : [options.ca].flat();
  const ca =
    userCa === undefined
      ? undefined
      : [
          ...tls.rootCertificates,
          ...extraCaCertificates(),
          ...userCa.map((c) => (typeof c === "string" ? c : Buffer.from(c).toString("latin1"))),
        ];
  const client = options.clientCertificate;
  const secure = await handshake(
    socket,
    {
      socket,
      ...(net.isIP(hostname) === 0 ? { servername: hostname } : {}),
      // We validate ourselves below, so that ignorable errors can be let through and reported.
      rejectUnauthorized: false,
      // Node would check the name against `servername` (or "localhost" when there is none, as for
      // an IP literal) and put that in authorizationError; checkServerCertificate checks it.
      checkServerIdentity: () => undefined,
      ALPNProtocols: ["http/1.1"],
      ...(ca === undefined ? {} : { ca }),
      ...(options.crl === undefined
        ? {}
        : { crl: [options.crl].flat().map((c) => (typeof c === "string" ? c : Buffer.from(c))) }),
      ...(client === undefined
        ? {}
        : "pfx" in client
          ? { pfx: Buffer.from(client.pfx) }
          : { key: toPem(client.key), cert: toPem(client.cert) }),
      ...(client?.passphrase === undefined ? {} : { passphrase: client.passphrase }),
    },
    cancellation,
  );
  try {
    const check = checkServerCertificate(secure, hostname, () => parseAnchors(ca), {
      revocationChecked: options.crl !== undefined,
    });
    if (check === null) {
      throw new CertificateError("the server presented no certificate", {
        status: WebErrorStatus.certificateIsInvalid,
      });
    }
    const ignorable = new Set(options.ignorableServerCertificateErrors ?? []);
    const fatal = check.errors.filter((e) => !ignorable.has(e) || UNIGNORABLE.has(e));
    if (fatal.length > 0) {
      const decisive = decisiveError(fatal);
      throw new CertificateError(
        `the server certificate failed validation (ChainValidationResult ${check.errors.join(", ")})`,
        { status: statusOfCertificateError(decisive) },
      );
    }
    const result: TlsResult = {
      socket: secure,
      serverCertificate: check.serverCertificate,
      serverIntermediateCertificates: check.serverIntermediateCertificates,
      serverCertificateErrors: check.errors,
      serverCertificateErrorSeverity: severityOf(check.errors),
    };
    if (options.onServerCustomValidation !== undefined) {
      await customValidation(result, options.onServerCustomValidation, cancellation);
    }
    return result;
  } catch (error) {
    secure.destroy();
    throw error;
  }
}

function toPem(value: string | Uint8Array): string | Buffer {
  return typeof value === "string" ? value : Buffer.from(value);
}

function handshake(
  socket: net.Socket,
  options: tls.ConnectionOptions,
  cancellation: ConnectCancellation,
): Promise<tls.TLSSocket> {
  if (cancellation.aborted) {
    socket.destroy();
    return Promise.reject(abortError(cancellation));
  }
  return new Promise((resolve, reject) => {
    let secure: tls.TLSSocket;
    const settle = (): void => {
      cancellation.unlisten(onAbort);
      secure.removeListener("secureConnect", onSecure);
      secure.removeListener("error", onError);
      socket.removeListener("close", onClose);
    };
    const fail = (error: NetSocketsError): void => {
      settle();
      secure.destroy();
      socket.destroy();
      reject(error);
    };
    const onSecure = (): void => {
      settle();
      resolve(secure);
    };
    const onError = (error: Error): void => fail(connectError(error, "tls"));
    const onClose = (): void =>
      fail(
        connectError(new Error("the server closed the connection during the TLS handshake"), "tls"),
      );
    const onAbort = (): void => fail(abortError(cancellation));
    try {
      secure = tls.connect(options);
    } catch (error) {
      // tls.connect throws only for options it cannot use: an unreadable key, certificate,
      // PFX, passphrase, CA or CRL.
      socket.destroy();
      reject(
        new InvalidArgumentError(`unusable TLS option: ${(error as Error).message}`, {
          cause: error,
        }),
      );
      return;
    }
    secure.once("secureConnect", onSecure);
    secure.once("error", onError);
    socket.once("close", onClose);
    cancellation.listen(onAbort);
  });
}

async function customValidation(
  result: TlsResult,
  hook: NonNullable<ConnectOptions["onServerCustomValidation"]>,
  cancellation: ConnectCancellation,
): Promise<void> {
  const args = new WebSocketServerCustomValidationRequestedEventArgs(result);
  try {
    hook(args);
  } catch (error) {
    // A throwing hook fails closed: the server is not validated.
    throw new CertificateError("the custom server validation threw", {
      code: "ERR_SERVER_CERTIFICATE_REJECTED",
      cause: error,
    });
  }
  const rejected = await whileConnected(
    customValidationDecision(args),
    result.socket,
    cancellation,
  );
  if (rejected) {
    throw new CertificateError("the custom server validation rejected the server certificate", {
      code: "ERR_SERVER_CERTIFICATE_REJECTED",
    });
  }
}

/**
 * Waits for `promise` (a deferred decision may take a while) while guarding the socket: an abort
 * rejects at once, and so does the connection failing or closing meanwhile — with an `error`
 * listener attached, so a reset during the wait is never an unhandled `error` event.
 */
function whileConnected<T>(
  promise: Promise<T>,
  socket: tls.TLSSocket,
  cancellation: ConnectCancellation,
): Promise<T> {
  if (cancellation.aborted) return Promise.reject(abortError(cancellation));
  return new Promise((resolve, reject) => {
    const settle = (): void => {
      cancellation.unlisten(onAbort);
      socket.removeListener("error", onError);
      socket.removeListener("close", onClose);
      socket.removeListener("end", onClose);
    };
    const onAbort = (): void => {
      settle();
      reject(abortError(cancellation));
    };
    const onError = (error: Error): void => {
      settle();
      reject(connectError(error, "tls"));
    };
    const onClose = (): void =>
      onError(new Error("the server closed the connection during the custom validation"));
    cancellation.listen(onAbort);
    socket.once("error", onError);
    socket.once("close", onClose);
    socket.once("end", onClose);
    promise.then(
      (value) => {
        settle();
        resolve(value);
      },
      (error: unknown) => {
        settle();
        reject(error);
      },
    );
  });
}
