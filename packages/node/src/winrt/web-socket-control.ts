import { InvalidArgumentError } from "@netsockets/errors";
import type { ClientCertificate, LookupFunction } from "../connect/connect-options.js";
import { DEFAULT_CLIENT_HANDSHAKE_TIMEOUT_MS } from "../connect/handshake-deadline.js";
import { DEFAULT_CONNECT_TIMEOUT_MS } from "../connect/tcp-connect.js";
import {
  DEFAULT_CLOSE_TIMEOUT_MS,
  DEFAULT_MESSAGE_TIMEOUT_MS,
  DEFAULT_SEND_TIMEOUT_MS,
} from "../driver/driver.js";
import { actualUnsolicitedPongInterval, DEFAULT_PING_TIMEOUT_MS } from "../driver/keepalive.js";
import type { ChainValidationResult } from "./chain-validation-result.js";
import type { ControlOwner } from "./control-snapshots.js";
import {
  checkBoolean,
  checkCredential,
  checkMs,
  checkSize,
  checkTimeSpan,
  lockedError,
} from "./control-values.js";
import type { PasswordCredential } from "./password-credential.js";

/**
 * The settable properties both socket controls share ({@link WebSocketControl}); each socket
 * package's `…ControlOptions` extends it with its own.
 */
export interface WebSocketControlOptions {
  readonly noDelay?: boolean;
  readonly outboundBufferSizeInBytes?: number;
  readonly serverCredential?: PasswordCredential | null;
  readonly proxyCredential?: PasswordCredential | null;
  readonly supportedProtocols?: readonly string[];
  readonly ignorableServerCertificateErrors?: readonly ChainValidationResult[];
  readonly clientCertificate?: ClientCertificate | null;
  readonly desiredUnsolicitedPongInterval?: number;
  readonly connectTimeoutMs?: number;
  readonly handshakeTimeoutMs?: number;
  readonly closeTimeoutMs?: number;
  readonly sendTimeoutMs?: number;
  readonly messageTimeoutMs?: number;
  readonly pingIntervalMs?: number;
  readonly pingTimeoutMs?: number;
  readonly ca?: string | Uint8Array | readonly (string | Uint8Array)[] | null;
  readonly lookup?: LookupFunction | null;
  readonly proxy?: string | URL | false | null;
  readonly origin?: string | null;
  readonly followRedirects?: false | number;
  readonly perMessageDeflate?: boolean;
}

/** How {@link applyControlOptions} treats the options of one control class. */
export interface ApplyControlOptionsOrder<
  Control extends WebSocketControl = WebSocketControl,
  Options extends WebSocketControlOptions = WebSocketControlOptions,
> {
  /**
   * Sets the options that go before all others (a default that depends on them), with named
   * reads: a list of names read by key cost a socket's lazily made control a third of its time.
   */
  readonly first?: (control: Control, options: Options) => void;
  /** The names `first` sets, skipped afterwards. */
  readonly firstKeys?: readonly string[];
  /** Getter-only members that are refused as unknown options. */
  readonly readOnly?: readonly string[];
}

const NO_ORDER: ApplyControlOptionsOrder = Object.freeze({});

// Module-private accessors (the base's #fields are invisible to subclasses, and a protected
// member would become a settable-looking name on every control, accepted by `key in control`).
let ownerOf: (control: WebSocketControl) => ControlOwner;
let setLists: (
  control: WebSocketControl,
  protocols: readonly string[] | undefined,
  ignorable: readonly ChainValidationResult[] | undefined,
) => void;

/**
 * The members `MessageWebSocketControl` (reference/uwp-api.md §5) and `StreamWebSocketControl`
 * (§8.1) share: credentials, subprotocols, TLS, Nagle, the output buffer size, keepalive, and
 * the timeouts and connection options of the Node driver. Each socket package exports its own
 * subclass under the WinRT name, made with its socket and the same object for the socket's
 * lifetime (`socket.control`).
 *
 * When a property may change (reference §17.2; the decisions where WinRT is silent are in the
 * package READMEs): `outboundBufferSizeInBytes` is accepted after connect with no effect;
 * `supportedProtocols` and `ignorableServerCertificateErrors` are lists read when `connectAsync`
 * starts, so later edits are ignored until a retry after a failed connect; every other setter
 * here throws `InvalidStateError` (`ERR_INVALID_STATE`, `E_ILLEGAL_METHOD_CALL`) from
 * `connectAsync` on — also after close — and is allowed again once a connect has failed.
 *
 * @example
 * ```ts
 * const socket = new MessageWebSocket(); // or new StreamWebSocket()
 * socket.control.supportedProtocols.push("chat.v1");
 * socket.control.connectTimeoutMs = 5_000;
 * await socket.connectAsync("wss://chat.example/");
 * ```
 */
export class WebSocketControl {
  readonly #owner: ControlOwner;
  #noDelay = true;
  #outboundBufferSizeInBytes: number;
  #serverCredential: PasswordCredential | null = null;
  #proxyCredential: PasswordCredential | null = null;
  #supportedProtocols: string[] = [];
  #ignorableServerCertificateErrors: ChainValidationResult[] = [];
  #clientCertificate: ClientCertificate | null = null;
  #desiredUnsolicitedPongInterval = 0;
  #connectTimeoutMs = DEFAULT_CONNECT_TIMEOUT_MS;
  #handshakeTimeoutMs = DEFAULT_CLIENT_HANDSHAKE_TIMEOUT_MS;
  #closeTimeoutMs = DEFAULT_CLOSE_TIMEOUT_MS;
  #sendTimeoutMs = DEFAULT_SEND_TIMEOUT_MS;
  #messageTimeoutMs = DEFAULT_MESSAGE_TIMEOUT_MS;
  #pingIntervalMs = 0;
  #pingTimeoutMs = DEFAULT_PING_TIMEOUT_MS;
  #ca: string | Uint8Array | readonly (string | Uint8Array)[] | null = null;
  #lookup: LookupFunction | null = null;
  #proxy: string | URL | false | null = null;
  #origin: string | null = null;
  #followRedirects: false | number = false;
  #perMessageDeflate = false;

  /**
   * Made by a subclass's constructor, which then applies its options with
   * {@link applyControlOptions} (once its own fields exist). `outboundBufferSizeInBytes` is the
   * socket kind's default.
   */
  constructor(owner: ControlOwner, outboundBufferSizeInBytes: number) {
    this.#owner = owner;
    this.#outboundBufferSizeInBytes = outboundBufferSizeInBytes;
  }

  #unlocked(name: string): void {
    if (this.#owner.locked()) throw lockedError(name);
  }

  /**
   * Nagle's algorithm off (TCP_NODELAY). Default `true`, as WinRT. Setting it after
   * `connectAsync` throws (reference §17.2).
   */
  get noDelay(): boolean {
    return this.#noDelay;
  }
  set noDelay(value: boolean) {
    checkBoolean("noDelay", value);
    this.#unlocked("noDelay");
    this.#noDelay = value;
  }

  /**
   * The buffered output, in bytes, at which sends (and `outputStream.writeAsync`) wait for the
   * kernel (Node has no SO_SNDBUF setter; this is the driver's high-water mark). Default 65 536
   * for a message socket, 1 MiB for a stream socket (its bulk writes refill the kernel less
   * often). Setting it after connect is accepted and has no effect, as in WinRT.
   */
  get outboundBufferSizeInBytes(): number {
    return this.#outboundBufferSizeInBytes;
  }
  set outboundBufferSizeInBytes(value: number) {
    this.#outboundBufferSizeInBytes = checkSize("outboundBufferSizeInBytes", value);
  }

  /** HTTP Basic credential for the server (answers a `401`). Before connect only. */
  get serverCredential(): PasswordCredential | null {
    return this.#serverCredential;
  }
  set serverCredential(value: PasswordCredential | null) {
    checkCredential("serverCredential", value);
    this.#unlocked("serverCredential");
    this.#serverCredential = value;
  }

  /** HTTP Basic credential for the proxy (answers a `407`). Before connect only. */
  get proxyCredential(): PasswordCredential | null {
    return this.#proxyCredential;
  }
  set proxyCredential(value: PasswordCredential | null) {
    checkCredential("proxyCredential", value);
    this.#unlocked("proxyCredential");
    this.#proxyCredential = value;
  }

  /**
   * Subprotocols offered in `Sec-WebSocket-Protocol`, in order of preference (a mutable list).
   * Read when `connectAsync` starts: edits after a successful connect are ignored; after a
   * failed connect, edit it and connect again.
   */
  get supportedProtocols(): string[] {
    return this.#supportedProtocols;
  }

  /**
   * Certificate errors that do not fail a `wss:` connect (a mutable list of
   * `ChainValidationResult`); they are still reported in `information`. Read when `connectAsync`
   * starts, like {@link supportedProtocols}.
   */
  get ignorableServerCertificateErrors(): ChainValidationResult[] {
    return this.#ignorableServerCertificateErrors;
  }

  /** A TLS client certificate (PEM key + cert, or PFX) to present. Before connect only. */
  get clientCertificate(): ClientCertificate | null {
    return this.#clientCertificate;
  }
  set clientCertificate(value: ClientCertificate | null) {
    if (value !== null && (typeof value !== "object" || !("pfx" in value || "cert" in value))) {
      throw new InvalidArgumentError("clientCertificate must be { key, cert } or { pfx } or null");
    }
    this.#unlocked("clientCertificate");
    this.#clientCertificate = value;
  }

  /**
   * The desired period of unsolicited pongs (a one-way heartbeat), in ms (TimeSpan); 0 (the
   * default) sends none. Before connect only.
   */
  get desiredUnsolicitedPongInterval(): number {
    return this.#desiredUnsolicitedPongInterval;
  }
  set desiredUnsolicitedPongInterval(value: number) {
    checkTimeSpan("desiredUnsolicitedPongInterval", value);
    this.#unlocked("desiredUnsolicitedPongInterval");
    this.#desiredUnsolicitedPongInterval = value;
  }

  /**
   * The unsolicited-pong period in effect, in ms (0 = off): the desired one clamped to what the
   * driver honours (at least 100 ms).
   */
  get actualUnsolicitedPongInterval(): number {
    return (
      this.#owner.actualUnsolicitedPongIntervalMs() ??
      actualUnsolicitedPongInterval(this.#desiredUnsolicitedPongInterval)
    );
  }

  /** Timeout of each TCP connect attempt, ms (default 60 000; up to 5 addresses). Before connect only. */
  get connectTimeoutMs(): number {
    return this.#connectTimeoutMs;
  }
  set connectTimeoutMs(value: number) {
    checkMs("connectTimeoutMs", value, false);
    this.#unlocked("connectTimeoutMs");
    this.#connectTimeoutMs = value;
  }

  /** Timeout from the TCP connection to the `101` (TLS, proxy, upgrade), ms (default 60 000). Before connect only. */
  get handshakeTimeoutMs(): number {
    return this.#handshakeTimeoutMs;
  }
  set handshakeTimeoutMs(value: number) {
    checkMs("handshakeTimeoutMs", value, false);
    this.#unlocked("handshakeTimeoutMs");
    this.#handshakeTimeoutMs = value;
  }

  /**
   * How long `close()` waits for the peer's close frame before destroying the connection and
   * raising `closed` with 1006, ms (default 30 000; 0 = wait forever). Before connect only.
   */
  get closeTimeoutMs(): number {
    return this.#closeTimeoutMs;
  }
  set closeTimeoutMs(value: number) {
    checkMs("closeTimeoutMs", value, true);
    this.#unlocked("closeTimeoutMs");
    this.#closeTimeoutMs = value;
  }

  /** A send that makes no progress into the kernel for this long fails the connection, ms (default 30 000; 0 = off). Before connect only. */
  get sendTimeoutMs(): number {
    return this.#sendTimeoutMs;
  }
  set sendTimeoutMs(value: number) {
    checkMs("sendTimeoutMs", value, true);
    this.#unlocked("sendTimeoutMs");
    this.#sendTimeoutMs = value;
  }

  /**
   * A started incoming message that receives nothing for this long fails the connection, ms
   * (default 30 000; 0 = off; on a stream socket not counted while the reader is behind).
   * Before connect only.
   */
  get messageTimeoutMs(): number {
    return this.#messageTimeoutMs;
  }
  set messageTimeoutMs(value: number) {
    checkMs("messageTimeoutMs", value, true);
    this.#unlocked("messageTimeoutMs");
    this.#messageTimeoutMs = value;
  }

  /** Keepalive: send a ping this often, ms (default 0 = off). Before connect only. */
  get pingIntervalMs(): number {
    return this.#pingIntervalMs;
  }
  set pingIntervalMs(value: number) {
    checkMs("pingIntervalMs", value, true);
    this.#unlocked("pingIntervalMs");
    this.#pingIntervalMs = value;
  }

  /** Keepalive: a ping without a pong for this long ends the connection, ms (default 20 000). Before connect only. */
  get pingTimeoutMs(): number {
    return this.#pingTimeoutMs;
  }
  set pingTimeoutMs(value: number) {
    checkMs("pingTimeoutMs", value, false);
    this.#unlocked("pingTimeoutMs");
    this.#pingTimeoutMs = value;
  }

  /** Extra trusted CA certificates (PEM) for `wss:`, added to Node's roots. Before connect only. */
  get ca(): string | Uint8Array | readonly (string | Uint8Array)[] | null {
    return this.#ca;
  }
  set ca(value: string | Uint8Array | readonly (string | Uint8Array)[] | null) {
    this.#unlocked("ca");
    this.#ca = value;
  }

  /** Resolves host names (default `dns.lookup`), called with `{ all: true }`. Before connect only. */
  get lookup(): LookupFunction | null {
    return this.#lookup;
  }
  set lookup(value: LookupFunction | null) {
    if (value !== null && typeof value !== "function") {
      throw new InvalidArgumentError("lookup must be a function or null");
    }
    this.#unlocked("lookup");
    this.#lookup = value;
  }

  /**
   * An HTTP CONNECT proxy URL; `false` for none; `null` (default) reads
   * `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY`. Before connect only.
   */
  get proxy(): string | URL | false | null {
    return this.#proxy;
  }
  set proxy(value: string | URL | false | null) {
    this.#unlocked("proxy");
    this.#proxy = value;
  }

  /** Sent as the `Origin` header when set. Before connect only. */
  get origin(): string | null {
    return this.#origin;
  }
  set origin(value: string | null) {
    if (value !== null && typeof value !== "string") {
      throw new InvalidArgumentError("origin must be a string or null");
    }
    this.#unlocked("origin");
    this.#origin = value;
  }

  /** How many redirects `connectAsync` follows (default `false`: none). Before connect only. */
  get followRedirects(): false | number {
    return this.#followRedirects;
  }
  set followRedirects(value: false | number) {
    if (value !== false && !(Number.isInteger(value) && value >= 0)) {
      throw new InvalidArgumentError("followRedirects must be false or a non-negative integer");
    }
    this.#unlocked("followRedirects");
    this.#followRedirects = value;
  }

  /**
   * Offer permessage-deflate compression (RFC 7692; default `false`). When the server accepts,
   * messages (on a stream socket: written sections) of 1024 bytes and more are compressed
   * (`sendAsync(data, { compress: false })` sends one message uncompressed) and received ones
   * inflated, within a message socket's `maxMessageSize`. Before connect only.
   */
  get perMessageDeflate(): boolean {
    return this.#perMessageDeflate;
  }
  set perMessageDeflate(value: boolean) {
    checkBoolean("perMessageDeflate", value);
    this.#unlocked("perMessageDeflate");
    this.#perMessageDeflate = value;
  }

  static {
    ownerOf = (control) => control.#owner;
    setLists = (control, protocols, ignorable) => {
      if (protocols !== undefined) control.#supportedProtocols = [...protocols];
      if (ignorable !== undefined) control.#ignorableServerCertificateErrors = [...ignorable];
    };
  }
}

/**
 * Throws `InvalidStateError` (the §17.2 lock) when `control`'s socket no longer lets
 * before-connect-only properties change: for the setters a subclass adds (`maxMessageSize`, …).
 */
export function assertControlUnlocked(control: WebSocketControl, name: string): void {
  if (ownerOf(control).locked()) throw lockedError(name);
}

/**
 * Sets every option given on `control` through its setters, so each is validated as a
 * property assignment would be (the list-valued options are copied). A subclass's constructor
 * calls it once its own fields exist. An option that is no member of the control throws
 * `InvalidArgumentError`.
 */
export function applyControlOptions<
  Control extends WebSocketControl,
  Options extends WebSocketControlOptions,
>(
  control: Control,
  options: Options,
  order: ApplyControlOptionsOrder<Control, Options> = NO_ORDER,
): void {
  // Runs each time a socket's control is first made (lazily, from its shared snapshot, mostly
  // empty options): indexed loops over Object.keys, no entry arrays, nothing copied.
  const { supportedProtocols, ignorableServerCertificateErrors } = options;
  if (supportedProtocols !== undefined || ignorableServerCertificateErrors !== undefined) {
    setLists(control, supportedProtocols, ignorableServerCertificateErrors);
  }
  const source = options as Readonly<Record<string, unknown>>;
  const target = control as unknown as Record<string, unknown>;
  order.first?.(control, options);
  const first = order.firstKeys;
  const keys = Object.keys(options);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    if (
      key === "supportedProtocols" ||
      key === "ignorableServerCertificateErrors" ||
      first?.includes(key) === true
    ) {
      continue;
    }
    if (!(key in control) || order.readOnly?.includes(key) === true) {
      throw new InvalidArgumentError(`unknown control option ${key}`);
    }
    const value = source[key];
    if (value !== undefined) target[key] = value;
  }
}
