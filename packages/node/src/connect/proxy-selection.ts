import * as net from "node:net";
import { InvalidArgumentError } from "@netsockets/errors";
import { PasswordCredential } from "../winrt/password-credential.js";
import type { WebSocketUri } from "./websocket-uri.js";

/** An HTTP proxy to tunnel through with `CONNECT`. */
export interface ProxyTarget {
  readonly url: URL;
  readonly hostname: string;
  readonly port: number;
  /** Credentials from the proxy URL's user information, if any. */
  readonly credential: PasswordCredential | undefined;
}

/**
 * The proxy for `target`: the explicit `proxy` option (`false` for none), else the environment —
 * `HTTPS_PROXY` for `wss:` and `HTTP_PROXY` for `ws:` (lower-case names win, as in curl),
 * skipped when `NO_PROXY` matches the host. Only `http:` proxies are supported; a value without
 * a scheme is taken as `http://`.
 */
export function selectProxy(
  target: WebSocketUri,
  option: string | URL | false | undefined,
  env: Readonly<Record<string, string | undefined>> = process.env,
): ProxyTarget | null {
  if (option === false) return null;
  if (option !== undefined) return parseProxy(option);
  const value = target.secure
    ? (env.https_proxy ?? env.HTTPS_PROXY)
    : (env.http_proxy ?? env.HTTP_PROXY);
  if (value === undefined || value.trim() === "") return null;
  if (bypassesProxy(target, env.no_proxy ?? env.NO_PROXY ?? "")) return null;
  return parseProxy(value.trim());
}

function parseProxy(value: string | URL): ProxyTarget {
  let url: URL;
  try {
    url = new URL(typeof value === "string" && !value.includes("://") ? `http://${value}` : value);
  } catch (cause) {
    throw new InvalidArgumentError(`invalid proxy URL ${JSON.stringify(String(value))}`, { cause });
  }
  if (url.protocol !== "http:") {
    throw new InvalidArgumentError(`unsupported proxy scheme ${url.protocol} (only http: is)`);
  }
  const hostname = url.hostname.replace(/^\[(.*)\]$/, "$1");
  const credential =
    url.username === "" && url.password === ""
      ? undefined
      : new PasswordCredential(
          url.host,
          decodeURIComponent(url.username),
          decodeURIComponent(url.password),
        );
  return { url, hostname, port: url.port === "" ? 80 : Number(url.port), credential };
}

/**
 * Whether `NO_PROXY` exempts `target`: `*` exempts everything; each other entry (comma- or
 * space-separated) is a host name, IP literal or domain suffix (a leading `.` or `*.` is
 * ignored), optionally with `:port`, and matches the host itself and its subdomains.
 */
export function bypassesProxy(target: WebSocketUri, noProxy: string): boolean {
  const host = target.hostname.toLowerCase();
  for (const raw of noProxy.split(/[\s,]+/)) {
    let entry = raw.trim().toLowerCase();
    if (entry === "") continue;
    if (entry === "*") return true;
    let port: number | undefined;
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
    if (bracketed !== null) {
      entry = bracketed[1] as string;
      if (bracketed[2] !== undefined) port = Number(bracketed[2]);
    } else if (net.isIPv6(entry)) {
      // A bare IPv6 literal has no port part.
    } else {
      const colon = entry.lastIndexOf(":");
      if (colon !== -1) {
        port = Number(entry.slice(colon + 1));
        entry = entry.slice(0, colon);
      }
    }
    if (port !== undefined && port !== target.port) continue;
    entry = entry.replace(/^\*?\./, "");
    if (host === entry || host.endsWith(`.${entry}`)) return true;
  }
  return false;
}
