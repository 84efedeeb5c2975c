import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { TlsOptions } from "node:tls";
import { InvalidArgumentError, InvalidStateError } from "@netsockets/errors";
import { parametersOfAnswer, perMessageDeflateNegotiator } from "../deflate/deflate-negotiation.js";
import { UpgradeServer } from "../server/upgrade-server.js";
import type {
  AcceptedUpgrade,
  UpgradeServerCloseOptions,
  UpgradeServerOptions,
} from "../server/upgrade-server-types.js";
import { SocketSslErrorSeverity } from "./chain-validation-result.js";
import { type TypedEventListener, TypedEventTarget } from "./event-target.js";
import type { ConnectedInformation } from "./web-socket-information.js";
import type { ServerCertificate, WebSocketListenerControl } from "./web-socket-listener-control.js";

/** Node TLS options for a {@link ServerCertificate}. */
function tlsOptions(certificate: ServerCertificate): TlsOptions {
  const passphrase =
    certificate.passphrase === undefined ? {} : { passphrase: certificate.passphrase };
  if ("pfx" in certificate) return { pfx: Buffer.from(certificate.pfx), ...passphrase };
  const asPem = (value: string | Uint8Array) =>
    typeof value === "string" ? value : Buffer.from(value);
  return { key: asPem(certificate.key), cert: asPem(certificate.cert), ...passphrase };
}

/** A service: a port number or its decimal string; 0 / `"0"` picks a free port. */
function parseService(service: string | number): number {
  const port =
    typeof service === "number" ? service : /^\d{1,5}$/.test(service) ? Number(service) : NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new InvalidArgumentError(`${String(service)} is not a port number`);
  }
  return port;
}

/** Where a listener is bound, `null` before bind. */
export type ListenerAddress = () => { address: string; port: number } | null;

/**
 * Facts about a listener (modelled on `StreamSocketListenerInformation`): the bound port and
 * address, `null` until bound. Each socket package exports its own subclass under its
 * listener's name.
 */
export class WebSocketListenerInformation {
  readonly #address: ListenerAddress;

  /** Made by its listener (`listener.information`). */
  constructor(address: ListenerAddress) {
    this.#address = address;
  }

  /** The local port the listener is bound to (a number); `null` before bind. */
  get localPort(): number | null {
    return this.#address()?.port ?? null;
  }

  /** The local address the listener is bound to; `null` before bind. */
  get localAddress(): string | null {
    return this.#address()?.address ?? null;
  }
}

/**
 * What an accepted upgrade tells an accepted socket's information: the local address, the
 * subprotocol and permessage-deflate parameters agreed; no server certificate (we are the
 * server).
 */
export function acceptedConnectionInformation(upgrade: AcceptedUpgrade): ConnectedInformation {
  const extensions = upgrade.extensions;
  return {
    localAddress: upgrade.localAddress,
    protocol: upgrade.protocol,
    serverCertificate: null,
    serverCertificateErrors: NO_ITEMS,
    serverCertificateErrorSeverity: SocketSslErrorSeverity.none,
    serverIntermediateCertificates: NO_ITEMS,
    perMessageDeflate: extensions.length === 0 ? null : parametersOfAnswer(extensions),
  };
}

/** The empty lists of an accepted socket's information (shared: nothing is ever added). */
const NO_ITEMS: readonly never[] = Object.freeze([]);

/**
 * What a {@link WebSocketListener} subclass supplies: one module-level object per socket kind, so
 * that a listener holds no closure of its own and an accepted connection costs no more than a
 * socket and its event args.
 */
export interface WebSocketListenerKind<
  Options,
  Control extends WebSocketListenerControl,
  Information extends WebSocketListenerInformation,
  Args extends object,
> {
  /** Makes the listener's control from its options; `started`: the server exists (bound). */
  control(started: () => boolean, options: Options): Control;
  /** Makes the listener's information; `address`: where it is bound, `null` before. */
  information(address: ListenerAddress): Information;
  /**
   * Turns an accepted upgrade into a connected socket of the kind (see
   * {@link acceptedConnectionInformation}) and returns the args of its `connectionreceived`.
   */
  accept(upgrade: AcceptedUpgrade, control: Control): Args;
  /** Called once every `connectionreceived` listener has returned (optional). */
  dispatched?(args: Args): void;
}

/**
 * The part `MessageWebSocketListener` and `StreamWebSocketListener` share — a WebSocket server
 * over {@link UpgradeServer}, modelled on `StreamSocketListener` (design §3): binding with
 * {@link bindServiceNameAsync} / {@link bindEndpointAsync} (serving `wss://` when
 * `control.serverCertificate` is set), attaching to an existing `http`/`https` server with
 * {@link handleUpgrade}, the `connectionreceived` slot, and the graceful {@link close}. A subclass
 * passes its {@link WebSocketListenerKind}: how to make its control and information, and how an
 * accepted upgrade becomes its socket kind.
 *
 * Upgrades are validated (RFC 6455 §4.2.1), checked against `control.allowedOrigins` and
 * `control.upgradeHook`, and refused with `503` while no `connectionreceived` listener is
 * attached (nobody would own the socket). {@link close} is graceful: new upgrades get `503`,
 * open sockets are closed with 1001 and, after the timeout, destroyed.
 *
 * @example
 * ```ts
 * const listener = new MessageWebSocketListener(); // or new StreamWebSocketListener()
 * listener.addEventListener("connectionreceived", ({ socket }) => socket.close(1000, "bye"));
 * await listener.bindServiceNameAsync("0");
 * console.log(`ws://127.0.0.1:${listener.information.localPort}/`);
 * ```
 */
export class WebSocketListener<
    Options,
    Control extends WebSocketListenerControl,
    Information extends WebSocketListenerInformation,
    Events extends { [K in keyof Events]: object } & { connectionreceived: object },
  >
  extends TypedEventTarget<Events>
  implements Disposable, AsyncDisposable
{
  readonly #kind: WebSocketListenerKind<
    Options,
    Control,
    Information,
    Events["connectionreceived"]
  >;
  readonly #control: Control;
  readonly #information: Information;
  #server: UpgradeServer | undefined;
  #bound = false;
  #closing: Promise<void> | undefined;

  /** Made by a subclass's constructor, with its socket kind and the listener's options. */
  constructor(
    kind: WebSocketListenerKind<Options, Control, Information, Events["connectionreceived"]>,
    options: Options,
  ) {
    super();
    this.#kind = kind;
    this.#control = kind.control(() => this.#server !== undefined, options);
    this.#information = kind.information(() => {
      const address = this.#server?.address();
      return address == null ? null : { address: address.address, port: address.port };
    });
  }

  /** What the listener accepts and how its sockets are set up. */
  get control(): Control {
    return this.#control;
  }

  /** The bound port and address. */
  get information(): Information {
    return this.#information;
  }

  /** The `connectionreceived` listener slot. */
  get onconnectionreceived(): TypedEventListener<
    Events["connectionreceived"],
    "connectionreceived",
    this
  > | null {
    return this.getEventHandler("connectionreceived");
  }
  set onconnectionreceived(listener: TypedEventListener<
    Events["connectionreceived"],
    "connectionreceived",
    this
  > | null,) {
    this.setEventHandler("connectionreceived", listener);
  }

  /**
   * Listens on every local interface on `service` (a port number or its string; `"0"` picks a
   * free one — read it from `information.localPort`).
   */
  bindServiceNameAsync(service: string | number): Promise<void> {
    return this.#bind(undefined, service);
  }

  /** Listens on `host` (an IP address or name, e.g. `"127.0.0.1"`) and `service`. */
  bindEndpointAsync(host: string, service: string | number): Promise<void> {
    if (typeof host !== "string" || host === "") {
      return Promise.reject(new InvalidArgumentError("host must be a non-empty string"));
    }
    return this.#bind(host, service);
  }

  /**
   * Takes an upgrade from an existing `http`/`https` server's `upgrade` event (the listener need
   * not be bound): `server.on("upgrade", (req, socket, head) => listener.handleUpgrade(req, socket, head))`.
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Uint8Array): void {
    this.#upgradeServer().handleUpgrade(req, socket, head);
  }

  /**
   * Graceful close: stops accepting (new upgrades get `503`), closes every accepted socket with
   * `code` (default 1001 "going away"), waits for them, destroys what is left after `timeoutMs`
   * (default 10 000), and stops listening. Resolves when everything is closed. Idempotent.
   */
  close(options: UpgradeServerCloseOptions = {}): Promise<void> {
    this.#closing ??= this.#upgradeServer().close(options);
    return this.#closing;
  }

  /** `using listener = …`: starts the graceful close. */
  [Symbol.dispose](): void {
    void this.close();
  }

  /** `await using listener = …`: closes gracefully and waits. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #bind(host: string | undefined, service: string | number): Promise<void> {
    const port = parseService(service);
    if (this.#closing !== undefined) {
      throw new InvalidStateError("the listener is closed", { code: "ERR_OBJECT_CLOSED" });
    }
    if (this.#bound) throw new InvalidStateError("the listener is already bound");
    this.#bound = true;
    try {
      await this.#upgradeServer().listen(host === undefined ? { port } : { host, port });
    } catch (error) {
      this.#bound = false;
      throw error;
    }
  }

  #upgradeServer(): UpgradeServer {
    if (this.#server !== undefined) return this.#server;
    const control = this.#control;
    const certificate = control.serverCertificate;
    const options: UpgradeServerOptions = {
      get supportedProtocols() {
        return control.supportedProtocols;
      },
      onUpgrade: (request) => {
        if (!this.hasEventListeners("connectionreceived")) {
          return { accept: false, status: 503, reason: "No connectionreceived listener" };
        }
        return control.upgradeHook?.(request);
      },
      onConnection: (upgrade) => this.#accept(upgrade),
      handshakeTimeoutMs: control.handshakeTimeoutMs,
      maxHeaderSize: control.maxHeaderSize,
      maxHeadersCount: control.maxHeadersCount,
      ...(certificate === null ? {} : { tls: tlsOptions(certificate) }),
    };
    // Read at each handshake, so later changes apply to later connections.
    Object.defineProperty(options, "allowedOrigins", {
      get: () => control.allowedOrigins ?? undefined,
      enumerable: true,
    });
    // permessage-deflate: offers are declined unless control.perMessageDeflate (read each time).
    const negotiate = perMessageDeflateNegotiator();
    Object.defineProperty(options, "negotiateExtensions", {
      get: () => (control.perMessageDeflate ? negotiate : undefined),
      enumerable: true,
    });
    Object.defineProperty(options, "noDelay", {
      get: () => control.noDelay,
      enumerable: true,
    });
    this.#server = new UpgradeServer(options);
    return this.#server;
  }

  #accept(upgrade: AcceptedUpgrade): void {
    const kind = this.#kind;
    const args = kind.accept(upgrade, this.#control);
    // The driver dispatches its first frame a microtask after start: every listener runs
    // (synchronously) before that, and may still set the socket up.
    this.dispatchTypedEvent("connectionreceived", args);
    kind.dispatched?.(args);
  }
}
