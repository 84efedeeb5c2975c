import { randomFillSync } from "node:crypto";
import * as net from "node:net";
import {
  HandshakeError,
  InvalidArgumentError,
  type NetSocketsError,
  NetworkError,
} from "@netsockets/errors";
import {
  buildClientRequestHeaders,
  formatExtensionHeader,
  generateClientKey,
  parseExtensionHeader,
  validateServerResponse,
  webErrorStatusForHttpStatus,
} from "@netsockets/protocol";
import {
  acceptServerAnswer,
  clientOffersOf,
  type DeflateParameters,
} from "../deflate/deflate-negotiation.js";
import { SocketSslErrorSeverity } from "../winrt/chain-validation-result.js";
import type { PasswordCredential } from "../winrt/password-credential.js";
import { ConnectCancellation } from "./connect-cancellation.js";
import { abortError } from "./connect-errors.js";
import type { ConnectOptions, UpgradedTransport } from "./connect-options.js";
import { basicAuthorization, offersBasic } from "./http-auth.js";
import {
  discardResponse,
  type HttpOutcome,
  type HttpRequestSpec,
  httpExchange,
} from "./http-exchange.js";
import { nativeAcceptKey } from "./http-head.js";
import { type ProxyTarget, selectProxy } from "./proxy-selection.js";
import { followRedirect } from "./redirects.js";
import { resolveHost } from "./resolve-host.js";
import { connectTcp, connectTcpAddress } from "./tcp-connect.js";
import { startTls, type TlsResult } from "./tls-upgrade.js";
import { parseWebSocketUri, sharedWebSocketUri, type WebSocketUri } from "./websocket-uri.js";

/** Credentials decided for one connection attempt. */
interface Attempt {
  readonly target: WebSocketUri;
  readonly headers: Readonly<Record<string, string>>;
  readonly serverAuthorization: string | undefined;
  readonly proxyAuthorization: string | undefined;
}

/** A non-101 answer, from the server or from the proxy. */
interface Refusal {
  readonly from: "server" | "proxy";
  readonly statusCode: number;
  readonly headers: Record<string, string | string[]>;
  readonly error: NetSocketsError;
}

/**
 * Opens a WebSocket connection up to the upgraded socket: parses the URI, resolves the host
 * (up to 5 addresses, tried in turn with `connectTimeoutMs` each), connects (through an HTTP
 * CONNECT proxy when one applies), runs TLS for `wss:` with full certificate validation, sends
 * the upgrade request and validates the `101` answer. It answers a `401` Basic challenge with
 * `serverCredential` and a `407` with `proxyCredential` (once each, on a new connection) and
 * follows redirects when `followRedirects` allows. `init.signal` cancels any stage and leaves
 * no socket, timer or listener behind.
 *
 * Every failure rejects with a netsockets error whose `status` names it (see the README's
 * "Connecting" section for the table).
 *
 * @example
 * ```ts
 * const transport = await openWebSocketTransport("wss://echo.example/chat", {
 *   supportedProtocols: ["chat.v1"],
 * }, { signal: AbortSignal.timeout(10_000) });
 * console.log(transport.protocol, transport.serverCertificate?.subject);
 * ```
 */
export async function openWebSocketTransport(
  uri: string | URL,
  options: ConnectOptions = {},
  init: { readonly signal?: AbortSignal | undefined } = {},
): Promise<UpgradedTransport> {
  const cancellation = new ConnectCancellation(init.signal);
  try {
    return (await connectTransport(uri, options, cancellation, true)) as UpgradedTransport;
  } finally {
    cancellation.release();
  }
}

/**
 * What {@link connectTransport} resolves with: an {@link UpgradedTransport}, whose `localPort`
 * and `remoteAddress` are read only when asked for (`remoteAddress` costs a `getpeername` per
 * connection, and a socket's own connect never shows them).
 */
export type ConnectedTransport = Omit<UpgradedTransport, "localPort" | "remoteAddress"> &
  Partial<Pick<UpgradedTransport, "localPort" | "remoteAddress">>;

/**
 * {@link openWebSocketTransport} under a {@link ConnectCancellation} the caller owns (and
 * releases), as the sockets' `connectAsync` runs it: `close()` aborts the cancellation, without an
 * `AbortController` per connect. `detached`: the result goes to user code (the public function),
 * so it gets a URL of its own and `localPort` and `remoteAddress` (read while the socket is open:
 * Node forgets them once it is destroyed); otherwise the URI's parse may be shared
 * ({@link sharedWebSocketUri}).
 */
export async function connectTransport(
  uri: string | URL,
  options: ConnectOptions,
  cancellation: ConnectCancellation,
  detached: boolean,
): Promise<ConnectedTransport> {
  const original = detached ? parseWebSocketUri(uri) : sharedWebSocketUri(uri);
  checkOptions(options);
  if (cancellation.aborted) throw abortError(cancellation);
  const maxRedirects = options.followRedirects === false ? 0 : (options.followRedirects ?? 0);
  let target = original;
  let headers: Readonly<Record<string, string>> = options.requestHeaders ?? {};
  let serverChallenged = false;
  let proxyChallenged = false;
  let redirects = 0;
  for (;;) {
    // serverCredential belongs to the host it was given for; it never follows a redirect away.
    const serverCredential =
      target.url.host === original.url.host ? options.serverCredential : undefined;
    const proxy = selectProxy(target, options.proxy, options.env);
    const proxyCredential = options.proxyCredential ?? proxy?.credential;
    const attempt: Attempt = {
      target,
      headers,
      serverAuthorization:
        serverChallenged && serverCredential !== undefined
          ? basicAuthorization(serverCredential)
          : undefined,
      proxyAuthorization:
        proxyChallenged && proxyCredential !== undefined
          ? basicAuthorization(proxyCredential)
          : undefined,
    };
    const outcome = await connectOnce(attempt, proxy, options, cancellation, detached);
    if (!("from" in outcome)) return outcome;
    if (outcome.from === "proxy") {
      if (outcome.statusCode === 407 && !proxyChallenged && canAnswer(outcome, proxyCredential)) {
        proxyChallenged = true;
        continue;
      }
      throw outcome.error;
    }
    if (outcome.statusCode === 401 && !serverChallenged && canAnswer(outcome, serverCredential)) {
      serverChallenged = true;
      continue;
    }
    if (isRedirect(outcome.statusCode) && maxRedirects > 0) {
      if (redirects >= maxRedirects) {
        throw new NetworkError("ERR_REDIRECT", `more than ${maxRedirects} redirects`, {
          cause: outcome.error,
        });
      }
      redirects++;
      const next = followRedirect(target, outcome.headers.location, headers);
      target = next.target;
      headers = next.headers;
      serverChallenged = false;
      continue;
    }
    throw outcome.error;
  }
}

function checkOptions(options: ConnectOptions): void {
  const { followRedirects, connectTimeoutMs, handshakeTimeoutMs, requestHeaders } = options;
  if (
    followRedirects !== undefined &&
    followRedirects !== false &&
    !(Number.isInteger(followRedirects) && followRedirects >= 0)
  ) {
    throw new InvalidArgumentError("followRedirects must be false or a non-negative integer");
  }
  checkTimeout("connectTimeoutMs", connectTimeoutMs);
  checkTimeout("handshakeTimeoutMs", handshakeTimeoutMs);
  // Bad permessage-deflate options (window bits outside 8–15) fail now, before any I/O.
  if (options.perMessageDeflate !== undefined) clientOffersOf(options.perMessageDeflate);
  // Refuse an unusable credential now rather than after the server's challenge.
  if (options.serverCredential !== undefined) basicAuthorization(options.serverCredential);
  if (options.proxyCredential !== undefined) basicAuthorization(options.proxyCredential);
  if (requestHeaders !== undefined) {
    for (const name of Object.keys(requestHeaders)) {
      if (name.toLowerCase() === "host") {
        throw new InvalidArgumentError("the Host header is set from the URI");
      }
    }
  }
}

function checkTimeout(name: string, value: number | undefined): void {
  if (value !== undefined && !(value > 0 && value <= 2_147_483_647)) {
    throw new InvalidArgumentError(`${name} must be a positive number of milliseconds`);
  }
}

/** The `Sec-WebSocket-Extensions` offer: permessage-deflate's offers first, then `extensions`. */
function extensionOffer(options: ConnectOptions): string | undefined {
  if (options.perMessageDeflate === undefined) return options.extensions;
  const deflate = formatExtensionHeader(clientOffersOf(options.perMessageDeflate));
  return options.extensions === undefined || options.extensions === ""
    ? deflate
    : `${deflate}, ${options.extensions}`;
}

function canAnswer(refusal: Refusal, credential: PasswordCredential | undefined): boolean {
  const challenge =
    refusal.from === "proxy"
      ? refusal.headers["proxy-authenticate"]
      : refusal.headers["www-authenticate"];
  return credential !== undefined && offersBasic(challenge);
}

function isRedirect(statusCode: number): boolean {
  return (
    statusCode === 301 ||
    statusCode === 302 ||
    statusCode === 303 ||
    statusCode === 307 ||
    statusCode === 308
  );
}

/**
 * One connection: DNS, TCP, proxy tunnel, TLS, HTTP upgrade. Resolves with the transport, or with
 * the refusal when the server or proxy answered something else than `101` / `2xx` (the socket
 * already destroyed), so the caller can retry with credentials or follow a redirect.
 *
 * The common case — an IP literal, no proxy, no TLS — awaits only the TCP connect and the
 * `101`: each `await` of an async stage is a few promise jobs and allocations per connection.
 */
async function connectOnce(
  attempt: Attempt,
  proxy: ProxyTarget | null,
  options: ConnectOptions,
  cancellation: ConnectCancellation,
  detached: boolean,
): Promise<ConnectedTransport | Refusal> {
  const { target } = attempt;
  const hop = proxy ?? target;
  // A plain ws:// connection (no proxy, no TLS) writes its request first, and what need not come
  // before it comes after it, while the server works on its answer (bench workload 6a: the gap
  // between the connect and the request is on every handshake's critical path). Nagle's
  // algorithm cannot hold back a connection's first segment (nothing is unacknowledged yet), so
  // TCP_NODELAY is set just after the request (setting it pushes out anything Nagle still held);
  // the handshake deadline starts then too (a few microseconds later). A TLS handshake or a
  // proxy CONNECT exchanges several segments first: those sockets get both on connect.
  const plain = proxy === null && !target.secure;
  const tcpOptions = {
    port: hop.port,
    createConnection: options.createConnection,
    connectTimeoutMs: options.connectTimeoutMs,
    noDelay: plain ? null : options.noDelay,
    cancellation,
    // A plain connection our own sockets connect (not one handed to user code, which may read
    // it with 'data') is read only by the handshake's reader and the driver: they take its
    // bytes without Node's stream machinery (TLS and proxies keep 'data').
    directReads: plain && !detached,
  };
  // An IP literal is its own single address: no lookup (and no await for one).
  const family = net.isIP(hop.hostname);
  const tcp =
    family !== 0
      ? await connectTcpAddress(hop.hostname, family, tcpOptions)
      : await connectTcp(
          // The name lookup shares the connect timeout: WinRT counts it as part of connecting.
          await resolveHost(hop.hostname, options.lookup, cancellation, options.connectTimeoutMs),
          tcpOptions,
        );
  if (!plain) cancellation.startDeadline(options.handshakeTimeoutMs);
  let socket: net.Socket = tcp;
  try {
    if (proxy !== null) {
      const refusal = await tunnel(tcp, attempt, cancellation);
      if (refusal !== null) return refusal;
    }
    let secured: TlsResult | null = null;
    if (target.secure) {
      secured = await startTls(tcp, target.hostname, options, cancellation);
      socket = secured.socket;
    }
    const key = clientKey(options.randomFill);
    const offeredExtensions = extensionOffer(options);
    const exchange = httpExchange(
      socket,
      upgradeRequest(target, key, offeredExtensions, attempt, options),
      cancellation,
      "http",
    );
    // The request is written (or the exchange failed, and the await below throws; nothing up to
    // it throws). While the server works on its answer, what is needed anyway once the 101 is
    // read is done now, off the handshake's critical path: the expected accept key and offered
    // extension names, and the local address (Node forgets it once the socket is destroyed, and
    // the socket's information reports it after the close too; Node keeps what it read).
    if (plain) {
      tcp.setNoDelay(options.noDelay ?? true);
      cancellation.startDeadline(options.handshakeTimeoutMs);
    }
    const expected = {
      key,
      accept: nativeAcceptKey(key),
      protocols: options.supportedProtocols ?? NONE,
      extensions:
        offeredExtensions === undefined
          ? NONE
          : (parseExtensionHeader(offeredExtensions) ?? []).map((e) => e.name),
    };
    const localAddress = tcp.localAddress ?? "";
    const outcome = await exchange;
    const responseHeaders = headersOf(outcome);
    let negotiated: ReturnType<typeof validateServerResponse>;
    let perMessageDeflate: DeflateParameters | null = null;
    try {
      negotiated = validateServerResponse(outcome.response, expected);
      // RFC 7692 §7: a bad permessage-deflate answer fails the handshake (HandshakeError).
      if (options.perMessageDeflate !== undefined && outcome.kind === "switched") {
        perMessageDeflate = acceptServerAnswer(negotiated.extensions, options.perMessageDeflate);
      }
    } catch (error) {
      if (outcome.kind === "switched") outcome.socket.destroy();
      else discardResponse(outcome);
      if (outcome.kind === "response" && error instanceof HandshakeError) {
        return {
          from: "server",
          statusCode: outcome.response.statusCode,
          headers: responseHeaders,
          error,
        };
      }
      throw error;
    }
    if (outcome.kind !== "switched") {
      // Only a 101 is "switched" for GET; anything else failed validation above.
      discardResponse(outcome);
      throw new HandshakeError("bad-response", "the server did not switch protocols");
    }
    const transport: ConnectedTransport = {
      socket: outcome.socket,
      head: outcome.head,
      uri: target.url,
      protocol: negotiated.protocol,
      extensions: negotiated.extensions,
      perMessageDeflate,
      responseHeaders,
      localAddress,
      serverCertificate: secured?.serverCertificate ?? null,
      serverIntermediateCertificates: secured?.serverIntermediateCertificates ?? [],
      serverCertificateErrors: secured?.serverCertificateErrors ?? [],
      serverCertificateErrorSeverity:
        secured?.serverCertificateErrorSeverity ?? SocketSslErrorSeverity.none,
    };
    if (!detached) return transport;
    return { ...transport, localPort: tcp.localPort ?? 0, remoteAddress: tcp.remoteAddress ?? "" };
  } catch (error) {
    socket.destroy();
    tcp.destroy();
    throw error;
  } finally {
    cancellation.clearDeadline();
  }
}

const NONE: readonly never[] = [];

/** Random bytes for 64 keys, filled from the crypto source at once (16 bytes a key). */
const KEY_POOL_BYTES = 1024;
let keyPool: Buffer | undefined;
let keyPoolNext = KEY_POOL_BYTES;

/**
 * A fresh `Sec-WebSocket-Key` (RFC 6455 §4.1: "a nonce consisting of a randomly selected 16-byte
 * value that has been base64-encoded … The nonce MUST be selected randomly for each
 * connection"): `generateClientKey` with a caller's `randomFill`; otherwise 16 never-reused bytes
 * of a pool filled by `crypto.randomFillSync`, base64-encoded natively (one flat string; the
 * portable encoder builds it from 24 one-character strings).
 */
function clientKey(randomFill: ConnectOptions["randomFill"]): string {
  if (randomFill !== undefined) return generateClientKey(randomFill);
  if (keyPoolNext === KEY_POOL_BYTES) {
    keyPool = randomFillSync(Buffer.allocUnsafeSlow(KEY_POOL_BYTES));
    keyPoolNext = 0;
  }
  const start = keyPoolNext;
  keyPoolNext = start + 16;
  return (keyPool as Buffer).toString("base64", start, start + 16);
}

/**
 * The upgrade request (RFC 6455 §4.1). Without subprotocols, extensions, `Origin`, user headers
 * or credentials (what a plain `connectAsync` sends) its head is written out directly, the same
 * text the general path writes: every part is known to be valid (the path and `Host` pass the
 * rules `formatRequestHead` applies, the key is base64 of 16 bytes). Otherwise the protocol
 * package's `buildClientRequestHeaders` checks and orders the headers and `httpExchange` formats
 * them.
 *
 * @throws InvalidArgumentError as `buildClientRequestHeaders` does, for an unsendable header.
 */
function upgradeRequest(
  target: WebSocketUri,
  key: string,
  offeredExtensions: string | undefined,
  attempt: Attempt,
  options: ConnectOptions,
): HttpRequestSpec {
  if (
    offeredExtensions === undefined &&
    options.origin === undefined &&
    (options.supportedProtocols === undefined || options.supportedProtocols.length === 0) &&
    attempt.serverAuthorization === undefined &&
    isEmpty(attempt.headers) &&
    isPlainRequestTarget(target.path) &&
    isPlainFieldValue(target.hostHeader)
  ) {
    return {
      method: "GET",
      text: `GET ${target.path} HTTP/1.1\r\nhost: ${target.hostHeader}\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-key: ${key}\r\nsec-websocket-version: 13\r\n\r\n`,
    };
  }
  const headers: Record<string, string> = {
    host: target.hostHeader,
    ...buildClientRequestHeaders({
      key,
      ...(options.supportedProtocols === undefined
        ? {}
        : { protocols: options.supportedProtocols }),
      ...(offeredExtensions === undefined ? {} : { extensions: offeredExtensions }),
      ...(options.origin === undefined ? {} : { origin: options.origin }),
      headers: withAuthorization(attempt.headers, attempt.serverAuthorization),
    }),
  };
  return { method: "GET", path: target.path, headers };
}

function isEmpty(headers: Readonly<Record<string, string>>): boolean {
  for (const _ in headers) return false;
  return true;
}

/** `formatRequestHead`'s rule for the target: visible ASCII, at least one character. */
function isPlainRequestTarget(path: string): boolean {
  if (path.length === 0) return false;
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

/** `formatRequestHead`'s rule for a value: HTAB, SP, VCHAR, obs-text. */
function isPlainFieldValue(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f || c > 0xff) return false;
  }
  return true;
}

/**
 * Opens the CONNECT tunnel to the target through the proxy. `null` on a 2xx (the socket is now a
 * byte pipe to the target); the refusal otherwise.
 *
 * RFC 9110 §9.3.6: "Any 2xx (Successful) response indicates that the sender (and all inbound
 * proxies) will switch to tunnel mode immediately after the response header section".
 *
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-9.3.6
 */
async function tunnel(
  socket: net.Socket,
  attempt: Attempt,
  cancellation: ConnectCancellation,
): Promise<Refusal | null> {
  const { hostname, port } = attempt.target;
  const authority = `${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`;
  const headers: Record<string, string> = { host: authority };
  if (attempt.proxyAuthorization !== undefined) {
    headers["proxy-authorization"] = attempt.proxyAuthorization;
  }
  // What Node's HTTP client sent when it wrote this request: proxies have seen it that way.
  headers.connection = "close";
  const outcome = await httpExchange(
    socket,
    { method: "CONNECT", path: authority, headers },
    cancellation,
    "proxy",
  );
  const { statusCode } = outcome.response;
  if (outcome.kind === "switched" && statusCode >= 200 && statusCode < 300) {
    // Bytes the target already sent belong to the TLS or HTTP stage that follows.
    if (outcome.head.length > 0) socket.unshift(outcome.head);
    return null;
  }
  const responseHeaders = headersOf(outcome);
  if (outcome.kind === "switched") outcome.socket.destroy();
  else discardResponse(outcome);
  return {
    from: "proxy",
    statusCode,
    headers: responseHeaders,
    error: new HandshakeError("bad-status", `the proxy refused the tunnel: ${statusCode}`, {
      statusCode,
      headers: responseHeaders,
      status: webErrorStatusForHttpStatus(statusCode),
    }),
  };
}

function withAuthorization(
  headers: Readonly<Record<string, string>>,
  authorization: string | undefined,
): Record<string, string> {
  if (authorization === undefined) return { ...headers };
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() !== "authorization") out[name] = value;
  }
  out.authorization = authorization;
  return out;
}

function headersOf(outcome: HttpOutcome): Record<string, string | string[]> {
  return outcome.response.headers;
}
