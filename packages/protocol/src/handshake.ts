/**
 * The opening handshake of RFC 6455 §4: key generation, the `Sec-WebSocket-Accept` value, the
 * validation of a client's upgrade request (server side) and of a server's response (client
 * side), and the header sets each side sends. Pure functions over header maps; the Node driver
 * does the HTTP.
 *
 * ```
 *  client                                              server
 *    │ GET /chat HTTP/1.1                                 │
 *    │ Host, Upgrade: websocket, Connection: Upgrade      │
 *    │ Sec-WebSocket-Key: base64(16 random bytes)         │   validateClientRequest()
 *    │ Sec-WebSocket-Version: 13                          │   → 400 / 405 / 426, or ok
 *    │ [Sec-WebSocket-Protocol, -Extensions, Origin]      │
 *    │──────── buildClientRequestHeaders() ──────────────▶│
 *    │                                                    │
 *    │ HTTP/1.1 101 Switching Protocols                   │
 *    │ Upgrade: websocket, Connection: Upgrade            │
 *    │ Sec-WebSocket-Accept: base64(SHA-1(key + GUID))    │
 *    │ [Sec-WebSocket-Protocol, -Extensions]              │
 *    │◀──────────────────────── buildAcceptHeaders() ─────│
 *  validateServerResponse()
 * ```
 *
 * Header maps use lower-case names, as Node's `req.headers`. A value may be a string (Node
 * joins repeated list headers with `", "`), an array of strings (one per header line, as
 * `req.headersDistinct`), or `undefined`: a missing header is an invalid handshake, never a
 * crash (ws CVE-2024-37890). Headers are read as own properties only.
 *
 * Decisions where the RFC leaves room:
 * - A method other than `GET` is answered `405` with `Allow: GET` (RFC 9110 §15.5.6 requires
 *   the `Allow` header); every other malformed request gets `400`.
 * - A missing `Sec-WebSocket-Version` is answered like an unsupported one: `426` with
 *   `Sec-WebSocket-Version: 13`, which tells the client what we speak.
 * - `Host`, `Sec-WebSocket-Key`, `Sec-WebSocket-Version` and `Origin` must appear at most once
 *   (an array of two values, or a value Node joined with a comma, is refused).
 * - `Upgrade` in a request must list the protocol `websocket` (case-insensitively) among
 *   possibly others; in a 101 response it must be exactly `websocket` (RFC 6455 §4.1 step 2).
 * - Subprotocol and extension names are compared exactly (case-sensitively).
 * - A response that accepts the same extension twice is refused (`extension`).
 * - An empty `Sec-WebSocket-Protocol` in a response is refused like any unoffered value.
 * - Requests built by {@link buildClientRequestHeaders} never carry user-supplied `Upgrade`,
 *   `Connection` or `Sec-WebSocket-*` headers; `Host` may be set by the user (to reach a
 *   virtual host through an address), and the builder itself never sets it.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-4
 */

import {
  HandshakeError,
  type HandshakeFailure,
  HResult,
  httpStatusHResult,
  InvalidArgumentError,
  isWebErrorStatus,
  WebErrorStatus,
} from "@netsockets/errors";
import { decodedBase64Length, encodeBase64 } from "./base64.js";
import {
  type ExtensionOffer,
  type HeaderValue,
  isToken,
  parseExtensionHeader,
  parseProtocolHeader,
  parseTokenList,
  parseUpgradeHeader,
} from "./header-values.js";
import { sha1 } from "./sha1.js";

/**
 * The GUID RFC 6455 §1.3 appends to the client's key before hashing it.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-1.3
 */
export const WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/** HTTP headers with lower-case names, as Node's `req.headers` / `req.headersDistinct`. */
export type HeaderMap = Readonly<Record<string, string | readonly string[] | undefined>>;

/** Fills its argument with random bytes. */
export type RandomFill = (target: Uint8Array) => void;

/** The result of {@link validateClientRequest}. */
export type ClientRequestCheck =
  | {
      readonly ok: true;
      /** The `Sec-WebSocket-Key` (without surrounding whitespace), for {@link buildAcceptHeaders}. */
      readonly key: string;
      /** The subprotocols the client offered, in its order of preference (`[]` when none). */
      readonly protocols: string[];
      /** The extension offers, in the client's order of preference (`[]` when none). */
      readonly extensions: ExtensionOffer[];
      /** The `Origin` header, when the client sent one (browsers always do). */
      readonly origin: string | undefined;
      /** The `Host` header (always present in an accepted request). */
      readonly host: string | undefined;
    }
  | {
      readonly ok: false;
      /** The HTTP status to answer with. */
      readonly status: 400 | 426 | 405;
      /** A short human-readable explanation, suitable as the response body. */
      readonly reason: string;
      /** Headers the refusal must carry: `sec-websocket-version: 13` for 426, `allow: GET` for 405. */
      readonly headers: Record<string, string>;
      /** The same failure as an error (`bad-request` or `unsupported-version`). */
      readonly error: HandshakeError;
    };

/** Options of {@link buildAcceptHeaders}. */
export interface AcceptHeadersOptions {
  /** The client's `Sec-WebSocket-Key` (from {@link validateClientRequest}). */
  readonly key: string;
  /**
   * `computeAcceptKey(key)` when the caller already has it (a platform with a native SHA-1, as
   * the Node driver, computes it faster); it must be exactly that value. Default: computed here.
   */
  readonly accept?: string;
  /** The chosen subprotocol, one the client offered; `null`/absent for none. */
  readonly protocol?: string | null;
  /** The accepted extensions as a header value (e.g. from {@link formatExtensionHeader}); `null`/absent/empty for none. */
  readonly extensions?: string | null;
  /** Extra response headers (e.g. `set-cookie`). Must not be handshake headers. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** Options of {@link buildClientRequestHeaders}. */
export interface ClientRequestHeadersOptions {
  /** The key from {@link generateClientKey}. */
  readonly key: string;
  /** The subprotocols to offer, in order of preference: unique tokens. */
  readonly protocols?: readonly string[];
  /** The extension offers as a header value (e.g. from {@link formatExtensionHeader}); `null`/absent/empty for none. */
  readonly extensions?: string | null;
  /** The `Origin` to send, if any. */
  readonly origin?: string;
  /** Extra request headers (`SetRequestHeader`). Must not be handshake headers. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** What the client offered, to check the server's response against. */
export interface ExpectedResponse {
  /** The `Sec-WebSocket-Key` the client sent. */
  readonly key: string;
  /**
   * `computeAcceptKey(key)` when the caller already has it (e.g. from a native SHA-1); it must be
   * exactly that value. Default: computed here.
   */
  readonly accept?: string;
  /** The subprotocols the client offered. */
  readonly protocols: readonly string[];
  /** The names of the extensions the client offered. */
  readonly extensions: readonly string[];
}

/** What a valid 101 response negotiated. */
export interface ServerResponseCheck {
  /** The subprotocol the server chose, or `null` when it chose none. */
  readonly protocol: string | null;
  /** The accepted extensions with their parameters; the extension's negotiator validates them. */
  readonly extensions: ExtensionOffer[];
}

/** Bytes of CSPRNG output fetched per refill of the key pool: 64 keys. */
const KEY_POOL_SIZE = 1024;
/** The default source's buffered random bytes (module state: a cache, never handed out twice). */
let keyPool: Uint8Array | undefined;
let keyPoolNext = KEY_POOL_SIZE;

/**
 * The default nonce: 16 bytes of the platform CSPRNG (`globalThis.crypto`, Node ≥ 19 and
 * browsers), taken from a pool filled 1 KiB at a time. One `getRandomValues` call per handshake
 * was 1.4 % of a client opening connections in a loop (bench RESULTS item 11); the pool serves 64
 * handshakes per call. Every nonce is a fresh slice of CSPRNG output, copied out, and the pool is
 * replaced (not overwritten) on refill, so no two keys share bytes.
 */
function pooledNonce(): Uint8Array {
  if (keyPool === undefined || keyPoolNext === KEY_POOL_SIZE) {
    keyPool = new Uint8Array(KEY_POOL_SIZE);
    globalThis.crypto.getRandomValues(keyPool);
    keyPoolNext = 0;
  }
  const start = keyPoolNext;
  keyPoolNext = start + 16;
  return keyPool.slice(start, start + 16);
}

/**
 * A fresh `Sec-WebSocket-Key`: 16 random bytes, base64-encoded (24 characters).
 *
 * RFC 6455 §4.1: "The nonce MUST be selected randomly for each connection."
 *
 * @param randomFill - Source of randomness; defaults to `globalThis.crypto.getRandomValues`
 *   (buffered: 1 KiB per call, 64 keys).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-4.1
 */
export function generateClientKey(randomFill?: RandomFill): string {
  if (randomFill === undefined) return encodeBase64(pooledNonce());
  const nonce = new Uint8Array(16);
  randomFill(nonce);
  return encodeBase64(nonce);
}

/**
 * The `Sec-WebSocket-Accept` value for a key: base64 of the SHA-1 of the key (as sent, not
 * decoded) followed by {@link WEBSOCKET_GUID}. Characters are taken as ISO-8859-1 bytes, the
 * way Node decodes header bytes.
 *
 * @throws InvalidArgumentError when the key contains a character above U+00FF.
 *
 * @example
 * ```ts
 * computeAcceptKey("dGhlIHNhbXBsZSBub25jZQ=="); // "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-4.2.2
 */
export function computeAcceptKey(key: string): string {
  const text = key + WEBSOCKET_GUID;
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0xff)
      throw new InvalidArgumentError("Sec-WebSocket-Key contains a non-Latin-1 character");
    bytes[i] = c;
  }
  return encodeBase64(sha1(bytes));
}

/** The lines of header `name` (own property only), skipping anything that is not a string. */
function headerLines(headers: HeaderMap, name: string): string[] {
  if (!Object.hasOwn(headers, name)) return [];
  const value: unknown = headers[name];
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.filter((line): line is string => typeof line === "string");
  return [];
}

/** The header value as the list parsers take it. */
function listValue(headers: HeaderMap, name: string): HeaderValue {
  if (!Object.hasOwn(headers, name)) return undefined;
  const value: unknown = headers[name];
  // One line (what Node and our reader give for a header sent once) goes as it is: the list
  // parsers take a string or lines alike, and a lone token is then matched without a list.
  if (typeof value === "string") return value;
  const lines = headerLines(headers, name);
  return lines.length === 0 ? undefined : lines;
}

/** `s` without leading and trailing spaces and tabs (HTTP's OWS). */
function trimOws(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && (s.charCodeAt(start) === 0x20 || s.charCodeAt(start) === 0x09)) start++;
  while (end > start && (s.charCodeAt(end - 1) === 0x20 || s.charCodeAt(end - 1) === 0x09)) end--;
  return s.slice(start, end);
}

/**
 * The value of a header that may appear once: `undefined` when absent, `null` when repeated
 * (several lines, or a value Node joined with a comma when `comma` is true).
 */
function singleValue(headers: HeaderMap, name: string, comma = false): string | undefined | null {
  if (!Object.hasOwn(headers, name)) return undefined;
  const raw: unknown = headers[name];
  let line: string;
  if (typeof raw === "string") {
    line = raw;
  } else {
    const lines = headerLines(headers, name);
    if (lines.length === 0) return undefined;
    if (lines.length > 1) return null;
    line = lines[0] as string;
  }
  const value = trimOws(line);
  return comma && value.includes(",") ? null : value;
}

/**
 * Whether the list header `value` holds `token` (lower-case), compared ASCII case-insensitively.
 * A value that is the token alone — what clients and servers send — is recognised without
 * parsing (no array, no slices); anything else is parsed with `parse`, with the same result.
 */
function listHasToken(
  value: HeaderValue,
  token: string,
  parse: (value: HeaderValue) => string[] | null,
): boolean {
  if (typeof value === "string" && value.length === token.length && isAsciiCaseless(value, token)) {
    return true;
  }
  return listHas(parse(value), token);
}

/** Whether `value` equals the lower-case ASCII `lower` ignoring ASCII case (same length). */
function isAsciiCaseless(value: string, lower: string): boolean {
  for (let i = 0; i < lower.length; i++) {
    const c = value.charCodeAt(i);
    // 'A'–'Z' fold to 'a'–'z'; nothing else folds (no Unicode case mapping).
    if ((c >= 0x41 && c <= 0x5a ? c + 0x20 : c) !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/** Whether a token list header contains `token` (ASCII case-insensitively); `false` when invalid. */
function listHas(values: string[] | null, token: string): boolean {
  if (values === null) return false;
  for (const value of values) if (value.toLowerCase() === token) return true;
  return false;
}

/** A copy of a header map in the shape {@link HandshakeError} keeps. */
function copyHeaders(headers: HeaderMap): Record<string, string | string[] | undefined> {
  const copy: Record<string, string | string[] | undefined> = {};
  for (const name of Object.keys(headers)) {
    const value: unknown = headers[name];
    const copied =
      typeof value === "string"
        ? value
        : Array.isArray(value)
          ? value.filter((line): line is string => typeof line === "string")
          : undefined;
    // defineProperty, so a header called "__proto__" stays an ordinary entry.
    Object.defineProperty(copy, name, {
      value: copied,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return copy;
}

/** Builds the refusal of a client request. */
function refuse(
  request: { readonly headers: HeaderMap },
  status: 400 | 405 | 426,
  failure: HandshakeFailure,
  reason: string,
): ClientRequestCheck {
  const headers: Record<string, string> =
    status === 426 ? { "sec-websocket-version": "13" } : status === 405 ? { allow: "GET" } : {};
  const error = new HandshakeError(failure, reason, {
    statusCode: status,
    headers: copyHeaders(request.headers),
    ...(status === 405 ? { status: WebErrorStatus.methodNotAllowed } : {}),
  });
  return { ok: false, status, reason, headers, error };
}

/** Whether `version` ("1.1", "2") is HTTP/1.1 or later. */
function isHttp11OrLater(version: string): boolean {
  // What nearly every request says, without the slices and patterns below.
  if (version === "1.1") return true;
  const dot = version.indexOf(".");
  const major = dot === -1 ? version : version.slice(0, dot);
  const minor = dot === -1 ? "0" : version.slice(dot + 1);
  if (!/^[0-9]{1,3}$/.test(major) || !/^[0-9]{1,3}$/.test(minor)) return false;
  const m = Number(major);
  return m > 1 || (m === 1 && Number(minor) >= 1);
}

/**
 * Validates a client's opening handshake (server side), RFC 6455 §4.2.1.
 *
 * RFC 6455 §4.2.1: "If the server, while reading the handshake, finds that the client did not
 * send a handshake that matches the description below …, the server MUST stop processing the
 * client's handshake and return an HTTP response with an appropriate error code (such as 400
 * Bad Request)." §4.2.2: for an unsupported version the server "MUST abort the WebSocket
 * handshake described in this section and instead send an appropriate HTTP error code (such as
 * 426 Upgrade Required) and a |Sec-WebSocket-Version| header field indicating the version(s)
 * the server is capable of understanding."
 *
 * Takes Node's `IncomingMessage` as it is. Checks, in order: method `GET` (else 405), HTTP/1.1 or later, `Upgrade` lists `websocket`,
 * `Connection` lists `upgrade`, one `Host`, one `Sec-WebSocket-Key` that is base64 of exactly
 * 16 bytes, one `Sec-WebSocket-Version` equal to `13` (else 426), a valid
 * `Sec-WebSocket-Protocol` token list without repeats, a valid `Sec-WebSocket-Extensions`, at
 * most one `Origin`. Never throws for any header map.
 *
 * @example
 * ```ts
 * const check = validateClientRequest(req);
 * if (!check.ok) return refuse(socket, check.status, check.headers, check.reason);
 * const headers = buildAcceptHeaders({ key: check.key, protocol: check.protocols[0] ?? null });
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-4.2.1
 */
export function validateClientRequest(request: {
  /** The request method; `undefined` (as Node types it) is refused like any non-GET method. */
  readonly method?: string | undefined;
  readonly httpVersion: string;
  readonly headers: HeaderMap;
}): ClientRequestCheck {
  const { headers } = request;
  // §4.2.1 item 1: "An HTTP/1.1 or higher GET request".
  if (request.method !== "GET") {
    return refuse(request, 405, "bad-request", "A WebSocket handshake must be a GET request");
  }
  if (typeof request.httpVersion !== "string" || !isHttp11OrLater(request.httpVersion)) {
    return refuse(request, 400, "bad-request", "A WebSocket handshake needs HTTP/1.1 or later");
  }
  // §4.2.1 item 3: 'An |Upgrade| header field containing the value "websocket", treated as an
  // ASCII case-insensitive value.'
  if (!listHasToken(listValue(headers, "upgrade"), "websocket", parseUpgradeHeader)) {
    return refuse(request, 400, "bad-request", "Missing or invalid Upgrade header");
  }
  // §4.2.1 item 4: 'A |Connection| header field that includes the token "Upgrade", treated as an
  // ASCII case-insensitive value.'
  if (!listHasToken(listValue(headers, "connection"), "upgrade", parseTokenList)) {
    return refuse(request, 400, "bad-request", "Missing or invalid Connection header");
  }
  // §4.2.1 item 2: "A |Host| header field containing the server's authority."
  const host = singleValue(headers, "host", true);
  if (host === undefined || host === null || host.length === 0) {
    return refuse(request, 400, "bad-request", "Missing or repeated Host header");
  }
  // §4.2.1 item 5: "A |Sec-WebSocket-Key| header field with a base64-encoded … value that, when
  // decoded, is 16 bytes in length."
  const key = singleValue(headers, "sec-websocket-key");
  if (key === undefined || key === null || key.length !== 24 || decodedBase64Length(key) !== 16) {
    return refuse(request, 400, "bad-request", "Missing or invalid Sec-WebSocket-Key header");
  }
  // §4.2.1 item 6: "A |Sec-WebSocket-Version| header field, with a value of 13."
  if (singleValue(headers, "sec-websocket-version") !== "13") {
    return refuse(
      request,
      426,
      "unsupported-version",
      "Missing or unsupported Sec-WebSocket-Version header (13 is supported)",
    );
  }
  const protocols = parseProtocolHeader(listValue(headers, "sec-websocket-protocol"));
  if (protocols === null) {
    return refuse(request, 400, "bad-request", "Invalid Sec-WebSocket-Protocol header");
  }
  const extensions = parseExtensionHeader(listValue(headers, "sec-websocket-extensions"));
  if (extensions === null) {
    return refuse(request, 400, "bad-request", "Invalid Sec-WebSocket-Extensions header");
  }
  const origin = singleValue(headers, "origin", true);
  if (origin === null) {
    return refuse(request, 400, "bad-request", "Repeated Origin header");
  }
  return { ok: true, key, protocols, extensions, origin, host };
}

/** Whether `value` may be sent as a header value: no control characters but HTAB, nothing above U+00FF. */
function isSafeHeaderValue(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f || c > 0xff) return false;
  }
  return true;
}

/** Whether a user may set header `lowerName`: not one the handshake itself owns. */
function isReservedHeader(lowerName: string): boolean {
  return (
    lowerName === "upgrade" || lowerName === "connection" || lowerName.startsWith("sec-websocket-")
  );
}

/** Defines `name: value` as an own enumerable property (safe for `__proto__`). */
function setHeader(target: Record<string, string>, name: string, value: string): void {
  Object.defineProperty(target, name, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

/** Copies user headers into `target` after checking names and values. */
function addUserHeaders(
  target: Record<string, string>,
  headers: Readonly<Record<string, string>> | undefined,
  forbidden: ReadonlySet<string>,
): void {
  if (headers === undefined) return;
  for (const name of Object.keys(headers)) {
    const value: unknown = headers[name];
    if (!isToken(name)) {
      throw new InvalidArgumentError(`header name ${JSON.stringify(name)} is not a valid token`);
    }
    const lower = name.toLowerCase();
    if (isReservedHeader(lower) || forbidden.has(lower)) {
      throw new InvalidArgumentError(
        `header ${name} is set by the WebSocket handshake and cannot be set by hand`,
      );
    }
    if (typeof value !== "string" || !isSafeHeaderValue(value)) {
      throw new InvalidArgumentError(
        `value of header ${name} must be a string without CR, LF, NUL or other control characters`,
      );
    }
    setHeader(target, name, value);
  }
}

const NO_NAMES: ReadonlySet<string> = new Set();
const ORIGIN: ReadonlySet<string> = new Set(["origin"]);

/**
 * The headers of a 101 response accepting a handshake: `upgrade`, `connection`,
 * `sec-websocket-accept`, and `sec-websocket-protocol` / `sec-websocket-extensions` when given,
 * followed by the user's headers. Names are lower-case (HTTP names are case-insensitive).
 *
 * @throws InvalidArgumentError when `protocol` is not a token, `extensions` or a user header
 * value contains control characters, a user header name is not a token, or a user header is a
 * handshake header (`upgrade`, `connection`, `sec-websocket-*`).
 *
 * @example
 * ```ts
 * buildAcceptHeaders({ key: "dGhlIHNhbXBsZSBub25jZQ==", protocol: "chat" });
 * // { upgrade: "websocket", connection: "Upgrade",
 * //   "sec-websocket-accept": "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", "sec-websocket-protocol": "chat" }
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-4.2.2
 */
export function buildAcceptHeaders(options: AcceptHeadersOptions): Record<string, string> {
  // The handshake's own names are plain properties (a literal, no defineProperty each: this
  // runs per connection); only user header names, which may be "__proto__", need setHeader.
  const out: Record<string, string> = {
    upgrade: "websocket",
    connection: "Upgrade",
    "sec-websocket-accept": options.accept ?? computeAcceptKey(options.key),
  };
  const { protocol, extensions } = options;
  if (protocol !== undefined && protocol !== null) {
    if (!isToken(protocol)) {
      throw new InvalidArgumentError(`subprotocol ${JSON.stringify(protocol)} is not a token`);
    }
    out["sec-websocket-protocol"] = protocol;
  }
  if (extensions !== undefined && extensions !== null && extensions.length > 0) {
    if (!isSafeHeaderValue(extensions)) {
      throw new InvalidArgumentError("Sec-WebSocket-Extensions value contains control characters");
    }
    out["sec-websocket-extensions"] = extensions;
  }
  addUserHeaders(out, options.headers, NO_NAMES);
  return out;
}

/**
 * The headers of a client's upgrade request: `upgrade`, `connection`, `sec-websocket-key`,
 * `sec-websocket-version: 13`, and `sec-websocket-protocol`, `sec-websocket-extensions`,
 * `origin` when given, followed by the user's headers. `Host` is not set here (the HTTP client
 * sets it from the URI); a user `host` header is passed through.
 *
 * RFC 6455 §4.1: subprotocol names "MUST all be unique strings" and tokens.
 *
 * @throws InvalidArgumentError when the key is not base64 of 16 bytes, a protocol is not a token
 * or is repeated, a value contains control characters, a user header name is not a token, or a
 * user header is a handshake header (`upgrade`, `connection`, `sec-websocket-*`, or `origin`
 * when `origin` is given too).
 *
 * @example
 * ```ts
 * const key = generateClientKey();
 * const headers = buildClientRequestHeaders({ key, protocols: ["chat"], headers: { authorization: "Bearer x" } });
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-4.1
 */
export function buildClientRequestHeaders(
  options: ClientRequestHeadersOptions,
): Record<string, string> {
  const { key, protocols = [], extensions, origin } = options;
  if (typeof key !== "string" || key.length !== 24 || decodedBase64Length(key) !== 16) {
    throw new InvalidArgumentError("Sec-WebSocket-Key must be the base64 encoding of 16 bytes");
  }
  const seen = new Set<string>();
  for (const protocol of protocols) {
    if (!isToken(protocol)) {
      throw new InvalidArgumentError(`subprotocol ${JSON.stringify(protocol)} is not a token`);
    }
    if (seen.has(protocol)) {
      throw new InvalidArgumentError(`subprotocol ${protocol} is offered more than once`);
    }
    seen.add(protocol);
  }
  // Plain properties for the handshake's own names (see buildAcceptHeaders).
  const out: Record<string, string> = {
    upgrade: "websocket",
    connection: "Upgrade",
    "sec-websocket-key": key,
    "sec-websocket-version": "13",
  };
  if (protocols.length > 0) out["sec-websocket-protocol"] = protocols.join(", ");
  if (extensions !== undefined && extensions !== null && extensions.length > 0) {
    if (!isSafeHeaderValue(extensions)) {
      throw new InvalidArgumentError("Sec-WebSocket-Extensions value contains control characters");
    }
    out["sec-websocket-extensions"] = extensions;
  }
  if (origin !== undefined) {
    if (!isSafeHeaderValue(origin)) {
      throw new InvalidArgumentError("Origin value contains control characters");
    }
    out.origin = origin;
  }
  addUserHeaders(out, options.headers, origin === undefined ? NO_NAMES : ORIGIN);
  return out;
}

/**
 * The {@link WebErrorStatus} of an HTTP status a server answered instead of 101: the member of
 * the same value where one exists (404 → `notFound`), else by class (3xx
 * `unexpectedRedirection`, 4xx `unexpectedClientError`, 5xx `unexpectedServerError`, anything
 * else `unexpectedStatusCode`).
 */
export function webErrorStatusForHttpStatus(statusCode: number): WebErrorStatus {
  if (statusCode >= 300 && statusCode <= 599 && isWebErrorStatus(statusCode)) return statusCode;
  if (statusCode >= 300 && statusCode <= 399) return WebErrorStatus.unexpectedRedirection;
  if (statusCode >= 400 && statusCode <= 499) return WebErrorStatus.unexpectedClientError;
  if (statusCode >= 500 && statusCode <= 599) return WebErrorStatus.unexpectedServerError;
  return WebErrorStatus.unexpectedStatusCode;
}

/** The HRESULT that goes with {@link webErrorStatusForHttpStatus}. */
function hresultForHttpStatus(statusCode: number): number {
  if (statusCode >= 300 && statusCode <= 599 && isWebErrorStatus(statusCode)) {
    return httpStatusHResult(statusCode);
  }
  if (statusCode >= 300 && statusCode <= 399) return HResult.HTTP_E_STATUS_UNEXPECTED_REDIRECTION;
  if (statusCode >= 400 && statusCode <= 499) return HResult.HTTP_E_STATUS_UNEXPECTED_CLIENT_ERROR;
  if (statusCode >= 500 && statusCode <= 599) return HResult.HTTP_E_STATUS_UNEXPECTED_SERVER_ERROR;
  return HResult.HTTP_E_STATUS_UNEXPECTED;
}

/**
 * Validates a server's answer to our upgrade request (client side), RFC 6455 §4.1 steps 1–6.
 *
 * RFC 6455 §4.1: "If the status code received from the server is not 101, the client handles
 * the response per HTTP [RFC2616] procedures." Otherwise, for a missing or wrong `Upgrade`,
 * `Connection` or `Sec-WebSocket-Accept`, an extension "not present in the client's handshake"
 * or a subprotocol "not present in the client's handshake", "the client MUST _Fail the
 * WebSocket Connection_".
 *
 * @returns The chosen subprotocol (`null` when the server chose none) and the accepted
 * extensions with their parameters (the extension's negotiator validates those).
 * @throws HandshakeError with reason `bad-status` (with `statusCode`, `headers`, and the
 * {@link webErrorStatusForHttpStatus} status and HRESULT), `bad-response`, `subprotocol` or
 * `extension`. Throws nothing else for any header map.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-4.1
 */
export function validateServerResponse(
  response: { readonly statusCode: number; readonly headers: HeaderMap },
  expected: ExpectedResponse,
): ServerResponseCheck {
  const { statusCode, headers } = response;
  if (statusCode !== 101) {
    throw new HandshakeError("bad-status", `Unexpected server response: ${statusCode}`, {
      statusCode,
      headers: copyHeaders(headers),
      status: webErrorStatusForHttpStatus(statusCode),
      hresult: hresultForHttpStatus(statusCode),
    });
  }
  const fail = (failure: HandshakeFailure, message: string): HandshakeError =>
    new HandshakeError(failure, message, { statusCode, headers: copyHeaders(headers) });

  // §4.1 step 2: 'If the response lacks an |Upgrade| header field or the |Upgrade| header field
  // contains a value that is not an ASCII case-insensitive match for the value "websocket", the
  // client MUST _Fail the WebSocket Connection_.'
  const upgrade = parseUpgradeHeader(listValue(headers, "upgrade"));
  if (upgrade === null || upgrade.length !== 1 || upgrade[0]?.toLowerCase() !== "websocket") {
    throw fail("bad-response", "Missing or invalid Upgrade header in the server's response");
  }
  // §4.1 step 3: 'If the response lacks a |Connection| header field or the |Connection| header
  // field doesn't contain a token that is an ASCII case-insensitive match for the value
  // "Upgrade", the client MUST _Fail the WebSocket Connection_.'
  if (!listHasToken(listValue(headers, "connection"), "upgrade", parseTokenList)) {
    throw fail("bad-response", "Missing or invalid Connection header in the server's response");
  }
  // §4.1 step 4: the accept value must be the base64 SHA-1 of key + GUID, "ignoring any leading
  // and trailing whitespace".
  const accept = singleValue(headers, "sec-websocket-accept");
  if (
    accept === undefined ||
    accept === null ||
    accept !== (expected.accept ?? computeAcceptKey(expected.key))
  ) {
    throw fail("bad-response", "Missing or invalid Sec-WebSocket-Accept header");
  }
  // §4.1 step 6: a subprotocol "not present in the client's handshake" fails the connection.
  let protocol: string | null = null;
  const protocolLines = headerLines(headers, "sec-websocket-protocol");
  if (protocolLines.length > 0) {
    const chosen = protocolLines.length === 1 ? trimOws(protocolLines[0] as string) : "";
    if (!expected.protocols.includes(chosen)) {
      throw fail(
        "subprotocol",
        expected.protocols.length === 0
          ? "The server chose a subprotocol but none was offered"
          : "The server chose a subprotocol that was not offered",
      );
    }
    protocol = chosen;
  }
  // §4.1 step 5: an extension "not present in the client's handshake" fails the connection.
  const extensions = parseExtensionHeader(listValue(headers, "sec-websocket-extensions"));
  if (extensions === null) {
    throw fail("extension", "Invalid Sec-WebSocket-Extensions header in the server's response");
  }
  const accepted = new Set<string>();
  for (const extension of extensions) {
    if (!expected.extensions.includes(extension.name)) {
      throw fail(
        "extension",
        `The server accepted extension ${extension.name}, which was not offered`,
      );
    }
    if (accepted.has(extension.name)) {
      throw fail("extension", `The server accepted extension ${extension.name} more than once`);
    }
    accepted.add(extension.name);
  }
  return { protocol, extensions };
}
