import { InvalidArgumentError, InvalidStateError } from "@netsockets/errors";
import {
  checkBoolean,
  checkMs,
  checkUInt32,
  DEFAULT_CLOSE_TIMEOUT_MS,
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  DEFAULT_MAX_HEADER_SIZE,
  DEFAULT_MAX_HEADERS_COUNT,
  DEFAULT_MESSAGE_TIMEOUT_MS,
  DEFAULT_OUTBOUND_BUFFER_SIZE,
  DEFAULT_PING_TIMEOUT_MS,
  DEFAULT_SEND_TIMEOUT_MS,
  type OriginPolicy,
  type UpgradeHook,
} from "@netsockets/node";
import { DEFAULT_MAX_FRAGMENTS } from "@netsockets/protocol";

import type { MessageWebSocketControlOptions } from "./message-web-socket-control.js";
import { isReceiveMode, MessageWebSocketReceiveMode } from "./receive-mode.js";
import { isSocketMessageType, SocketMessageType } from "./socket-message-type.js";

/** The TLS identity of a `wss://` listener: PEM key and certificate chain, or a PKCS#12 (PFX) bundle. */
export type ServerCertificate =
  | {
      readonly key: string | Uint8Array;
      readonly cert: string | Uint8Array;
      readonly passphrase?: string;
    }
  | { readonly pfx: Uint8Array; readonly passphrase?: string };

/** The settable properties of a {@link MessageWebSocketListenerControl}, for `new MessageWebSocketListener(options)`. */
export interface MessageWebSocketListenerControlOptions {
  readonly supportedProtocols?: readonly string[];
  readonly allowedOrigins?: OriginPolicy | null;
  readonly upgradeHook?: UpgradeHook | null;
  readonly serverCertificate?: ServerCertificate | null;
  readonly handshakeTimeoutMs?: number;
  readonly maxHeaderSize?: number;
  readonly maxHeadersCount?: number;
  readonly perMessageDeflate?: boolean;
  readonly messageType?: SocketMessageType;
  readonly receiveMode?: MessageWebSocketReceiveMode;
  readonly maxMessageSize?: number | null;
  readonly maxFragments?: number;
  readonly outboundBufferSizeInBytes?: number;
  readonly noDelay?: boolean;
  readonly closeTimeoutMs?: number;
  readonly sendTimeoutMs?: number;
  readonly messageTimeoutMs?: number;
  readonly pingIntervalMs?: number;
  readonly pingTimeoutMs?: number;
  readonly desiredUnsolicitedPongInterval?: number;
}

let optionsOf: (control: MessageWebSocketListenerControl) => MessageWebSocketControlOptions;

/**
 * The settings of a `MessageWebSocketListener`: what it accepts (subprotocols, origins, the
 * accept/refuse hook, handshake limits, the TLS certificate for `wss://`) and the control of the
 * sockets it hands out (message type, receive mode, limits, timeouts, keepalive).
 *
 * Changes apply to connections accepted afterwards. `serverCertificate`, `handshakeTimeoutMs`,
 * `maxHeaderSize` and `maxHeadersCount` configure the HTTP server itself: they throw
 * `InvalidStateError` once the listener is bound (or has taken its first `handleUpgrade`).
 *
 * @example
 * ```ts
 * const listener = new MessageWebSocketListener();
 * listener.control.supportedProtocols.push("chat.v1");
 * listener.control.allowedOrigins = ["https://app.example"];
 * listener.control.receiveMode = MessageWebSocketReceiveMode.partialMessage;
 * listener.control.upgradeHook = (request) =>
 *   request.url === "/chat" ? undefined : { accept: false, status: 404 };
 * ```
 */
export class MessageWebSocketListenerControl {
  readonly #started: () => boolean;
  #supportedProtocols: string[] = [];
  #allowedOrigins: OriginPolicy | null = null;
  #upgradeHook: UpgradeHook | null = null;
  #serverCertificate: ServerCertificate | null = null;
  #handshakeTimeoutMs = DEFAULT_HANDSHAKE_TIMEOUT_MS;
  #maxHeaderSize = DEFAULT_MAX_HEADER_SIZE;
  #maxHeadersCount = DEFAULT_MAX_HEADERS_COUNT;
  #perMessageDeflate = false;
  #messageType: SocketMessageType = SocketMessageType.binary;
  #receiveMode: MessageWebSocketReceiveMode = MessageWebSocketReceiveMode.fullMessage;
  #maxMessageSize: number | null = null;
  #maxFragments = DEFAULT_MAX_FRAGMENTS;
  #outboundBufferSizeInBytes = DEFAULT_OUTBOUND_BUFFER_SIZE;
  #noDelay = true;
  #closeTimeoutMs = DEFAULT_CLOSE_TIMEOUT_MS;
  #sendTimeoutMs = DEFAULT_SEND_TIMEOUT_MS;
  #messageTimeoutMs = DEFAULT_MESSAGE_TIMEOUT_MS;
  #pingIntervalMs = 0;
  #pingTimeoutMs = DEFAULT_PING_TIMEOUT_MS;
  #desiredUnsolicitedPongInterval = 0;

  /** Made by its listener (`listener.control`). */
  constructor(started: () => boolean, options: MessageWebSocketListenerControlOptions = {}) {
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
   * declined). Accepted sockets then compress messages of 1024 bytes and more, and their
   * `maxMessageSize` bounds the inflated size. Read at each handshake.
   */
  get perMessageDeflate(): boolean {
    return this.#perMessageDeflate;
  }
  set perMessageDeflate(value: boolean) {
    this.#perMessageDeflate = checkBoolean("perMessageDeflate", value);
  }

  /** `control.messageType` of accepted sockets (default binary; each socket may change its own). */
  get messageType(): SocketMessageType {
    return this.#messageType;
  }
  set messageType(value: SocketMessageType) {
    if (!isSocketMessageType(value)) {
      throw new InvalidArgumentError(
        `messageType must be a SocketMessageType, got ${String(value)}`,
      );
    }
    this.#messageType = value;
  }

  /** `control.receiveMode` of accepted sockets (default fullMessage). */
  get receiveMode(): MessageWebSocketReceiveMode {
    return this.#receiveMode;
  }
  set receiveMode(value: MessageWebSocketReceiveMode) {
    if (!isReceiveMode(value)) {
      throw new InvalidArgumentError(
        `receiveMode must be a MessageWebSocketReceiveMode, got ${String(value)}`,
      );
    }
    this.#receiveMode = value;
  }

  /**
   * `control.maxMessageSize` of accepted sockets; `null` (default) takes the socket default
   * (64 MiB in fullMessage mode, no limit in partialMessage mode).
   */
  get maxMessageSize(): number | null {
    return this.#maxMessageSize;
  }
  set maxMessageSize(value: number | null) {
    if (value !== null) checkUInt32("maxMessageSize", value);
    this.#maxMessageSize = value;
  }

  /** `control.maxFragments` of accepted sockets (default 131 072; 0xFFFFFFFF: no limit). */
  get maxFragments(): number {
    return this.#maxFragments;
  }
  set maxFragments(value: number) {
    this.#maxFragments = checkUInt32("maxFragments", value);
  }

  /** `control.outboundBufferSizeInBytes` of accepted sockets (default 65 536). */
  get outboundBufferSizeInBytes(): number {
    return this.#outboundBufferSizeInBytes;
  }
  set outboundBufferSizeInBytes(value: number) {
    checkUInt32("outboundBufferSizeInBytes", value);
    if (value === 0) throw new InvalidArgumentError("outboundBufferSizeInBytes must be positive");
    this.#outboundBufferSizeInBytes = value;
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
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
      throw new InvalidArgumentError(
        `desiredUnsolicitedPongInterval must be a non-negative number of ms, got ${String(value)}`,
      );
    }
    this.#desiredUnsolicitedPongInterval = value;
  }

  static {
    optionsOf = (c) => ({
      messageType: c.#messageType,
      receiveMode: c.#receiveMode,
      ...(c.#maxMessageSize === null ? {} : { maxMessageSize: c.#maxMessageSize }),
      maxFragments: c.#maxFragments,
      outboundBufferSizeInBytes: c.#outboundBufferSizeInBytes,
      noDelay: c.#noDelay,
      closeTimeoutMs: c.#closeTimeoutMs,
      sendTimeoutMs: c.#sendTimeoutMs,
      messageTimeoutMs: c.#messageTimeoutMs,
      pingIntervalMs: c.#pingIntervalMs,
      pingTimeoutMs: c.#pingTimeoutMs,
      desiredUnsolicitedPongInterval: c.#desiredUnsolicitedPongInterval,
    });
  }
}

/** What a listener control that nobody changed hands out: the socket control's defaults. */
let defaultOptions: Readonly<Record<string, unknown>> | undefined;

/**
 * The control options an accepted socket starts with (internal to the listener): only those that
 * differ from the defaults. Every accepted socket builds its `MessageWebSocketControl` from these
 * through the validating setters (RESULTS item 10: 0.9 % of a server accepting connections in a
 * loop); a listener's defaults are the socket control's own (the same constants), so leaving them
 * out skips their re-validation and changes no value.
 */
export function acceptedSocketOptions(
  control: MessageWebSocketListenerControl,
): MessageWebSocketControlOptions {
  if (defaultOptions === undefined) {
    defaultOptions = optionsOf(new MessageWebSocketListenerControl(() => false)) as Readonly<
      Record<string, unknown>
    >;
  }
  const defaults = defaultOptions;
  const all = optionsOf(control) as Record<string, unknown>;
  const changed: Record<string, unknown> = {};
  for (const key of Object.keys(all)) {
    if (all[key] !== defaults[key]) changed[key] = all[key];
  }
  return changed as MessageWebSocketControlOptions;
}
