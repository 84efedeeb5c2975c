/**
 * Parsers for the list-valued handshake headers: `Sec-WebSocket-Protocol`,
 * `Sec-WebSocket-Extensions`, `Connection` and `Upgrade`.
 *
 * Theory of operation: each parser is one forward pass over the string with an index and a
 * 128-entry character table; no regular expression, no backtracking, no recursion. Every
 * character is examined a constant number of times, so hostile values such as
 * `"b" + " ".repeat(65536) + "x"` (ws CVE-2021-32640) or an unclosed `a; b="\c\c\c…`
 * (websocket-extensions CVE-2020-7662) cost time proportional to their length. Extension
 * parameters live in a `Map`, so names such as `__proto__` or `constructor` are plain data
 * (ws 3.3.1 crash).
 *
 * Grammar (RFC 7230 §3.2.6, §7 and RFC 6455 §9.1):
 * ```
 * token          = 1*tchar
 * tchar          = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
 *                  "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
 * #element       = [ element ] *( OWS "," OWS [ element ] )   ; empty elements are ignored
 * extension      = extension-token *( OWS ";" OWS extension-param )
 * extension-param = token [ OWS "=" OWS ( token / quoted-string ) ]
 * quoted-string  = DQUOTE *( qdtext / "\" CHAR ) DQUOTE
 * ```
 *
 * Decisions where the RFCs leave room:
 * - Empty list elements (`"a, , b"`, a leading or trailing comma) are skipped, as RFC 7230 §7
 *   asks recipients to do; a value with no element at all parses as an empty list.
 * - Optional whitespace (space and horizontal tab) is allowed around `,`, `;` and `=`.
 * - A quoted parameter value must be a token after unescaping (RFC 6455 §9.1: "the value after
 *   quoted-string unescaping MUST conform to the 'token' ABNF"); anything else makes the whole
 *   header invalid. Parsers fail as soon as a non-token character appears inside the quotes.
 * - A parameter repeated within one offer keeps its first value in `params`, and its name is
 *   listed in `duplicateParams`, so the extension's negotiator can refuse the offer (RFC 7692
 *   §7 requires that for permessage-deflate).
 * - Names are returned as sent (case preserved); comparing them is the caller's business.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-9.1
 * @see https://www.rfc-editor.org/rfc/rfc7230#section-3.2.6
 */

import { InvalidArgumentError } from "@netsockets/errors";

/** One extension offer (request) or acceptance (response) from `Sec-WebSocket-Extensions`. */
export interface ExtensionOffer {
  /** The extension token, e.g. `"permessage-deflate"`. */
  readonly name: string;
  /**
   * The parameters in order of appearance: `true` for a parameter without a value, else the
   * value (unquoted and unescaped). A `Map`, so any name is plain data.
   */
  readonly params: ReadonlyMap<string, string | true>;
  /**
   * The names of parameters that appeared more than once in this offer (each listed once);
   * `params` holds their first value. Absent when there were none. A negotiator should refuse
   * such an offer.
   */
  readonly duplicateParams?: readonly string[];
}

/** A value as it comes from a header map: one string, several (one per header line), or none. */
export type HeaderValue = string | readonly string[] | undefined;

const SP = 0x20;
const HTAB = 0x09;
const COMMA = 0x2c;
const SEMICOLON = 0x3b;
const EQUALS = 0x3d;
const DQUOTE = 0x22;
const BACKSLASH = 0x5c;
const SLASH = 0x2f;

/** `TCHAR[c] === 1` when the character code `c` (< 128) is a tchar. */
const TCHAR = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") {
  TCHAR[c.charCodeAt(0)] = 1;
}

/** Whether the character code `c` is a tchar. */
function isTchar(c: number): boolean {
  return c < 128 && TCHAR[c] === 1;
}

/**
 * Whether `s` is an RFC 7230 token: one or more of the visible ASCII characters other than the
 * separators `"(),/:;<=>?@[\]{}` (and not space, controls or non-ASCII).
 *
 * @example
 * ```ts
 * isToken("permessage-deflate"); // true
 * isToken("chat v2"); // false
 * ```
 */
export function isToken(s: string): boolean {
  if (typeof s !== "string" || s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    if (!isTchar(s.charCodeAt(i))) return false;
  }
  return true;
}

/** Joins the header lines of a repeated list header: `a` and `b` mean the same as `a, b`. */
function joinValue(value: HeaderValue): string {
  if (value === undefined) return "";
  if (typeof value === "string") return value;
  let joined = "";
  for (let i = 0; i < value.length; i++) {
    const part = value[i];
    if (typeof part !== "string") continue;
    joined = joined.length === 0 ? part : `${joined},${part}`;
  }
  return joined;
}

/** The index of the first non-OWS character at or after `i`. */
function skipOws(s: string, i: number): number {
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c !== SP && c !== HTAB) break;
    i++;
  }
  return i;
}

/** The index just past the run of tchars starting at `i` (`i` itself when there is none). */
function scanToken(s: string, i: number): number {
  while (i < s.length && isTchar(s.charCodeAt(i))) i++;
  return i;
}

/**
 * Scans a comma-separated list whose elements are matched by `scanElement` (which returns the
 * index past the element, or the start index when there is none).
 */
function parseList(
  value: HeaderValue,
  scanElement: (s: string, i: number) => number,
): string[] | null {
  const s = joinValue(value);
  const items: string[] = [];
  let i = 0;
  while (i < s.length) {
    i = skipOws(s, i);
    if (i === s.length) break;
    if (s.charCodeAt(i) === COMMA) {
      i++;
      continue;
    }
    const end = scanElement(s, i);
    if (end === i) return null;
    items.push(s.slice(i, end));
    i = skipOws(s, end);
    if (i === s.length) break;
    if (s.charCodeAt(i) !== COMMA) return null;
    i++;
  }
  return items;
}

/**
 * Parses an RFC 7230 comma-separated list of tokens (`Connection`, `Sec-WebSocket-Protocol`).
 * Several header lines are joined with commas first. Linear time on any input.
 *
 * @returns The tokens in order (duplicates kept, case preserved), `[]` for an absent or empty
 * value, or `null` when the value is not a token list.
 *
 * @example
 * ```ts
 * parseTokenList("keep-alive, Upgrade"); // ["keep-alive", "Upgrade"]
 * parseTokenList("chat v2"); // null
 * ```
 */
export function parseTokenList(value: HeaderValue): string[] | null {
  return parseList(value, scanToken);
}

/** Scans an RFC 7230 `protocol` (`name ["/" version]`), as `Upgrade` lists them. */
function scanProtocol(s: string, i: number): number {
  const nameEnd = scanToken(s, i);
  if (nameEnd === i || nameEnd === s.length || s.charCodeAt(nameEnd) !== SLASH) return nameEnd;
  const versionEnd = scanToken(s, nameEnd + 1);
  // "name/" without a version is not a protocol; report no element so the list is invalid.
  return versionEnd === nameEnd + 1 ? i : versionEnd;
}

/**
 * Parses an `Upgrade` header: a comma-separated list of protocols, each a token optionally
 * followed by `/` and a version token (`websocket`, `HTTP/2.0`).
 *
 * @returns The protocols as sent (`"HTTP/2.0"` stays whole), `[]` when absent or empty, `null`
 * when invalid.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7230#section-6.7
 */
export function parseUpgradeHeader(value: HeaderValue): string[] | null {
  return parseList(value, scanProtocol);
}

/**
 * Parses `Sec-WebSocket-Protocol`: a token list in which every subprotocol appears once.
 *
 * RFC 6455 §4.1: the elements "MUST all be unique strings", so a repeated name (compared
 * exactly, as subprotocol names are case-sensitive) makes the value invalid.
 *
 * @returns The subprotocols in order, `[]` when absent or empty, `null` when invalid.
 *
 * @example
 * ```ts
 * parseProtocolHeader(["chat", "superchat, v2"]); // ["chat", "superchat", "v2"]
 * parseProtocolHeader("chat, chat"); // null
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-4.1
 */
export function parseProtocolHeader(value: HeaderValue): string[] | null {
  // The usual request offers none: no list to build and no Set to check it with.
  if (value === undefined) return [];
  const protocols = parseTokenList(value);
  if (protocols === null) return null;
  if (new Set(protocols).size !== protocols.length) return null;
  return protocols;
}

/**
 * Scans a quoted-string starting at the opening quote `s[i]`. Every unescaped character must be
 * a tchar (RFC 6455 §9.1), so the scan stops at the first one that is not.
 *
 * @returns `[value, indexAfterClosingQuote]`, or `null` when invalid or unclosed.
 */
function scanQuotedToken(s: string, i: number): [string, number] | null {
  let j = i + 1;
  const start = j;
  let escaped = false;
  let value = "";
  while (j < s.length) {
    let c = s.charCodeAt(j);
    if (c === DQUOTE) {
      const result = escaped ? value : s.slice(start, j);
      return result.length === 0 ? null : [result, j + 1];
    }
    if (c === BACKSLASH) {
      if (!escaped) {
        escaped = true;
        value = s.slice(start, j);
      }
      j++;
      if (j === s.length) return null;
      c = s.charCodeAt(j);
      if (!isTchar(c)) return null;
      value += s[j];
    } else {
      if (!isTchar(c)) return null;
      if (escaped) value += s[j];
    }
    j++;
  }
  return null;
}

/**
 * Parses `Sec-WebSocket-Extensions` (RFC 6455 §9.1): comma-separated offers, each an extension
 * token followed by `;`-separated parameters, each parameter a token with an optional
 * `=token` or `="quoted token"` value. Several header lines are joined with commas first.
 * The same extension may be offered several times (alternatives, in preference order).
 *
 * Runs in time linear in the length of the value on any input, and never throws.
 *
 * @returns The offers in order, `[]` when absent or empty, `null` when invalid.
 *
 * @example
 * ```ts
 * const [offer] = parseExtensionHeader('permessage-deflate; client_max_window_bits; server_max_window_bits="10"') ?? [];
 * offer?.params.get("client_max_window_bits"); // true
 * offer?.params.get("server_max_window_bits"); // "10"
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-9.1
 */
export function parseExtensionHeader(value: HeaderValue): ExtensionOffer[] | null {
  const s = joinValue(value);
  const offers: ExtensionOffer[] = [];
  let i = 0;
  while (i < s.length) {
    i = skipOws(s, i);
    if (i === s.length) break;
    if (s.charCodeAt(i) === COMMA) {
      i++;
      continue;
    }
    const nameEnd = scanToken(s, i);
    if (nameEnd === i) return null;
    const name = s.slice(i, nameEnd);
    const params = new Map<string, string | true>();
    // A Set, so an offer with thousands of distinct repeated names stays linear.
    let duplicates: Set<string> | undefined;
    i = skipOws(s, nameEnd);
    while (i < s.length && s.charCodeAt(i) === SEMICOLON) {
      i = skipOws(s, i + 1);
      const paramEnd = scanToken(s, i);
      if (paramEnd === i) return null;
      const param = s.slice(i, paramEnd);
      let paramValue: string | true = true;
      i = skipOws(s, paramEnd);
      if (i < s.length && s.charCodeAt(i) === EQUALS) {
        i = skipOws(s, i + 1);
        if (i < s.length && s.charCodeAt(i) === DQUOTE) {
          const quoted = scanQuotedToken(s, i);
          if (quoted === null) return null;
          [paramValue, i] = quoted;
        } else {
          const valueEnd = scanToken(s, i);
          if (valueEnd === i) return null;
          paramValue = s.slice(i, valueEnd);
          i = valueEnd;
        }
        i = skipOws(s, i);
      }
      if (params.has(param)) {
        duplicates ??= new Set();
        duplicates.add(param);
      } else {
        params.set(param, paramValue);
      }
    }
    if (i < s.length) {
      if (s.charCodeAt(i) !== COMMA) return null;
      i++;
    }
    offers.push(
      duplicates === undefined
        ? { name, params }
        : { name, params, duplicateParams: [...duplicates] },
    );
  }
  return offers;
}

/**
 * Formats extension offers for a `Sec-WebSocket-Extensions` header:
 * `name; flag; key=value, other`. Values are written as bare tokens (the form every peer
 * understands).
 *
 * @returns The header value; `""` for no offers (then send no header at all).
 * @throws InvalidArgumentError when a name, parameter name or value is not a token.
 *
 * @example
 * ```ts
 * formatExtensionHeader([{ name: "permessage-deflate", params: new Map([["client_max_window_bits", true]]) }]);
 * // "permessage-deflate; client_max_window_bits"
 * ```
 */
export function formatExtensionHeader(offers: readonly ExtensionOffer[]): string {
  const parts: string[] = [];
  for (const offer of offers) {
    if (!isToken(offer.name)) {
      throw new InvalidArgumentError(`extension name ${JSON.stringify(offer.name)} is not a token`);
    }
    let part = offer.name;
    for (const [param, paramValue] of offer.params) {
      if (!isToken(param)) {
        throw new InvalidArgumentError(
          `extension parameter name ${JSON.stringify(param)} is not a token`,
        );
      }
      if (paramValue === true) {
        part += `; ${param}`;
      } else if (isToken(paramValue)) {
        part += `; ${param}=${paramValue}`;
      } else {
        throw new InvalidArgumentError(
          `value ${JSON.stringify(paramValue)} of extension parameter ${param} is not a token`,
        );
      }
    }
    parts.push(part);
  }
  return parts.join(", ");
}
