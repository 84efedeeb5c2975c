import { NetSocketsError, NetworkError, WebErrorStatus } from "@netsockets/errors";
import { parseWebSocketUri, type WebSocketUri } from "./websocket-uri.js";

/** Where a redirect leads, and the user headers that may follow it. */
export interface RedirectStep {
  readonly target: WebSocketUri;
  readonly headers: Readonly<Record<string, string>>;
}

/** Headers that carry credentials: never sent to another host (peers.md §3 S16). */
const sensitive = new Set(["authorization", "cookie"]);

/**
 * The next hop of a redirect (`Location`, resolved against the current URI). `http:`/`https:`
 * locations map to `ws:`/`wss:`; a fragment is dropped. `wss:` → `ws:` is refused with status
 * `httpsToHttpOnRedirection` (a downgrade would expose the handshake); `ws:` → `wss:` is
 * followed. A missing or unusable `Location` fails with `redirectFailed`. When the host (name
 * or port) changes, `Authorization` and `Cookie` are dropped from the user's headers.
 */
export function followRedirect(
  current: WebSocketUri,
  location: string | string[] | undefined,
  headers: Readonly<Record<string, string>>,
): RedirectStep {
  if (typeof location !== "string" || location.trim() === "") {
    throw new NetworkError("ERR_REDIRECT", "a redirect without a usable Location header");
  }
  let url: URL;
  try {
    url = new URL(location.trim(), current.url);
  } catch (cause) {
    throw new NetworkError(
      "ERR_REDIRECT",
      `invalid redirect Location ${JSON.stringify(location)}`,
      {
        cause,
      },
    );
  }
  url.hash = "";
  const scheme = ({ "http:": "ws:", "https:": "wss:" } as Record<string, string>)[url.protocol];
  if (scheme !== undefined) url = new URL(`${scheme}${url.href.slice(url.protocol.length)}`);
  if (current.secure && url.protocol === "ws:") {
    throw new NetworkError("ERR_REDIRECT", "refusing a redirect from wss: to ws:", {
      status: WebErrorStatus.httpsToHttpOnRedirection,
    });
  }
  let target: WebSocketUri;
  try {
    target = parseWebSocketUri(url.href.replace(/#$/, ""));
  } catch (cause) {
    throw new NetworkError(
      "ERR_REDIRECT",
      `cannot follow a redirect to ${NetSocketsError.isInstance(cause) ? url.protocol : "it"}`,
      { cause },
    );
  }
  if (target.url.host === current.url.host) return { target, headers };
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!sensitive.has(name.toLowerCase())) kept[name] = value;
  }
  return { target, headers: kept };
}
