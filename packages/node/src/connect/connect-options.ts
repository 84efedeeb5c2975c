import type { X509Certificate } from "node:crypto";
import type { LookupAddress } from "node:dns";
import type * as net from "node:net";
import type * as tls from "node:tls";
import type { ExtensionOffer } from "@netsockets/protocol";
import type { DeflateOfferOptions, DeflateParameters } from "../deflate/deflate-negotiation.js";
import type {
  ChainValidationResult,
  SocketSslErrorSeverity,
} from "../winrt/chain-validation-result.js";
import type { PasswordCredential } from "../winrt/password-credential.js";
import type { WebSocketServerCustomValidationRequestedEventArgs } from "../winrt/server-custom-validation.js";

/** `dns.lookup` with `{ all: true }`: the shape of the injectable resolver. */
export type LookupFunction = (
  hostname: string,
  options: { all: true; family?: number },
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

/**
 * Makes the TCP connection to one address, like `net.createConnection(options)`: returns a socket
 * that emits `connect` (or `error`). Tests inject one that never connects to exercise the
 * connect timeout.
 */
export type CreateConnection = (options: net.NetConnectOpts) => net.Socket;

/** A TLS client certificate: PEM key and certificate chain, or a PKCS#12 (PFX) bundle. */
export type ClientCertificate =
  | {
      readonly key: string | Uint8Array;
      readonly cert: string | Uint8Array;
      readonly passphrase?: string;
    }
  | { readonly pfx: Uint8Array; readonly passphrase?: string };

/** Options of {@link openWebSocketTransport}; every one is optional. */
export interface ConnectOptions {
  /** Subprotocols offered in `Sec-WebSocket-Protocol`, in order of preference. */
  readonly supportedProtocols?: readonly string[];
  /** Extra request headers. The handshake headers themselves (Sec-WebSocket-*, Upgrade, Connection, Host) are refused. */
  readonly requestHeaders?: Readonly<Record<string, string>>;
  /** Sent as the `Origin` header when set. */
  readonly origin?: string;
  /** The `Sec-WebSocket-Extensions` offer, e.g. `"permessage-deflate; client_max_window_bits"`. */
  readonly extensions?: string;
  /**
   * Offer permessage-deflate (RFC 7692) with these parameters — a list is several offers in
   * preference order, the later ones fallbacks — before any `extensions`. The server's answer
   * is checked (a bad one fails with `HandshakeError` `extension`) and reported as
   * {@link UpgradedTransport.perMessageDeflate}. Absent: not offered.
   */
  readonly perMessageDeflate?: DeflateOfferOptions | readonly DeflateOfferOptions[];
  /** Resolves host names (default `dns.lookup`); called with `{ all: true }`. */
  readonly lookup?: LookupFunction;
  /** Makes each TCP connection (default `net.createConnection`). */
  readonly createConnection?: CreateConnection;
  /** Timeout of each TCP connect attempt, in ms (default 60 000; up to 5 addresses are tried). */
  readonly connectTimeoutMs?: number;
  /**
   * Timeout from the TCP connection to the `101` answer (TLS, proxy CONNECT and HTTP upgrade),
   * in ms, per connection (default 60 000).
   */
  readonly handshakeTimeoutMs?: number;
  /** Disables Nagle's algorithm (default `true`). */
  readonly noDelay?: boolean;
  /** Extra trusted CA certificates (PEM), added to Node's bundled roots and `NODE_EXTRA_CA_CERTS`. */
  readonly ca?: string | Uint8Array | readonly (string | Uint8Array)[];
  /**
   * Certificate revocation lists (PEM) to check the server chain against. Node fetches no CRL or
   * OCSP answer itself, so revocation (`ChainValidationResult.revoked`) is detected only with
   * these; OpenSSL then wants a CRL for every CA of the chain (`revocationInformationMissing`
   * otherwise).
   */
  readonly crl?: string | Uint8Array | readonly (string | Uint8Array)[];
  /** A TLS client certificate. */
  readonly clientCertificate?: ClientCertificate;
  /** Certificate errors that do not fail the connection; they are still reported. */
  readonly ignorableServerCertificateErrors?: readonly ChainValidationResult[];
  /** Runs after the default certificate validation succeeded; may reject, also asynchronously. */
  readonly onServerCustomValidation?: (
    args: WebSocketServerCustomValidationRequestedEventArgs,
  ) => void;
  /** HTTP Basic credential sent after a `401` with a Basic challenge. */
  readonly serverCredential?: PasswordCredential;
  /** An HTTP CONNECT proxy; `false` for none; default from `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY`. */
  readonly proxy?: string | URL | false;
  /** HTTP Basic credential sent after a `407` from the proxy. */
  readonly proxyCredential?: PasswordCredential;
  /** How many redirects to follow (default `false`: none). */
  readonly followRedirects?: false | number;
  /** Source of randomness for `Sec-WebSocket-Key` (default `crypto.getRandomValues`). */
  readonly randomFill?: (target: Uint8Array) => void;
  /** The environment the proxy variables are read from (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** An upgraded connection, ready for the driver. */
export interface UpgradedTransport {
  /** The socket after the `101`, paused; its first bytes are in {@link head}. */
  readonly socket: net.Socket | tls.TLSSocket;
  /** Bytes that arrived after the `101` response, to be fed to the connection first. */
  readonly head: Uint8Array;
  /** The URI finally connected (after redirects). */
  readonly uri: URL;
  /** The subprotocol the server chose, or `null`. */
  readonly protocol: string | null;
  /** The extensions the server accepted. */
  readonly extensions: ExtensionOffer[];
  /**
   * The negotiated permessage-deflate parameters when it was offered and accepted (build a
   * `PerMessageDeflate("client", …)` from them), else `null`.
   */
  readonly perMessageDeflate: DeflateParameters | null;
  /** The headers of the `101` response (lower-case names). */
  readonly responseHeaders: Record<string, string | string[]>;
  /** Local IP address of the TCP connection. */
  readonly localAddress: string;
  /** Local port of the TCP connection. */
  readonly localPort: number;
  /** IP address connected to (the proxy's when tunnelling). */
  readonly remoteAddress: string;
  /** The server certificate (`wss:`), else `null`. */
  readonly serverCertificate: X509Certificate | null;
  /** The intermediate certificates of the server chain. */
  readonly serverIntermediateCertificates: X509Certificate[];
  /** Certificate errors that were ignored (per `ignorableServerCertificateErrors`). */
  readonly serverCertificateErrors: ChainValidationResult[];
  /** Severity of those errors. */
  readonly serverCertificateErrorSeverity: SocketSslErrorSeverity;
}
