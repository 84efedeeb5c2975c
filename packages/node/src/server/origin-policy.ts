/**
 * The origin policy of the upgrade server, against Cross-Site WebSocket Hijacking: a browser
 * sends its cookies on a cross-origin WebSocket handshake, so a server that does not check
 * `Origin` lets any page talk to it as the user.
 *
 * - A request **without** `Origin` is accepted: it does not come from a browser page (browsers
 *   always send one), and non-browser clients (CLI tools, servers, WinRT apps) usually do not.
 * - With no allow-list or predicate configured, an `Origin` is accepted only when it names the
 *   same host and port as the `Host` header ({@link isSameOrigin}). The scheme is not compared,
 *   so a server behind a TLS-terminating proxy still recognises `https://` pages as its own.
 * - An allow-list replaces that rule: exact origins (`"https://app.example.com"`, compared after
 *   URL normalisation: lower-case host, default port dropped), `"null"` to admit opaque origins
 *   (sandboxed iframes, `file:` pages), or `"*"` for any origin.
 * - A predicate replaces it too, and may be async; combine it with {@link isSameOrigin} to extend
 *   the default.
 */

/** An allow-list of origins, or a predicate deciding on the `Origin` value. */
export type OriginPolicy =
  | readonly string[]
  | ((origin: string, host: string | undefined) => boolean | Promise<boolean>);

/** Characters that may not appear in a `Host` header's authority (no userinfo, path, query). */
const HOST_FORBIDDEN = /[@/?#\\\s]/;

/** `text` parsed as an absolute URL, or `undefined` when it is not one (`URL.parse` is Node 22+). */
function parseUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

/** `host[:port]` lower-cased, with the scheme's default port dropped; `undefined` if malformed. */
function normalizeHost(host: string, secure: boolean): string | undefined {
  if (host.length === 0 || HOST_FORBIDDEN.test(host)) return undefined;
  return parseUrl(`${secure ? "https" : "http"}://${host}`)?.host;
}

/**
 * The ASCII serialisation of an origin (`scheme://host[:port]`, lower-case, default port
 * dropped), `"null"` for an opaque origin, or `undefined` when `origin` is not a URL.
 */
export function normalizeOrigin(origin: string): string | undefined {
  if (origin === "null") return "null";
  const url = parseUrl(origin);
  if (url === undefined) return undefined;
  if (url.origin === "null") return "null";
  return url.origin;
}

/**
 * Whether `origin` (an `Origin` header) names the same host and port as `host` (the `Host`
 * header), host names compared case-insensitively, default ports (80, 443) ignored, scheme not
 * compared. `"null"`, non-http(s) origins and malformed values never match.
 *
 * @example
 * ```ts
 * isSameOrigin("https://Example.com", "example.com", false); // true
 * isSameOrigin("https://evil-example.com", "example.com", false); // false
 * ```
 */
export function isSameOrigin(origin: string, host: string | undefined, secure = false): boolean {
  if (host === undefined || origin === "null") return false;
  const url = parseUrl(origin);
  if (url === undefined) return false;
  if (url.protocol !== "http:" && url.protocol !== "https:") return false;
  // Compare authorities with the default port of either scheme dropped on both sides.
  const originHost = url.host;
  const hostA = normalizeHost(host, secure);
  if (hostA === undefined) return false;
  return hostA === originHost || normalizeHost(host, !secure) === originHost;
}

/**
 * Applies the policy: `true` when the request may proceed. A missing `Origin` is always
 * accepted (see the module comment).
 */
export function checkOrigin(
  origin: string | undefined,
  host: string | undefined,
  secure: boolean,
  policy: OriginPolicy | undefined,
): boolean | Promise<boolean> {
  if (origin === undefined) return true;
  if (policy === undefined) return isSameOrigin(origin, host, secure);
  if (typeof policy === "function") return policy(origin, host);
  const normalized = normalizeOrigin(origin);
  if (normalized === undefined) return false;
  for (const entry of policy) {
    if (entry === "*") return true;
    if (normalizeOrigin(entry) === normalized) return true;
  }
  return false;
}
