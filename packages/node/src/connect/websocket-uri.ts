import { InvalidArgumentError } from "@netsockets/errors";

/** A parsed `ws://` / `wss://` URI and what connecting to it needs. */
export interface WebSocketUri {
  /** The URI as given (normalised by WHATWG URL parsing). */
  readonly url: URL;
  /** Whether it is `wss:`. */
  readonly secure: boolean;
  /** The host to resolve or connect to: a name, an IPv4 literal, or an IPv6 literal without brackets. */
  readonly hostname: string;
  /** The port: explicit, else 80 for `ws:` and 443 for `wss:`. */
  readonly port: number;
  /** The `Host` header value (the port omitted when it is the default). */
  readonly hostHeader: string;
  /** The request target: path and query, `/` when empty. */
  readonly path: string;
}

/**
 * Parses and checks a WebSocket URI: absolute, scheme `ws` or `wss`, a host, no fragment and no
 * user information (credentials belong in `serverCredential`, where they are sent only after a
 * challenge and never logged with the URI).
 *
 * RFC 6455 §3: "Fragment identifiers are meaningless in the context of WebSocket URIs and MUST
 * NOT be used on these URIs."
 *
 * @throws InvalidArgumentError with code `ERR_INVALID_URI`.
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-3
 */
export function parseWebSocketUri(uri: string | URL): WebSocketUri {
  let url: URL;
  try {
    url = new URL(uri instanceof URL ? uri.href : uri);
  } catch (cause) {
    throw invalid(`${JSON.stringify(String(uri))} is not an absolute URI`, cause);
  }
  if (url.protocol !== "ws:" && url.protocol !== "wss:") {
    throw invalid(`the scheme must be ws: or wss:, not ${url.protocol}`);
  }
  // WHATWG URL drops an empty "#": look at the original text too.
  if (url.hash !== "" || (typeof uri === "string" ? uri : uri.href).includes("#")) {
    throw invalid("a WebSocket URI must not have a fragment");
  }
  if (url.username !== "" || url.password !== "") {
    throw invalid("a WebSocket URI must not carry credentials; use serverCredential");
  }
  if (url.hostname === "") throw invalid("a WebSocket URI needs a host");
  const secure = url.protocol === "wss:";
  const port = url.port === "" ? (secure ? 443 : 80) : Number(url.port);
  const hostname =
    url.hostname.startsWith("[") && url.hostname.endsWith("]")
      ? url.hostname.slice(1, -1)
      : url.hostname;
  return {
    url,
    secure,
    hostname,
    port,
    hostHeader: url.host,
    path: `${url.pathname === "" ? "/" : url.pathname}${url.search}`,
  };
}

let lastText: string | undefined;
let lastUri: WebSocketUri | undefined;

/**
 * {@link parseWebSocketUri} for the sockets' own connects (internal): the last string parsed is
 * remembered, so a client that opens connection after connection to one URI parses it once
 * (the WHATWG parse and the checks were ≈ 7 µs of each connect). The result is frozen and shared,
 * its `url` included: the connect code only reads it, and it never reaches user code (the public
 * `openWebSocketTransport` parses its own). A `URL` argument (mutable) is parsed every time; a
 * refused URI is not remembered.
 *
 * @throws InvalidArgumentError as {@link parseWebSocketUri}.
 */
export function sharedWebSocketUri(uri: string | URL): WebSocketUri {
  if (typeof uri !== "string") return parseWebSocketUri(uri);
  if (uri === lastText) return lastUri as WebSocketUri;
  const parsed = Object.freeze(parseWebSocketUri(uri));
  lastText = uri;
  lastUri = parsed;
  return parsed;
}

function invalid(message: string, cause?: unknown): InvalidArgumentError {
  return new InvalidArgumentError(
    message,
    cause === undefined ? { code: "ERR_INVALID_URI" } : { code: "ERR_INVALID_URI", cause },
  );
}
