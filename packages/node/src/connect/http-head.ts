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
 *             the blank line,         blank line)                    ──▶ parseFieldLines
 *             bounded)                                                    (rawHeaders)
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
    const end = bytes.indexOf(CRLFCRLF, from);
    // In a complete head the line parsers refuse any stray LF; an incomplete one is scanned now,
    // so an LF-only head (which never shows a CRLFCRLF) is refused at once, not at the timeout.
    if (end === -1 && firstBareLf(bytes, from, bytes.length) !== -1) {
      return { kind: "error", failure: "malformed", message: "a line ends in a bare LF" };
    }
    // Without a blank line yet, up to 2 bytes may be the start of one.
    if (end === -1 ? bytes.length > this.#maxBytes + 2 : end + 2 > this.#maxBytes) {
      return {
        kind: "error",
        failure: "too-large",
        message: `the head is larger than ${this.#maxBytes} bytes`,
      };
    }
    if (end === -1) {
      this.#chunks = [bytes];
      this.#length = bytes.length;
      return { kind: "more" };
    }
    this.#chunks = [];
    this.#length = 0;
    return {
      kind: "head",
      text: bytes.toString("latin1", 0, end + 2),
      rest: bytes.subarray(end + 4),
    };
  }
}

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

// status-line = HTTP-version SP status-code SP [ reason-phrase ]; reason-phrase is HTAB / SP /
// VCHAR / obs-text. A missing SP before an empty reason is tolerated, as llhttp does.
const STATUS_LINE = /^HTTP\/1\.([01]) ([1-9][0-9]{2})(?: ([\t\x20-\x7e\x80-\xff]*))?$/;
// request-line = method SP request-target SP HTTP-version; the target has no whitespace or
// controls (RFC 9112 §3.2 forms all fit in visible ASCII).
const REQUEST_LINE = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+) ([\x21-\x7e]+) HTTP\/1\.([01])$/;
// field-line = field-name ":" OWS field-value OWS. One greedy class per part (no two parts can
// match the same character), so a hostile value costs linear time; OWS is trimmed afterwards.
const FIELD_LINE = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+):([\t\x20-\x7e\x80-\xff]*)$/;

/** The first line of `text` (without its CRLF) and where the field lines start. */
function firstLine(text: string): { line: string; next: number } {
  const eol = text.indexOf("\r\n");
  return eol === -1
    ? { line: text, next: text.length }
    : { line: text.slice(0, eol), next: eol + 2 };
}

/** Parses the status line at the start of a response head; `null` when it is not one. */
export function parseStatusLine(text: string): { status: StatusLine; next: number } | null {
  const { line, next } = firstLine(text);
  const match = STATUS_LINE.exec(line);
  if (match === null) return null;
  return {
    status: {
      httpVersion: `1.${match[1]}`,
      statusCode: Number(match[2]),
      statusMessage: match[3] ?? "",
    },
    next,
  };
}

/** Parses the request line at the start of a request head; `null` when it is not one. */
export function parseRequestLine(text: string): { request: RequestLine; next: number } | null {
  const { line, next } = firstLine(text);
  const match = REQUEST_LINE.exec(line);
  if (match === null) return null;
  return {
    request: {
      method: match[1] as string,
      target: match[2] as string,
      httpVersion: `1.${match[3]}`,
    },
    next,
  };
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
  let at = start;
  let count = 0;
  while (at < text.length) {
    const eol = text.indexOf("\r\n", at);
    // The reader ends every line with CRLF; a head without one is not from it.
    if (eol === -1) return { failure: "malformed", message: "an unterminated header line" };
    if (++count > maxFields) {
      return { failure: "too-many-fields", message: `more than ${maxFields} header lines` };
    }
    const line = text.slice(at, eol);
    const match = FIELD_LINE.exec(line);
    if (match === null) {
      const first = line.charCodeAt(0);
      return {
        failure: "malformed",
        message:
          first === 0x20 || first === 0x09
            ? "a folded header line (obs-fold)"
            : `an invalid header line ${JSON.stringify(line.slice(0, 64))}`,
      };
    }
    rawHeaders.push(match[1] as string, trimOws(match[2] as string));
    at = eol + 2;
  }
  return { rawHeaders };
}

/** `s` without leading and trailing SP / HTAB (RFC 9110 §5.5: OWS is not part of the value). */
function trimOws(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && (s.charCodeAt(start) === 0x20 || s.charCodeAt(start) === 0x09)) start++;
  while (end > start && (s.charCodeAt(end - 1) === 0x20 || s.charCodeAt(end - 1) === 0x09)) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
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
 * kept for the names Node does not join (`host`, `location`, `content-length` …). This is the
 * map the handshake validation and `responseHeaders` have always seen.
 */
export function joinedHeaders(rawHeaders: readonly string[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] as string).toLowerCase();
    const value = rawHeaders[i + 1] as string;
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
  return out;
}

/**
 * `rawHeaders` with every line kept: lower-case names, a string for a name sent once and an
 * array (one entry per line, in order) for a repeated one — Node's `headersDistinct` without the
 * arrays for single lines. The server validates this map, so a repeated `Host`, key or version
 * is seen as repeated rather than silently reduced to its first line.
 */
export function distinctHeaders(rawHeaders: readonly string[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] as string).toLowerCase();
    const value = rawHeaders[i + 1] as string;
    const existing = Object.hasOwn(out, name) ? out[name] : undefined;
    if (existing === undefined) setOwn(out, name, value);
    else if (typeof existing === "string") setOwn(out, name, [existing, value]);
    else existing.push(value);
  }
  return out;
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
