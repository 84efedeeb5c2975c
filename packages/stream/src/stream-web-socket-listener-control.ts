import { InvalidArgumentError, InvalidStateError } from "@netsockets/errors";
import {
  checkBoolean,
  checkMs,
  checkTimeSpan,
  checkUInt32,
  DEFAULT_CLOSE_TIMEOUT_MS,
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  DEFAULT_MAX_HEADER_SIZE,
  DEFAULT_MAX_HEADERS_COUNT,
  DEFAULT_MESSAGE_TIMEOUT_MS,
  DEFAULT_PING_TIMEOUT_MS,
  DEFAULT_SEND_TIMEOUT_MS,
  type OriginPolicy,
  type UpgradeHook,
} from "@netsockets/node";

import {
  DEFAULT_INBOUND_BUFFER_SIZE,
  DEFAULT_STREAM_OUTBOUND_BUFFER_SIZE,
  type StreamWebSocketControlOptions,
} from "./stream-web-socket-control.js";

/** The TLS identity of a `wss://` listener: PEM key and certificate chain, or a PKCS#12 (PFX) bundle. */
export type ServerCertificate =
  | {
      readonly key: string | Uint8Array;
      readonly cert: string | Uint8Array;
      readonly passphrase?: string;
    }
  | { readonly pfx: Uint8Array; readonly passphrase?: string };

/** The settable properties of a {@link StreamWebSocketListenerControl}, for `new StreamWebSocketListener(options)`. */
export interface StreamWebSocketListenerControlOptions {
  readonly supportedProtocols?: readonly string[];
  readonly allowedOrigins?: OriginPolicy | null;
  readonly upgradeHook?: UpgradeHook | null;
  readonly serverCertificate?: ServerCertificate | null;
  readonly handshakeTimeoutMs?: number;
  readonly maxHeaderSize?: number;
  readonly maxHeadersCount?: number;
  readonly perMessageDeflate?: boolean;
  readonly outboundBufferSizeInBytes?: number;
  readonly inboundBufferSizeInBytes?: number;
  readonly noDelay?: boolean;
  readonly closeTimeoutMs?: number;
  readonly sendTimeoutMs?: number;
  readonly messageTimeoutMs?: number;
  readonly pingIntervalMs?: number;
  readonly pingTimeoutMs?: number;
  readonly desiredUnsolicitedPongInterval?: number;
}

/**
 * The settings of a `StreamWebSocketListener`: what it accepts (subprotocols, origins, the
 * accept/refuse hook, handshake limits, the TLS certificate for `wss://`) and the control of the
 * sockets it hands out (buffer sizes, Nagle, timeouts, keepalive).
 *
 * Changes apply to connections accepted afterwards. `serverCertificate`, `handshakeTimeoutMs`,
 * `maxHeaderSize` and `maxHeadersCount` configure the HTTP server itself: they throw
 * `InvalidStateError` once the listener is bound (or has taken its first `handleUpgrade`).
 *
 * @example
 * ```ts
 * const listener = new StreamWebSocketListener();
 * listener.control.supportedProtocols.push("chat.v1");
 * listener.control.allowedOrigins = ["https://app.example"];
 * listener.control.inboundBufferSizeInBytes = 4 << 20;
 * listener.control.upgradeHook = (request) =>
 *   request.url === "/chat" ? undefined : { accept: false, status: 404 };
 * ```
 */
export class StreamWebSocketListenerControl {
  readonly #started: () => boolean;
  #supportedProtocols: string[] = [];
  #allowedOrigins: OriginPolicy | null = null;
  #upgradeHook: UpgradeHook | null = null;
  #serverCertificate: ServerCertificate | null = null;
  #handshakeTimeoutMs = DEFAULT_HANDSHAKE_TIMEOUT_MS;
  #maxHeaderSize = DEFAULT_MAX_HEADER_SIZE;
  #maxHeadersCount = DEFAULT_MAX_HEADERS_COUNT;
  #perMessageDeflate = false;
  #outboundBufferSizeInBytes = DEFAULT_STREAM_OUTBOUND_BUFFER_SIZE;
  #inboundBufferSizeInBytes = DEFAULT_INBOUND_BUFFER_SIZE;
  #noDelay = true;
  #closeTimeoutMs = DEFAULT_CLOSE_TIMEOUT_MS;
  #sendTimeoutMs = DEFAULT_SEND_TIMEOUT_MS;
  #messageTimeoutMs = DEFAULT_MESSAGE_TIMEOUT_MS;
  #pingIntervalMs = 0;
  #pingTimeoutMs = DEFAULT_PING_TIMEOUT_MS;
  #desiredUnsolicitedPongInterval = 0;

  /** Made by its listener (`listener.control`). */
  constructor(started: () => boolean, options: StreamWebSocketListenerControlOptions = {}) {
    this.#started = started;
    const { supportedProtocols, ...rest } = options;
    if (supportedProtocols !== undefined) this.#supportedProtocols = [...supportedProtocols];
    const target = this as unknown as Record<string, unknown>;
    for (const [key, value] of Object.entries(rest)) {
      if (!(key in this)) throw new InvalidArgumentError(`unknown listener control option ${key}`);
      if (value !== undefined) target[key] = value;
    }
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
   * declined). Read at each handshake.
   */
  get perMessageDeflate(): boolean {
    return this.#perMessageDeflate;
  }
  set perMessageDeflate(value: boolean) {
    this.#perMessageDeflate = checkBoolean("perMessageDeflate", value);
  }

  /** `control.outboundBufferSizeInBytes` of accepted sockets (default 1 MiB). */
  get outboundBufferSizeInBytes(): number {
    return this.#outboundBufferSizeInBytes;
  }
  set outboundBufferSizeInBytes(value: number) {
    checkUInt32("outboundBufferSizeInBytes", value);
    if (value === 0) throw new InvalidArgumentError("outboundBufferSizeInBytes must be positive");
    this.#outboundBufferSizeInBytes = value;
  }

  /** `control.inboundBufferSizeInBytes` of accepted sockets (default 1 MiB). */
  get inboundBufferSizeInBytes(): number {
    return this.#inboundBufferSizeInBytes;
  }
  set inboundBufferSizeInBytes(value: number) {
    checkUInt32("inboundBufferSizeInBytes", value);
    if (value === 0) throw new InvalidArgumentError("inboundBufferSizeInBytes must be positive");
    this.#inboundBufferSizeInBytes = value;
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

  /** The control options an accepted socket starts with (internal). */
  socketOptions(): StreamWebSocketControlOptions {
    return {
      outboundBufferSizeInBytes: this.#outboundBufferSizeInBytes,
      inboundBufferSizeInBytes: this.#inboundBufferSizeInBytes,
      noDelay: this.#noDelay,
      closeTimeoutMs: this.#closeTimeoutMs,
      sendTimeoutMs: this.#sendTimeoutMs,
      messageTimeoutMs: this.#messageTimeoutMs,
      pingIntervalMs: this.#pingIntervalMs,
      pingTimeoutMs: this.#pingTimeoutMs,
      desiredUnsolicitedPongInterval: this.#desiredUnsolicitedPongInterval,
    };
  }
}
