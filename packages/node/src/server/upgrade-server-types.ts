import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import type { TlsOptions } from "node:tls";
import type { ExtensionOffer } from "@netsockets/protocol";
import type { Driver } from "../driver/driver.js";
import type { DriverConnection, DriverHandler, DriverOptions } from "../driver/driver-types.js";
import type { OriginPolicy } from "./origin-policy.js";

/** A valid upgrade request, as the accept/refuse hook sees it. */
export interface UpgradeRequest {
  /** The request target (path and query), e.g. `"/chat?room=1"`. */
  readonly url: string;
  /** The request headers, lower-case names (Node's `req.headers`). */
  readonly headers: IncomingHttpHeaders;
  /** The `Origin` header, when sent. */
  readonly origin: string | undefined;
  /** The `Host` header. */
  readonly host: string | undefined;
  /** The subprotocols the client offered, in its order of preference. */
  readonly protocols: readonly string[];
  /** The extensions the client offered. */
  readonly extensions: readonly ExtensionOffer[];
  /** The client's address. */
  readonly remoteAddress: string;
  /** The client's port. */
  readonly remotePort: number;
  /** Whether the connection is TLS (`wss://`). */
  readonly secure: boolean;
  /** The Node request object, for anything else (cookies, raw headers). */
  readonly request: IncomingMessage;
}

/**
 * The hook's answer: accept (optionally choosing the subprotocol and adding response headers) or
 * refuse with an HTTP status. `undefined` accepts with the defaults.
 */
export type UpgradeDecision =
  | {
      readonly accept: true;
      /**
       * The subprotocol to select: one the client offered, or `null` for none. Absent: the first
       * protocol the client offered that `supportedProtocols` lists.
       */
      readonly protocol?: string | null;
      /** Extra headers on the 101 response (not handshake headers). */
      readonly headers?: Readonly<Record<string, string>>;
    }
  | {
      readonly accept: false;
      /** The HTTP status to answer with (400–599). Default 403. */
      readonly status?: number;
      /** The response body, plain text. Default: the status text. */
      readonly reason?: string;
      /** Extra response headers (e.g. `www-authenticate`). */
      readonly headers?: Readonly<Record<string, string>>;
    };

/** Decides on each valid upgrade request before the 101 is sent. May be async. */
export type UpgradeHook = (
  request: UpgradeRequest,
) => UpgradeDecision | undefined | Promise<UpgradeDecision | undefined>;

/**
 * An accepted upgrade: the 101 has been written. Start the WebSocket with
 * {@link AcceptedUpgrade.start} (the server then tracks the driver for graceful close).
 */
export interface AcceptedUpgrade {
  /** The upgraded socket (`tls.TLSSocket` for `wss://`). */
  readonly socket: Socket;
  /** Bytes the client sent after its handshake; pass them to the driver (`start` does). */
  readonly head: Uint8Array;
  /** The request that was accepted. */
  readonly request: UpgradeRequest;
  /** The selected subprotocol, or `null`. */
  readonly protocol: string | null;
  /**
   * The accepted extensions with the parameters answered, in answer order (empty unless
   * `negotiateExtensions` accepted some).
   */
  readonly extensions: readonly ExtensionOffer[];
  /** The 101 response headers that were sent. */
  readonly responseHeaders: Readonly<Record<string, string>>;
  /** The server-side local address and port of the connection. */
  readonly localAddress: string;
  readonly localPort: number;
  /**
   * Starts pumping `connection` (a server-role protocol `Connection`) over the socket with
   * `handler`, feeding `head` first. Call at most once.
   */
  start(connection: DriverConnection, handler: DriverHandler, options?: DriverOptions): Driver;
}

/** Options of an {@link UpgradeServer}; all optional. */
export interface UpgradeServerOptions {
  /** Subprotocols this server speaks. The default choice is the client's first one listed here. */
  readonly supportedProtocols?: readonly string[];
  /** Which `Origin`s may connect; default: same host as `Host` (see origin-policy.ts). */
  readonly allowedOrigins?: OriginPolicy;
  /** The accept/refuse hook. */
  readonly onUpgrade?: UpgradeHook;
  /**
   * Chooses which offered extensions to accept (e.g. permessage-deflate), with the parameters to
   * answer; they are sent in `Sec-WebSocket-Extensions` and reported as
   * {@link AcceptedUpgrade.extensions}, from which the caller builds the `Extension` objects of
   * its `Connection`. Absent: every offer is declined. Throwing refuses the upgrade with 500.
   */
  readonly negotiateExtensions?: (
    offers: readonly ExtensionOffer[],
    request: UpgradeRequest,
  ) => readonly ExtensionOffer[];
  /** Called with every accepted upgrade; without it upgrades are refused with 503. */
  readonly onConnection?: (upgrade: AcceptedUpgrade) => void;
  /** Called when the hook throws, or an accept could not be completed. */
  readonly onError?: (error: unknown) => void;
  /**
   * Time from the TCP (or TLS) connection — or from `handleUpgrade` on an external server — to
   * the 101; a client that trickles bytes is cut off after it. Default 10 000 ms.
   */
  readonly handshakeTimeoutMs?: number;
  /** The most bytes of request head (request line + headers). Default 16 384 (Node's default). */
  readonly maxHeaderSize?: number;
  /** The most request headers. Default 100. More: 431. */
  readonly maxHeadersCount?: number;
  /** TLS options (`cert`, `key`, `ca`, `requestCert`, …) for a standalone `wss://` server. */
  readonly tls?: TlsOptions;
  /** Nagle off on accepted sockets (WinRT's `NoDelay` default). Default `true`. */
  readonly noDelay?: boolean;
  /** Driver defaults for {@link AcceptedUpgrade.start} (overridden by its own options). */
  readonly driver?: DriverOptions;
}

/** Options of {@link UpgradeServer.close}. */
export interface UpgradeServerCloseOptions {
  /** The close code sent to every open connection. Default 1001 (going away). */
  readonly code?: number;
  /** The close reason. Default `"server shutting down"`. */
  readonly reason?: string;
  /** After this long, connections still open are destroyed. Default 10 000 ms. */
  readonly timeoutMs?: number;
}
