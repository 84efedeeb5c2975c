import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { TlsOptions } from "node:tls";
import { InvalidArgumentError, InvalidStateError } from "@netsockets/errors";
import {
  type AcceptedUpgrade,
  parametersOfAnswer,
  perMessageDeflateNegotiator,
  SocketSslErrorSeverity,
  type TypedEventListener,
  TypedEventTarget,
  UpgradeServer,
  type UpgradeServerCloseOptions,
  type UpgradeServerOptions,
} from "@netsockets/node";
import { StreamWebSocketConnectionReceivedEventArgs } from "./connection-received-event-args.js";
import { adoptAcceptedSocket, StreamWebSocket } from "./stream-web-socket.js";
import {
  type ServerCertificate,
  StreamWebSocketListenerControl,
  type StreamWebSocketListenerControlOptions,
} from "./stream-web-socket-listener-control.js";

/** Node TLS options for a {@link ServerCertificate}. */
function tlsOptions(certificate: ServerCertificate): TlsOptions {
  const passphrase =
    certificate.passphrase === undefined ? {} : { passphrase: certificate.passphrase };
  if ("pfx" in certificate) return { pfx: Buffer.from(certificate.pfx), ...passphrase };
  const asPem = (value: string | Uint8Array) =>
    typeof value === "string" ? value : Buffer.from(value);
  return { key: asPem(certificate.key), cert: asPem(certificate.cert), ...passphrase };
}

/** The events of a {@link StreamWebSocketListener}. */
export interface StreamWebSocketListenerEventMap {
  /** A client connected; `args.socket` is the accepted `StreamWebSocket`. */
  connectionreceived: StreamWebSocketConnectionReceivedEventArgs;
}

/**
 * Facts about a listener (modelled on `StreamSocketListenerInformation`): the bound port and
 * address, `null` until bound.
 */
export class StreamWebSocketListenerInformation {
  readonly #address: () => { address: string; port: number } | null;

  /** Made by its listener (`listener.information`). */
  constructor(address: () => { address: string; port: number } | null) {
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

/** A service: a port number or its decimal string; 0 / `"0"` picks a free port. */
function parseService(service: string | number): number {
  const port =
    typeof service === "number" ? service : /^\d{1,5}$/.test(service) ? Number(service) : NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new InvalidArgumentError(`${String(service)} is not a port number`);
  }
  return port;
}

/**
 * A WebSocket server handing out `StreamWebSocket`s — the server side WinRT lacks, modelled on
 * `StreamSocketListener` (design §3). Bind it with {@link bindServiceNameAsync} /
 * {@link bindEndpointAsync} (serving `wss://` when `control.serverCertificate` is set), or attach
 * it to an existing `http`/`https` server with {@link handleUpgrade}. Each accepted connection
 * raises `connectionreceived` with a connected socket that has the client's API.
 *
 * Upgrades are validated (RFC 6455 §4.2.1), checked against `control.allowedOrigins` and
 * `control.upgradeHook`, and refused with `503` while no `connectionreceived` listener is
 * attached (nobody would own the socket). {@link close} is graceful: new upgrades get `503`,
 * open sockets are closed with 1001 and, after the timeout, destroyed.
 *
 * @example
 * ```ts
 * const listener = new StreamWebSocketListener();
 * listener.addEventListener("connectionreceived", ({ socket }) => {
 *   // Echo: every byte read goes back (as one binary message per read).
 *   void (async () => {
 *     const buffer = new Uint8Array(64 * 1024);
 *     for (;;) {
 *       const bytes = await socket.inputStream.readAsync(buffer, buffer.length, InputStreamOptions.partial);
 *       if (bytes.length === 0) break; // the client closed
 *       await socket.outputStream.writeAsync(bytes);
 *     }
 *   })();
 * });
 * await listener.bindServiceNameAsync("0");
 * console.log(`ws://127.0.0.1:${listener.information.localPort}/`);
 * ```
 */
export class StreamWebSocketListener
  extends TypedEventTarget<StreamWebSocketListenerEventMap>
  implements Disposable, AsyncDisposable
{
  readonly #control: StreamWebSocketListenerControl;
  readonly #information: StreamWebSocketListenerInformation;
  #server: UpgradeServer | undefined;
  #bound = false;
  #closing: Promise<void> | undefined;

  /** Creates an unbound listener; `options` pre-sets `control` properties. */
  constructor(options: StreamWebSocketListenerControlOptions = {}) {
    super();
    this.#control = new StreamWebSocketListenerControl(() => this.#server !== undefined, options);
    this.#information = new StreamWebSocketListenerInformation(() => {
      const address = this.#server?.address();
      return address == null ? null : { address: address.address, port: address.port };
    });
  }

  /** What the listener accepts and how its sockets are set up. */
  get control(): StreamWebSocketListenerControl {
    return this.#control;
  }

  /** The bound port and address. */
  get information(): StreamWebSocketListenerInformation {
    return this.#information;
  }

  /** The `connectionreceived` listener slot. */
  get onconnectionreceived(): TypedEventListener<
    StreamWebSocketConnectionReceivedEventArgs,
    "connectionreceived",
    this
  > | null {
    return this.getEventHandler("connectionreceived");
  }
  set onconnectionreceived(listener: TypedEventListener<
    StreamWebSocketConnectionReceivedEventArgs,
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
    const socket = new StreamWebSocket(this.#control.socketOptions());
    adoptAcceptedSocket(
      socket,
      {
        localAddress: upgrade.localAddress,
        protocol: upgrade.protocol,
        serverCertificate: null,
        serverCertificateErrors: [],
        serverCertificateErrorSeverity: SocketSslErrorSeverity.none,
        serverIntermediateCertificates: [],
        perMessageDeflate: parametersOfAnswer(upgrade.extensions),
      },
      (connection, handler, options) => upgrade.start(connection, handler, options),
    );
    // The driver dispatches its first frame a microtask after start: every listener below runs
    // (synchronously) before that; bytes that arrive then wait in the socket's input buffer.
    this.dispatchTypedEvent(
      "connectionreceived",
      new StreamWebSocketConnectionReceivedEventArgs(socket, upgrade.request),
    );
  }
}
