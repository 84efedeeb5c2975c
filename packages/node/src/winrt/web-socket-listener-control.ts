import { InvalidArgumentError, InvalidStateError } from "@netsockets/errors";
import {
  DEFAULT_CLOSE_TIMEOUT_MS,
  DEFAULT_MESSAGE_TIMEOUT_MS,
  DEFAULT_SEND_TIMEOUT_MS,
} from "../driver/driver.js";
import { DEFAULT_PING_TIMEOUT_MS } from "../driver/keepalive.js";
import type { OriginPolicy } from "../server/origin-policy.js";
import {
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  DEFAULT_MAX_HEADER_SIZE,
  DEFAULT_MAX_HEADERS_COUNT,
} from "../server/upgrade-server.js";
import type { UpgradeHook } from "../server/upgrade-server-types.js";
import { checkBoolean, checkMs, checkSize, checkTimeSpan, checkUInt32 } from "./control-values.js";

/** The TLS identity of a `wss://` listener: PEM key and certificate chain, or a PKCS#12 (PFX) bundle. */
export type ServerCertificate =
  | {
      readonly key: string | Uint8Array;
      readonly cert: string | Uint8Array;
      readonly passphrase?: string;
    }
  | { readonly pfx: Uint8Array; readonly passphrase?: string };

/**
 * The settable properties both listener controls share ({@link WebSocketListenerControl}); each
 * socket package's `…ListenerControlOptions` extends it with its own.
 */
export interface WebSocketListenerControlOptions {
  readonly supportedProtocols?: readonly string[];
  readonly allowedOrigins?: OriginPolicy | null;
  readonly upgradeHook?: UpgradeHook | null;
  readonly serverCertificate?: ServerCertificate | null;
  readonly handshakeTimeoutMs?: number;
  readonly maxHeaderSize?: number;
  readonly maxHeadersCount?: number;
  readonly perMessageDeflate?: boolean;
  readonly outboundBufferSizeInBytes?: number;
  readonly noDelay?: boolean;
  readonly closeTimeoutMs?: number;
  readonly sendTimeoutMs?: number;
  readonly messageTimeoutMs?: number;
  readonly pingIntervalMs?: number;
  readonly pingTimeoutMs?: number;
  readonly desiredUnsolicitedPongInterval?: number;
}

// Module-private (the base's #fields are invisible to subclasses; see applyListenerControlOptions).
let setProtocols: (control: WebSocketListenerControl, protocols: readonly string[]) => void;

/**
 * The members `MessageWebSocketListenerControl` and `StreamWebSocketListenerControl` share: what
 * a listener accepts (subprotocols, origins, the accept/refuse hook, handshake limits, the TLS
 * certificate for `wss://`), permessage-deflate, and the settings of the sockets it hands out
 * that both socket kinds have (output buffer, Nagle, timeouts, keepalive). Each socket package
 * exports its own subclass, made by its listener (`listener.control`).
 *
 * Changes apply to connections accepted afterwards. `serverCertificate`, `handshakeTimeoutMs`,
 * `maxHeaderSize` and `maxHeadersCount` configure the HTTP server itself: they throw
 * `InvalidStateError` once the listener is bound (or has taken its first `handleUpgrade`).
 *
 * @example
 * ```ts
 * const listener = new MessageWebSocketListener(); // or new StreamWebSocketListener()
 * listener.control.supportedProtocols.push("chat.v1");
 * listener.control.allowedOrigins = ["https://app.example"];
 * listener.control.upgradeHook = (request) =>
 *   request.url === "/chat" ? undefined : { accept: false, status: 404 };
 * ```
 */
export class WebSocketListenerControl {
  readonly #started: () => boolean;
  #supportedProtocols: string[] = [];
  #allowedOrigins: OriginPolicy | null = null;
  #upgradeHook: UpgradeHook | null = null;
  #serverCertificate: ServerCertificate | null = null;
  #handshakeTimeoutMs = DEFAULT_HANDSHAKE_TIMEOUT_MS;
  #maxHeaderSize = DEFAULT_MAX_HEADER_SIZE;
  #maxHeadersCount = DEFAULT_MAX_HEADERS_COUNT;
  #perMessageDeflate = false;
  #outboundBufferSizeInBytes: number;
  #noDelay = true;
  #closeTimeoutMs = DEFAULT_CLOSE_TIMEOUT_MS;
  #sendTimeoutMs = DEFAULT_SEND_TIMEOUT_MS;
  #messageTimeoutMs = DEFAULT_MESSAGE_TIMEOUT_MS;
  #pingIntervalMs = 0;
  #pingTimeoutMs = DEFAULT_PING_TIMEOUT_MS;
  #desiredUnsolicitedPongInterval = 0;

  /**
   * Made by a subclass's constructor, which then applies its options with
   * {@link applyListenerControlOptions} (once its own fields exist). `started` tells whether the
   * listener's server exists (bound, or given an upgrade); `outboundBufferSizeInBytes` is the
   * socket kind's default.
   */
  constructor(started: () => boolean, outboundBufferSizeInBytes: number) {
    this.#started = started;
    this.#outboundBufferSizeInBytes = outboundBufferSizeInBytes;
  }

  #beforeBind(name: string): void {
    if (this.#started()) {
      throw new InvalidStateError(
        `control.${name} can only be changed before the listener is bound`,
      );
    }
  }

  /**
   * Subprotocols this listener speaks (a mutable list). By default the client's most preferred
   * one listed here is selected; the hook may choose otherwise.
   */
  get supportedProtocols(): string[] {
    return this.#supportedProtocols;
  }

  /**
   * Which `Origin`s may connect: an allow-list (`"*"` for any, `"null"` for opaque origins) or a
   * predicate (may be async). `null` (default): a request without `Origin` (not a browser) is
   * accepted, one with `Origin` only when it names the `Host` — against cross-site hijacking.
   * A refused origin gets `403`.
   */
  get allowedOrigins(): OriginPolicy | null {
    return this.#allowedOrigins;
  }
  set allowedOrigins(value: OriginPolicy | null) {
    if (value !== null && typeof value !== "function" && !Array.isArray(value)) {
      throw new InvalidArgumentError(
        "allowedOrigins must be a list of origins, a function or null",
      );
    }
    this.#allowedOrigins = value;
  }

  /**
   * The accept/refuse hook, called for each valid upgrade request (may be async): return
   * `undefined` or `{ accept: true, protocol?, headers? }` to accept, `{ accept: false, status,
   * reason?, headers? }` to refuse with an HTTP status (400–599, default 403).
   */
  get upgradeHook(): UpgradeHook | null {
    return this.#upgradeHook;
  }
  set upgradeHook(value: UpgradeHook | null) {
    if (value !== null && typeof value !== "function") {
      throw new InvalidArgumentError("upgradeHook must be a function or null");
    }
    this.#upgradeHook = value;
  }

  /** The TLS certificate that makes the listener serve `wss://`; `null` (default) serves `ws://`. Before bind only. */
  get serverCertificate(): ServerCertificate | null {
    return this.#serverCertificate;
  }
  set serverCertificate(value: ServerCertificate | null) {
    if (value !== null && (typeof value !== "object" || !("pfx" in value || "cert" in value))) {
      throw new InvalidArgumentError("serverCertificate must be { key, cert } or { pfx } or null");
    }
    this.#beforeBind("serverCertificate");
    this.#serverCertificate = value;
  }

  /** Time from the TCP (or TLS) connection to the `101`, ms (default 10 000). Before bind only. */
  get handshakeTimeoutMs(): number {
    return this.#handshakeTimeoutMs;
  }
  set handshakeTimeoutMs(value: number) {
    checkMs("handshakeTimeoutMs", value, false);
    this.#beforeBind("handshakeTimeoutMs");
    this.#handshakeTimeoutMs = value;
  }

  /** The most bytes of request head (default 16 384). Before bind only. */
  get maxHeaderSize(): number {
    return this.#maxHeaderSize;
  }
  set maxHeaderSize(value: number) {
    checkUInt32("maxHeaderSize", value);
    this.#beforeBind("maxHeaderSize");
    this.#maxHeaderSize = value;
  }

  /** The most request headers (default 100; more gets `431`). Before bind only. */
  get maxHeadersCount(): number {
    return this.#maxHeadersCount;
  }
  set maxHeadersCount(value: number) {
    checkUInt32("maxHeadersCount", value);
    this.#beforeBind("maxHeadersCount");
    this.#maxHeadersCount = value;
  }

  /**
   * Accept permessage-deflate (RFC 7692) when a client offers it (default `false`: offers are
   * declined). Accepted message sockets then compress messages of 1024 bytes and more, and
   * their `maxMessageSize` bounds the inflated size. Read at each handshake.
   */
  get perMessageDeflate(): boolean {
    return this.#perMessageDeflate;
  }
  set perMessageDeflate(value: boolean) {
    this.#perMessageDeflate = checkBoolean("perMessageDeflate", value);
  }

  /**
   * `control.outboundBufferSizeInBytes` of accepted sockets (default: the socket kind's, 65 536
   * for message sockets and 1 MiB for stream sockets).
   */
  get outboundBufferSizeInBytes(): number {
    return this.#outboundBufferSizeInBytes;
  }
  set outboundBufferSizeInBytes(value: number) {
    this.#outboundBufferSizeInBytes = checkSize("outboundBufferSizeInBytes", value);
  }

  /** Nagle off on accepted sockets (default `true`). */
  get noDelay(): boolean {
    return this.#noDelay;
  }
  set noDelay(value: boolean) {
    this.#noDelay = checkBoolean("noDelay", value);
  }

  /** `control.closeTimeoutMs` of accepted sockets (default 30 000; 0 = wait forever). */
  get closeTimeoutMs(): number {
    return this.#closeTimeoutMs;
  }
  set closeTimeoutMs(value: number) {
    this.#closeTimeoutMs = checkMs("closeTimeoutMs", value, true);
  }

  /** `control.sendTimeoutMs` of accepted sockets (default 30 000; 0 = off). */
  get sendTimeoutMs(): number {
    return this.#sendTimeoutMs;
  }
  set sendTimeoutMs(value: number) {
    this.#sendTimeoutMs = checkMs("sendTimeoutMs", value, true);
  }

  /** `control.messageTimeoutMs` of accepted sockets (default 30 000; 0 = off). */
  get messageTimeoutMs(): number {
    return this.#messageTimeoutMs;
  }
  set messageTimeoutMs(value: number) {
    this.#messageTimeoutMs = checkMs("messageTimeoutMs", value, true);
  }

  /** `control.pingIntervalMs` of accepted sockets (default 0 = off). */
  get pingIntervalMs(): number {
    return this.#pingIntervalMs;
  }
  set pingIntervalMs(value: number) {
    this.#pingIntervalMs = checkMs("pingIntervalMs", value, true);
  }

  /** `control.pingTimeoutMs` of accepted sockets (default 20 000). */
  get pingTimeoutMs(): number {
    return this.#pingTimeoutMs;
  }
  set pingTimeoutMs(value: number) {
    this.#pingTimeoutMs = checkMs("pingTimeoutMs", value, false);
  }

  /** `control.desiredUnsolicitedPongInterval` of accepted sockets, ms (default 0 = off). */
  get desiredUnsolicitedPongInterval(): number {
    return this.#desiredUnsolicitedPongInterval;
  }
  set desiredUnsolicitedPongInterval(value: number) {
    this.#desiredUnsolicitedPongInterval = checkTimeSpan("desiredUnsolicitedPongInterval", value);
  }

  static {
    setProtocols = (control, protocols) => {
      control.#supportedProtocols = [...protocols];
    };
  }
}

/**
 * Sets every option given on `control` through its setters, so each is validated as a property
 * assignment would be (`supportedProtocols` is copied). A subclass's constructor calls it once
 * its own fields exist. An option that is no member of the control throws `InvalidArgumentError`.
 */
export function applyListenerControlOptions(
  control: WebSocketListenerControl,
  options: WebSocketListenerControlOptions,
): void {
  const { supportedProtocols, ...rest } = options;
  if (supportedProtocols !== undefined) setProtocols(control, supportedProtocols);
  const target = control as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(rest)) {
    if (!(key in control)) throw new InvalidArgumentError(`unknown listener control option ${key}`);
    if (value !== undefined) target[key] = value;
  }
}
