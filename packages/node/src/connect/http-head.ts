/**
 * A small, strict reader of HTTP/1.1 message heads (RFC 9112 §2–§5), shared by the client's
 * upgrade exchange (responses) and the upgrade server (requests). It replaces Node's `http`
 * machinery on the handshake path: a WebSocket handshake needs one head in each direction and
 * never a body, so the `ClientRequest` / `IncomingMessage` / `Agent` objects and llhttp's
 * general-purpose state were most of what a handshake cost (bench RESULTS, workload 6).
 *
 * ```
 *  bytes ──▶ HeadReader.push ──▶ "HTTP/1.1 101 …\r\n" + field lines ──▶ parseStatusLine /
 *            (accumulates up to      (latin1 text, without the           parseRequestLine
 *             the blank line,         blank line)                    ──▶ parseJoinedHeaders
 *             bounded)                                                    (client) /
 *                                                                         parseDistinctHeaders
 *                                                                         (server) /
 *                                                                         parseFieldLines
 *                                                                         (rawHeaders)
 * ```
 *
 * Strictness (each a typed failure, never a throw, never a guess):
 * - Lines end in CRLF. A bare LF or CR anywhere in the head is refused (RFC 9112 §2.2 lets a
 *   recipient accept bare LF; accepting it is how request-smuggling differentials start).
 * - A field line that starts with SP or HTAB (obs-fold) is refused (RFC 9112 §5.2: "A server
 *   that receives an obs-fold in a request message … MUST either reject the message by sending
 *   a 400 (Bad Request)…"; we refuse it in responses too).
 * - No whitespace between a field name and its colon (RFC 9112 §5.1: "A server MUST reject, with
 *   a response status code of 400 (Bad Request), any received request message that contains
 *   whitespace between a header field name and colon").
 * - Field names are tokens; values are VCHAR / obs-text / SP / HTAB, with optional whitespace
 *   around them removed (RFC 9110 §5.5). NUL, other controls and DEL are refused.
 * - The head is bounded in bytes (checked while it arrives, before the blank line is seen) and
 *   in field lines.
 *
 * Text is decoded as latin1 (ISO-8859-1), one character per byte, as Node does for header bytes.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9112
 */

/** Why a head was refused. */
export type HeadFailure =
  /** More bytes than the limit before the blank line. */
  | "too-large"
  /** More field lines than the limit. */
  | "too-many-fields"
  /** Not an HTTP/1.x head of the expected kind, or a line breaking one of the rules above. */
  | "malformed";

/** A refused head: the failure kind and a short human-readable explanation. */
export interface HeadError {
  readonly failure: HeadFailure;
  readonly message: string;
}

/** The outcome of {@link HeadReader.push}. */
export type HeadChunkResult =
  | { readonly kind: "more" }
  | {
      readonly kind: "head";
      /** The head as latin1 text: start line and field lines, each ending in CRLF; no blank line. */
      readonly text: string;
      /** The bytes after the blank line (the start of the next protocol's data). */
      readonly rest: Buffer;
    }
  | ({ readonly kind: "error" } & HeadError);

import { hash } from "node:crypto";
import type { Duplex } from "node:stream";
import { WEBSOCKET_GUID } from "@netsockets/protocol";

const CRLFCRLF = Buffer.from("\r\n\r\n", "latin1");
const LF = 0x0a;
const CR = 0x0d;

/**
 * Accumulates bytes until a head's blank line (CRLF CRLF), without copying while the head fits
 * in the first chunk (the usual case: a handshake head is one segment). Refuses as soon as the
 * bytes seen exceed `maxBytes` without a blank line, and as soon as a bare LF appears before it,
 * so a hostile peer can neither grow memory past the limit nor keep us waiting with an LF-only
 * head. (A bare LF inside a complete head is refused by the line parsers.)
 */
export class HeadReader {
  readonly #maxBytes: number;
  #chunks: Buffer[] = [];
  #length = 0;

  /** @param maxBytes - The most bytes of head before the blank line (start line and field lines with their CRLFs). */
  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** Takes the next chunk of the stream. */
  push(chunk: Buffer): HeadChunkResult {
    let bytes = chunk;
    let from = 0;
    if (this.#length > 0) {
      // Rare: a head in several segments. Search again from just before the old end, so a
      // CRLFCRLF split across chunks is found; the copy is bounded by maxBytes.
      from = Math.max(0, this.#length - 3);
      this.#chunks.push(chunk);
      bytes = Buffer.concat(this.#chunks, this.#length + chunk.length);
    }
    const result = scanHead(bytes, from, this.#maxBytes);
    if (result === MORE) {
      this.#chunks = [bytes];
      this.#length = bytes.length;
    } else if (result.kind === "head" && this.#length > 0) {
      this.#chunks = [];
      this.#length = 0;
    }
    return result;
  }
}

/** The one "more" result (it carries nothing). */
const MORE: HeadChunkResult = Object.freeze({ kind: "more" });

/**
 * What a new {@link HeadReader} answers to its first chunk, without making one: the server reads
 * most heads whole from one segment, and only a `"more"` answer needs a reader (push the same
 * chunk into a new one to go on).
 */
export function readHead(chunk: Buffer, maxBytes: number): HeadChunkResult {
  return scanHead(chunk, 0, maxBytes);
}

/** Looks for the blank line in `bytes` from `from`, within `maxBytes` (see {@link HeadReader}). */
function scanHead(bytes: Buffer, from: number, maxBytes: number): HeadChunkResult {
  if (from === 0) {
    // A first chunk (the usual head comes whole in one): one latin1 decode of what can hold a
    // head and a string search, rather than a Buffer search and then the decode — one call into
    // C++ less on every handshake's critical path (bench workload 6a). The head's text is then a
    // slice of that string. Anything else (no blank line within the limit) takes the general path.
    const text = bytes.toString("latin1", 0, Math.min(bytes.length, maxBytes + 4));
    const blank = text.indexOf("\r\n\r\n");
    if (blank !== -1 && blank + 2 <= maxBytes) return headOf(bytes, text.slice(0, blank + 2));
  }
  const end = bytes.indexOf(CRLFCRLF, from);
  // In a complete head the line parsers refuse any stray LF; an incomplete one is scanned now,
  // so an LF-only head (which never shows a CRLFCRLF) is refused at once, not at the timeout.
  if (end === -1 && firstBareLf(bytes, from, bytes.length) !== -1) {
    return { kind: "error", failure: "malformed", message: "a line ends in a bare LF" };
  }
  // Without a blank line yet, up to 2 bytes may be the start of one.
  if (end === -1 ? bytes.length > maxBytes + 2 : end + 2 > maxBytes) {
    return {
      kind: "error",
      failure: "too-large",
      message: `the head is larger than ${maxBytes} bytes`,
    };
  }
  if (end === -1) return MORE;
  return headOf(bytes, bytes.toString("latin1", 0, end + 2));
}

/** The head `text` (up to its last CRLF) at the start of `bytes`, and the bytes after its blank line. */
function headOf(bytes: Buffer, text: string): HeadChunkResult {
  const restStart = text.length + 2;
  return {
    kind: "head",
    text,
    // Usually nothing follows a head (the peer waits for the answer): no view for that.
    rest: restStart === bytes.length ? NO_BYTES : bytes.subarray(restStart),
  };
}

/** The `rest` of a head that nothing followed (empty: nothing can be written into it). */
const NO_BYTES = Buffer.alloc(0);

/** The index of the first LF in `bytes[from, to)` not preceded by CR, or -1. */
function firstBareLf(bytes: Buffer, from: number, to: number): number {
  let at = bytes.indexOf(LF, from);
  while (at !== -1 && at < to) {
    if (at === 0 || bytes[at - 1] !== CR) return at;
    at = bytes.indexOf(LF, at + 1);
  }
  return -1;
}

/** A parsed status line (RFC 9112 §4). */
export interface StatusLine {
  /** `"1.0"` or `"1.1"`. */
  readonly httpVersion: string;
  readonly statusCode: number;
  readonly statusMessage: string;
}

/** A parsed request line (RFC 9112 §3). */
export interface RequestLine {
  readonly method: string;
  /** The request target as sent (origin-form, absolute-form, authority-form or `*`). */
  readonly target: string;
  /** `"1.0"` or `"1.1"`. */
  readonly httpVersion: string;
}

// field-line = field-name ":" OWS field-value OWS; the request line and the field lines are
// scanned by hand (see parseRequestLine, fieldColon): no match arrays on the server's path.

/** `TCHAR[c] === 1` when the character code `c` (< 128) is an RFC 9110 tchar. */
const TCHAR = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") {
  TCHAR[c.charCodeAt(0)] = 1;
}

/** Whether `c` is a tchar. */
function isTchar(c: number): boolean {
  return c < 128 && TCHAR[c] === 1;
}

/** Whether `c` may appear in a field value: HTAB, SP, VCHAR, obs-text (not NUL, CR, LF, DEL …). */
function isFieldChar(c: number): boolean {
  return c === 0x09 || (c >= 0x20 && c <= 0xff && c !== 0x7f);
}

const SP = 0x20;
const HTAB = 0x09;
const COLON = 0x3a;

/**
 * Parses the status line at the start of a response head; `null` when it is not one.
 * status-line = HTTP-version SP status-code SP [ reason-phrase ], where the version is `HTTP/1.0`
 * or `HTTP/1.1`, the code three digits from 100, and the reason HTAB / SP / VCHAR / obs-text; a
 * missing SP before an empty reason is tolerated, as llhttp does. One scan by hand, as
 * {@link parseRequestLine} (no match array and line copy on the client's critical path).
 */
export function parseStatusLine(text: string): { status: StatusLine; next: number } | null {
  const eol = text.indexOf("\r\n");
  const end = eol === -1 ? text.length : eol;
  // "HTTP/1.x NNN"
  if (end < 12 || !text.startsWith("HTTP/1.")) return null;
  const minor = text.charCodeAt(7);
  if ((minor !== 0x30 && minor !== 0x31) || text.charCodeAt(8) !== SP) return null;
  const hundreds = text.charCodeAt(9) - 0x30;
  const tens = text.charCodeAt(10) - 0x30;
  const units = text.charCodeAt(11) - 0x30;
  if (!(hundreds >= 1 && hundreds <= 9 && tens >= 0 && tens <= 9 && units >= 0 && units <= 9)) {
    return null;
  }
  let statusMessage = "";
  if (end > 12) {
    if (text.charCodeAt(12) !== SP) return null;
    // reason-phrase characters are the field-value characters.
    for (let i = 13; i < end; i++) if (!isFieldChar(text.charCodeAt(i))) return null;
    statusMessage = text.slice(13, end);
  }
  return {
    status: {
      httpVersion: minor === 0x30 ? "1.0" : "1.1",
      statusCode: hundreds * 100 + tens * 10 + units,
      statusMessage,
    },
    next: eol === -1 ? text.length : eol + 2,
  };
}

/**
 * Parses the request line at the start of a request head; `null` when it is not one.
 * request-line = method SP request-target SP HTTP-version, where the method is a token, the
 * target is visible ASCII without whitespace (every RFC 9112 §3.2 form fits) and the version is
 * `HTTP/1.0` or `HTTP/1.1`. One scan by hand: none of the parts can take another's character, so
 * the line splits in exactly one way.
 */
export function parseRequestLine(text: string): { request: RequestLine; next: number } | null {
  const eol = text.indexOf("\r\n");
  const end = eol === -1 ? text.length : eol;
  let at = 0;
  while (at < end && isTchar(text.charCodeAt(at))) at++;
  if (at === 0 || at === end || text.charCodeAt(at) !== SP) return null;
  const method = text.slice(0, at);
  const targetStart = ++at;
  while (at < end && isTargetChar(text.charCodeAt(at))) at++;
  if (at === targetStart || at === end || text.charCodeAt(at) !== SP) return null;
  const target = text.slice(targetStart, at);
  // "HTTP/1.x" then the end of the line.
  if (end - at !== 9 || !text.startsWith("HTTP/1.", at + 1)) return null;
  const minor = text.charCodeAt(at + 8);
  if (minor !== 0x30 && minor !== 0x31) return null;
  return {
    request: { method, target, httpVersion: minor === 0x30 ? "1.0" : "1.1" },
    next: eol === -1 ? text.length : eol + 2,
  };
}

/**
 * The colon of the field line `text[at, eol)`, or -1 when the line is not
 * `field-name ":" field-value` (a token, no whitespace before the colon, no controls after it).
 */
function fieldColon(text: string, at: number, eol: number): number {
  let colon = at;
  while (colon < eol && isTchar(text.charCodeAt(colon))) colon++;
  if (colon === at || colon === eol || text.charCodeAt(colon) !== COLON) return -1;
  for (let i = colon + 1; i < eol; i++) if (!isFieldChar(text.charCodeAt(i))) return -1;
  return colon;
}

/** Why the field line `text[at, eol)` was refused (see {@link fieldColon}). */
function invalidFieldLine(text: string, at: number, eol: number): HeadError {
  const first = text.charCodeAt(at);
  return {
    failure: "malformed",
    message:
      first === SP || first === HTAB
        ? "a folded header line (obs-fold)"
        : `an invalid header line ${JSON.stringify(text.slice(at, Math.min(eol, at + 64)))}`,
  };
}

/** The start of the value after `colon` on a line ending at `eol`, past its OWS. */
function valueStart(text: string, colon: number, eol: number): number {
  let start = colon + 1;
  while (start < eol && isOws(text.charCodeAt(start))) start++;
  return start;
}

/** The end of the value from `start` on a line ending at `eol`, before its OWS. */
function valueEnd(text: string, start: number, eol: number): number {
  let end = eol;
  while (end > start && isOws(text.charCodeAt(end - 1))) end--;
  return end;
}

/** Whether `c` may appear in a request target: visible ASCII (no whitespace, no controls). */
function isTargetChar(c: number): boolean {
  return c >= 0x21 && c <= 0x7e;
}

/** Whether `c` is optional whitespace (SP or HTAB). */
function isOws(c: number): boolean {
  return c === SP || c === HTAB;
}

/**
 * Parses the field lines of `text` from `start` into Node's `rawHeaders` shape (`[name, value,
 * name, value, …]`, names as sent, values without surrounding whitespace). Refuses obs-fold,
 * whitespace before the colon, non-token names, controls in values, and more than `maxFields`
 * lines.
 */
export function parseFieldLines(
  text: string,
  start: number,
  maxFields: number,
): { readonly rawHeaders: string[] } | HeadError {
  const rawHeaders: string[] = [];
  const error = eachFieldLine(text, start, maxFields, (at, colon, value) => {
    rawHeaders.push(text.slice(at, colon), value);
  });
  return error ?? { rawHeaders };
}

/**
 * Walks the field lines of a head from `start`, handing each one's name range (`at` to `colon`)
 * and trimmed value to `field`; returns the refusal of the first bad line, or `undefined`.
 * {@link parseFieldLines} and {@link parseDistinctHeaders} differ only in what they keep.
 */
function eachFieldLine(
  text: string,
  start: number,
  maxFields: number,
  field: (at: number, colon: number, value: string) => void,
): HeadError | undefined {
  let at = start;
  let count = 0;
  while (at < text.length) {
    const eol = text.indexOf("\r\n", at);
    // The reader ends every line with CRLF; a head without one is not from it.
    if (eol === -1) return { failure: "malformed", message: "an unterminated header line" };
    if (++count > maxFields) {
      return { failure: "too-many-fields", message: `more than ${maxFields} header lines` };
    }
    const colon = fieldColon(text, at, eol);
    if (colon === -1) return invalidFieldLine(text, at, eol);
    const from = valueStart(text, colon, eol);
    field(at, colon, text.slice(from, valueEnd(text, from, eol)));
    at = eol + 2;
  }
  return undefined;
}

/**
 * The field lines of a request head from `start`, straight into the map {@link distinctHeaders}
 * makes of their `rawHeaders` (the server validates that map), with the same refusals as
 * {@link parseFieldLines}. No `rawHeaders` array on the way, and the names a handshake sends are
 * the module's own lower-case strings rather than a slice and its lower-case copy each.
 */
export function parseDistinctHeaders(
  text: string,
  start: number,
  maxFields: number,
): { readonly headers: Record<string, string | string[]> } | HeadError {
  return headerMap(text, start, maxFields, addDistinct);
}

/**
 * The field lines of a response head from `start`, straight into the map {@link joinedHeaders}
 * makes of their `rawHeaders` (what the client validates and reports), with the same refusals as
 * {@link parseFieldLines}: no `rawHeaders` array and no lower-case copy of the names a handshake
 * answer usually carries, on the client's critical path (bench workload 6a).
 */
export function parseJoinedHeaders(
  text: string,
  start: number,
  maxFields: number,
): { readonly headers: Record<string, string | string[]> } | HeadError {
  return headerMap(text, start, maxFields, addJoined);
}

/** The field lines from `start` into a new map, each added by `add` under its lower-case name. */
function headerMap(
  text: string,
  start: number,
  maxFields: number,
  add: (out: Record<string, string | string[]>, name: string, value: string) => void,
): { readonly headers: Record<string, string | string[]> } | HeadError {
  const headers: Record<string, string | string[]> = {};
  const error = eachFieldLine(text, start, maxFields, (at, colon, value) => {
    add(headers, lowerName(text, at, colon), value);
  });
  return error ?? { headers };
}

/** Header names a handshake request or answer usually carries, by length (lower case). */
const KNOWN_NAMES: readonly (readonly string[] | undefined)[] = (() => {
  const byLength: string[][] = [];
  for (const name of [
    "host",
    "origin",
    "cookie",
    "pragma",
    "upgrade",
    "connection",
    "user-agent",
    "cache-control",
    "authorization",
    "accept-encoding",
    "accept-language",
    "content-length",
    "transfer-encoding",
    "sec-websocket-key",
    "sec-websocket-version",
    "sec-websocket-protocol",
    "sec-websocket-extensions",
    "sec-websocket-accept",
    "date",
    "server",
    "location",
    "set-cookie",
    "content-type",
    "www-authenticate",
    "proxy-authenticate",
  ]) {
    const list = byLength[name.length] ?? [];
    list.push(name);
    byLength[name.length] = list;
  }
  return byLength;
})();

/** `text.slice(from, to).toLowerCase()` for a token, without allocating for a known name. */
function lowerName(text: string, from: number, to: number): string {
  const known = KNOWN_NAMES[to - from];
  if (known !== undefined) {
    for (const name of known) {
      let i = 0;
      while (i < name.length && asciiLower(text.charCodeAt(from + i)) === name.charCodeAt(i)) i++;
      if (i === name.length) return name;
    }
  }
  return text.slice(from, to).toLowerCase();
}

/** `c` with A–Z mapped to a–z (what `toLowerCase` does to a token's characters). */
function asciiLower(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c + 0x20 : c;
}

/** Header names whose repeats Node drops (the first wins), as `IncomingMessage.headers` does. */
const FIRST_WINS = new Set([
  "age",
  "authorization",
  "content-length",
  "content-type",
  "etag",
  "expires",
  "from",
  "host",
  "if-modified-since",
  "if-unmodified-since",
  "last-modified",
  "location",
  "max-forwards",
  "proxy-authorization",
  "referer",
  "retry-after",
  "server",
  "user-agent",
]);

/** Sets an own enumerable property, also for the name `__proto__`. */
function setOwn(target: Record<string, string | string[]>, name: string, value: string | string[]) {
  if (name === "__proto__") {
    Object.defineProperty(target, name, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else target[name] = value;
}

/**
 * `rawHeaders` as Node's `IncomingMessage.headers` presents them: lower-case names, repeats
 * joined with `", "` (`"; "` for `cookie`), `set-cookie` always an array, and the first value
 * kept for the names Node does not join (`host`, `location`, `content-length` …): the map the
 * client's validation and `responseHeaders` see. The client builds it straight from the head with
 * {@link parseJoinedHeaders}; this form, from `rawHeaders`, is the reference its tests compare with.
 */
export function joinedHeaders(rawHeaders: readonly string[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (let i = 0; i < rawHeaders.length; i += 2) {
    addJoined(out, (rawHeaders[i] as string).toLowerCase(), rawHeaders[i + 1] as string);
  }
  return out;
}

/** Adds one line to a {@link joinedHeaders} map (`name` in lower case). */
function addJoined(out: Record<string, string | string[]>, name: string, value: string): void {
  const existing = Object.hasOwn(out, name) ? out[name] : undefined;
  if (name === "set-cookie") {
    if (existing === undefined) setOwn(out, name, [value]);
    else (existing as string[]).push(value);
  } else if (existing === undefined) {
    setOwn(out, name, value);
  } else if (!FIRST_WINS.has(name)) {
    setOwn(out, name, `${existing as string}${name === "cookie" ? "; " : ", "}${value}`);
  }
}

/**
 * `rawHeaders` with every line kept: lower-case names, a string for a name sent once and an
 * array (one entry per line, in order) for a repeated one — Node's `headersDistinct` without the
 * arrays for single lines. The server validates this map, so a repeated `Host`, key or version
 * is seen as repeated rather than silently reduced to its first line. The server builds it straight
 * from the head with {@link parseDistinctHeaders}; this form, from `rawHeaders`, is the reference
 * its tests compare with.
 */
export function distinctHeaders(rawHeaders: readonly string[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (let i = 0; i < rawHeaders.length; i += 2) {
    addDistinct(out, (rawHeaders[i] as string).toLowerCase(), rawHeaders[i + 1] as string);
  }
  return out;
}

/** Adds one line to a {@link distinctHeaders} map (`name` in lower case). */
function addDistinct(out: Record<string, string | string[]>, name: string, value: string): void {
  const existing = Object.hasOwn(out, name) ? out[name] : undefined;
  if (existing === undefined) setOwn(out, name, value);
  else if (typeof existing === "string") setOwn(out, name, [existing, value]);
  else existing.push(value);
}

/**
 * Stops a flowing socket after its head was read, without pausing it explicitly
 * (`readableFlowing = null`, what node:http does before it emits `upgrade` or `connect`): later
 * bytes stay buffered, and whoever reads next (the driver, TLS, a `'data'` listener) only has to
 * attach.
 */
export function setNotFlowing(socket: Duplex): void {
  (socket as { readableFlowing: boolean | null }).readableFlowing = null;
}

/**
 * `computeAcceptKey(key)` of `@netsockets/protocol` with Node's native SHA-1: the protocol's
 * portable JavaScript SHA-1 was ≈ 2 % of a client opening connections in a loop. The one-shot
 * `crypto.hash` (Node ≥ 20.12) costs a third of `createHash().update().digest()`, which makes a
 * `Hash` object (a stream) per call. `key` is a base64 key (ASCII: checked by the server before
 * it answers, generated by the client), so UTF-8 — what `hash` encodes a string with — is its
 * exact byte encoding.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-4.2.2
 */
export function nativeAcceptKey(key: string): string {
  return hash("sha1", key + WEBSOCKET_GUID, "base64");
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
const REQUEST_TARGET = /^[\x21-\x7e]+$/;

/**
 * The bytes of a request head (request line, one line per header, blank line) as one latin1
 * string, for one `socket.write`.
 *
 * @throws TypeError when the method or a header name is not a token, the target holds
 * whitespace or controls, or a value holds CR, LF, NUL or another control (no header injection
 * whatever reached this far).
 */
export function formatRequestHead(
  method: string,
  target: string,
  headers: Readonly<Record<string, string>>,
): string {
  if (!TOKEN.test(method)) throw new TypeError(`invalid HTTP method ${JSON.stringify(method)}`);
  if (!REQUEST_TARGET.test(target)) {
    throw new TypeError(`invalid request target ${JSON.stringify(target)}`);
  }
  let text = `${method} ${target} HTTP/1.1\r\n`;
  for (const name of Object.keys(headers)) {
    const value = headers[name] as string;
    if (!TOKEN.test(name)) throw new TypeError(`invalid header name ${JSON.stringify(name)}`);
    if (typeof value !== "string" || !FIELD_VALUE.test(value)) {
      throw new TypeError(`invalid value for header ${name}`);
    }
    text += `${name}: ${value}\r\n`;
  }
  return `${text}\r\n`;
}
