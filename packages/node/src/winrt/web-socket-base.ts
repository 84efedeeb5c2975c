import {
  InvalidArgumentError,
  InvalidStateError,
  isSendableCloseCode,
  OperationCanceledError,
} from "@netsockets/errors";
import { type Extension, MAX_CLOSE_REASON_BYTES } from "@netsockets/protocol";
import { ConnectCancellation } from "../connect/connect-cancellation.js";
import type { ConnectOptions } from "../connect/connect-options.js";
import { type ConnectedTransport, connectTransport } from "../connect/open-websocket-transport.js";
import { createDriver, type Driver } from "../driver/driver.js";
import type { DriverConnection, DriverHandler, DriverOptions } from "../driver/driver-types.js";
import type { WebSocketClosedEventArgs } from "./closed-event-args.js";
import { type TypedEventListener, TypedEventTarget } from "./event-target.js";
import type { WebSocketServerCustomValidationRequestedEventArgs } from "./server-custom-validation.js";
import type { WebSocketControl } from "./web-socket-control.js";
import type { ConnectedInformation } from "./web-socket-information.js";

/**
 * The lifecycle of a socket: `idle` (new, or after a failed connect), `connecting`, `open` (the
 * connection runs, closing handshake included), `closed` (single use: nothing more is possible).
 */
export type WebSocketPhase = "idle" | "connecting" | "open" | "closed";

/** The events every socket kind raises (a subclass's event map adds its own). */
export interface WebSocketBaseEventMap {
  /** The closing handshake ended (or our close got no answer: 1006). Never for an abrupt loss. */
  closed: WebSocketClosedEventArgs;
  /** A `wss:` connect: the default certificate validation passed; a listener may `reject()`. */
  servercustomvalidationrequested: WebSocketServerCustomValidationRequestedEventArgs;
}

/**
 * Makes the driver that pumps `connection` (a connected transport's, or an accepted upgrade's).
 * `options` is made for this one call (a kind passes a fresh `socketDriverOptions` object): the
 * function may complete it, as a client's adds the handshake's leftover bytes.
 */
export type StartDriver = (
  connection: DriverConnection,
  handler: DriverHandler,
  options: DriverOptions,
) => Driver;

/**
 * What a socket kind supplies to {@link connectWebSocket}: one module-level object per kind whose
 * functions read and write the socket's own `#private` state. The state stays in the socket
 * class: a base class with fields would cost every construction one more field initializer
 * (about 10 ns, measured), and a socket holds no closure or field for this object.
 */
export interface WebSocketKind<Socket> {
  /**
   * Starts the connection once the opening handshake succeeded: builds the protocol
   * `Connection`, sets the phase to `open` and makes the driver with `start`. `connected` is the
   * upgraded transport itself (socket and buffers included): keep only `connectionFacts(connected)`.
   */
  attach(socket: Socket, connected: ConnectedInformation, start: StartDriver): void;
  /** The socket's control (made on first use), read for the connect options. */
  control(socket: Socket): WebSocketControl;
  /**
   * The connect options of a socket without a control of its own yet (on its kind's shared
   * snapshot: {@link snapshotConnectOptions}), so that connecting does not make one; `undefined`
   * (or absent): they are read from {@link control}.
   */
  sharedConnectOptions?(socket: Socket): ConnectOptions | undefined;
  /** The socket's phase, or `"accepted"` for a socket a listener handed out (it never connects). */
  phase(socket: Socket): WebSocketPhase | "accepted";
  /**
   * Sets the phase of a client socket and the cancellation `close()` aborts a pending connect
   * with (`undefined`: none).
   */
  setPhase(
    socket: Socket,
    phase: WebSocketPhase,
    connectAbort: ConnectCancellation | undefined,
  ): void;
}

/** Handshake headers `setRequestHeader` refuses: the handshake sets them itself. */
const RESERVED_HEADERS = new Set(["host", "upgrade", "connection"]);
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * A socket of any kind, as {@link connectWebSocket} takes it: the listener members take
 * `this`-typed listeners of the kind's event map, which makes a subclass unassignable to the
 * base with any other map.
 */
type AnyWebSocket = Pick<WebSocketBase<WebSocketBaseEventMap>, "close">;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** `base` with the socket's own parts: its request headers and its certificate validation hook. */
let socketConnectOptions: (
  socket: WebSocketBase<WebSocketBaseEventMap>,
  base: ConnectOptions,
  requestHeaders: ReadonlyMap<string, { name: string; value: string }> | undefined,
) => ConnectOptions;

const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});
const NO_DEFLATE_OPTIONS = Object.freeze({});

/**
 * The connect options a control's settings make (internal), without what belongs to one socket
 * (request headers, the validation hook): frozen, lists copied. Plain assignments, not
 * conditional spreads.
 */
export function controlConnectOptions(c: WebSocketControl): ConnectOptions {
  const options: Mutable<ConnectOptions> = {
    supportedProtocols: Object.freeze([...c.supportedProtocols]),
    ignorableServerCertificateErrors: Object.freeze([...c.ignorableServerCertificateErrors]),
    requestHeaders: NO_HEADERS,
    noDelay: c.noDelay,
    connectTimeoutMs: c.connectTimeoutMs,
    handshakeTimeoutMs: c.handshakeTimeoutMs,
    followRedirects: c.followRedirects,
  };
  if (c.clientCertificate !== null) options.clientCertificate = c.clientCertificate;
  if (c.serverCredential !== null) options.serverCredential = c.serverCredential;
  if (c.proxyCredential !== null) options.proxyCredential = c.proxyCredential;
  if (c.ca !== null) options.ca = c.ca;
  if (c.lookup !== null) options.lookup = c.lookup;
  if (c.proxy !== null) options.proxy = c.proxy;
  if (c.origin !== null) options.origin = c.origin;
  if (c.perMessageDeflate) options.perMessageDeflate = NO_DEFLATE_OPTIONS;
  return Object.freeze(options);
}

const connectOptionsBySnapshot = new WeakMap<object, ConnectOptions>();

/**
 * The connect options of every socket still on the shared control snapshot `snapshot` (internal
 * to the socket kinds' {@link WebSocketKind.sharedConnectOptions}): made once per snapshot from
 * a control `templateControl` builds of its options, so a socket's connect makes no control of
 * its own (the control object and its validation were ≈ 1 % of a client opening connections).
 */
export function snapshotConnectOptions<Options extends object>(
  snapshot: { readonly options: Readonly<Options> },
  templateControl: (options: Readonly<Options>) => WebSocketControl,
): ConnectOptions {
  let options = connectOptionsBySnapshot.get(snapshot);
  if (options === undefined) {
    options = controlConnectOptions(templateControl(snapshot.options));
    connectOptionsBySnapshot.set(snapshot, options);
  }
  return options;
}

/**
 * The members `MessageWebSocket` and `StreamWebSocket` share that need none of their state: the
 * `closed` and `servercustomvalidationrequested` slots and `[Symbol.dispose]` (reference §4,
 * §8). The lifecycle both kinds share is in the functions next to it — {@link connectWebSocket}
 * (the whole `connectAsync`), {@link checkCloseArguments} and {@link closeWebSocketConnection}
 * (`close()`), {@link checkRequestHeader} (`setRequestHeader`) and {@link readyWebSocketDriver}
 * (what a send gets) — which each kind calls from its own members with its own state.
 *
 * The base has no field on purpose: on Node 20 every class level with fields costs each
 * construction one more field initializer call (a server makes a socket per accepted
 * connection); a level without fields and with an explicit constructor costs nothing.
 *
 * @example
 * ```ts
 * const socket = new MessageWebSocket(); // or new StreamWebSocket(): both extend WebSocketBase
 * socket.onclosed = (args) => console.log("closed", args.code, args.reason);
 * await socket.connectAsync("wss://echo.example/");
 * socket.close(1000, "done");
 * ```
 */
export abstract class WebSocketBase<
    Events extends { [K in keyof Events]: object } & WebSocketBaseEventMap,
  >
  extends TypedEventTarget<Events>
  implements Disposable
{
  /** Made by a subclass's constructor. */
  // biome-ignore lint/complexity/noUselessConstructor: a default derived constructor spreads its arguments; this one is inlined (construction is on the accept path).
  constructor() {
    super();
  }

  /** The `closed` listener slot. */
  get onclosed(): TypedEventListener<Events["closed"], "closed", this> | null {
    return this.getEventHandler("closed");
  }
  set onclosed(listener: TypedEventListener<Events["closed"], "closed", this> | null) {
    this.setEventHandler("closed", listener);
  }

  /** The `servercustomvalidationrequested` listener slot. */
  get onservercustomvalidationrequested(): TypedEventListener<
    Events["servercustomvalidationrequested"],
    "servercustomvalidationrequested",
    this
  > | null {
    return this.getEventHandler("servercustomvalidationrequested");
  }
  set onservercustomvalidationrequested(listener: TypedEventListener<
    Events["servercustomvalidationrequested"],
    "servercustomvalidationrequested",
    this
  > | null,) {
    this.setEventHandler("servercustomvalidationrequested", listener);
  }

  /**
   * Closes the socket (see the socket kind's `close`). Declared here for
   * {@link WebSocketBase.[Symbol.dispose]}.
   */
  abstract close(code?: number, reason?: string): void;

  /** `using socket = new MessageWebSocket()` (or `StreamWebSocket`) closes it (an empty close frame). */
  [Symbol.dispose](): void {
    this.close();
  }

  static {
    socketConnectOptions = (socket, base, requestHeaders) => {
      const validation = socket.hasEventListeners("servercustomvalidationrequested");
      if ((requestHeaders === undefined || requestHeaders.size === 0) && !validation) return base;
      const options: Mutable<ConnectOptions> = Object.assign({}, base);
      if (requestHeaders !== undefined && requestHeaders.size > 0) {
        const headers: Record<string, string> = {};
        for (const { name, value } of requestHeaders.values()) headers[name] = value;
        options.requestHeaders = headers;
      }
      if (validation) {
        options.onServerCustomValidation = (args) => {
          socket.dispatchTypedEvent("servercustomvalidationrequested", args);
        };
      }
      return options;
    };
  }
}

/**
 * The checks of both sockets' `setRequestHeader(headerName, headerValue)` (internal to them), in
 * their order; returns the lower-case key the header is kept under. `locked`: the socket is a
 * listener's or left `idle`.
 *
 * @throws InvalidArgumentError for a name that is not an HTTP token, a value with CR, LF or NUL,
 *   or one of the handshake's own headers; InvalidStateError when `locked`.
 */
export function checkRequestHeader(
  headerName: string,
  headerValue: string,
  locked: boolean,
): string {
  if (typeof headerName !== "string" || !TOKEN.test(headerName)) {
    throw new InvalidArgumentError(`invalid header name ${String(headerName)}`);
  }
  if (typeof headerValue !== "string" || /[\r\n\0]/.test(headerValue)) {
    throw new InvalidArgumentError(`invalid value for header ${headerName}`);
  }
  const key = headerName.toLowerCase();
  if (RESERVED_HEADERS.has(key) || key.startsWith("sec-websocket-")) {
    throw new InvalidArgumentError(`${headerName} is set by the WebSocket handshake`);
  }
  if (locked) {
    throw new InvalidStateError("setRequestHeader must be called before connectAsync");
  }
  return key;
}

/**
 * The `connectAsync` of both socket kinds (internal to them): checks the phase, opens the
 * transport (DNS, TCP, TLS, proxy, the opening handshake with the control's settings) under a
 * signal `close()` can abort, and hands the connected transport to `kind.attach`. A failed
 * connect leaves the socket reusable (reference §17.2), unless `close()` ended it.
 *
 * @throws InvalidStateError (rejected) while connecting or connected (`ERR_INVALID_STATE`),
 *   after `close()` (`ERR_OBJECT_CLOSED`), and always on a socket a listener handed out.
 */
export async function connectWebSocket<Socket extends AnyWebSocket>(
  socket: Socket,
  uri: string | URL,
  options: { readonly signal?: AbortSignal | undefined },
  requestHeaders: ReadonlyMap<string, { name: string; value: string }> | undefined,
  kind: WebSocketKind<Socket>,
): Promise<void> {
  const phase = kind.phase(socket);
  if (phase === "accepted") {
    throw new InvalidStateError("this socket was accepted by a listener: it is already connected");
  }
  if (phase === "closed") {
    throw new InvalidStateError("the socket is closed; create a new one", {
      code: "ERR_OBJECT_CLOSED",
    });
  }
  if (phase !== "idle") {
    throw new InvalidStateError(
      phase === "connecting" ? "connectAsync is already in progress" : "already connected",
    );
  }
  // One cancellation for the caller's signal and close(): no AbortController, AbortSignal.any
  // or per-stage abort listener per connect (bench RESULTS, workload 6).
  const cancellation = new ConnectCancellation(options.signal);
  kind.setPhase(socket, "connecting", cancellation);
  let transport: ConnectedTransport;
  try {
    const connectOptions = socketConnectOptions(
      socket as AnyWebSocket as WebSocketBase<WebSocketBaseEventMap>,
      kind.sharedConnectOptions?.(socket) ?? controlConnectOptions(kind.control(socket)),
      requestHeaders,
    );
    transport = await connectTransport(uri, connectOptions, cancellation, false);
  } catch (error) {
    // A failed connect leaves the socket reusable (reference §17.2), unless close() ended it.
    const now = kind.phase(socket) as WebSocketPhase;
    kind.setPhase(socket, now === "connecting" ? "idle" : now, undefined);
    throw error;
  } finally {
    cancellation.release();
  }
  const now = kind.phase(socket) as WebSocketPhase;
  kind.setPhase(socket, now, undefined);
  if (now !== "connecting") {
    // close() came while the handshake was completing.
    transport.socket.destroy();
    throw new OperationCanceledError("the socket was closed while connecting");
  }
  // The transport is a ConnectedInformation: the kind's connectionFacts copies only those fields.
  kind.attach(socket, transport, (connection, handler, driverOptions) =>
    createDriver(transport.socket, connection, handler, withHead(driverOptions, transport.head)),
  );
}

/**
 * `options` with the handshake's leftover bytes, added in place: a kind hands its start function
 * a fresh `socketDriverOptions` object (see {@link StartDriver}). On Node 20,
 * `{ ...options, head }` costs ≈ 1 µs — a spread followed by a property misses V8's clone fast
 * path — against ≈ 10 ns for adding the property (measured on this object's shape).
 */
function withHead(options: DriverOptions, head: Uint8Array): DriverOptions {
  (options as { head?: Uint8Array }).head = head;
  return options;
}

/**
 * The argument checks of both sockets' `close(code, reason)` (internal to them).
 *
 * @throws InvalidArgumentError when `code` may not be sent (RFC 6455 §7.4: 1000–1003, 1007–1014,
 *   3000–4999) or `reason` is over 123 UTF-8 bytes, or a reason is given without a code.
 */
export function checkCloseArguments(code: number | undefined, reason: string | undefined): void {
  if (code === undefined) {
    if (reason !== undefined && reason !== "") {
      throw new InvalidArgumentError("a close reason needs a close code");
    }
  } else {
    if (!isSendableCloseCode(code)) {
      throw new InvalidArgumentError(`close code ${String(code)} may not be sent`);
    }
    if (reason !== undefined && typeof reason !== "string") {
      throw new InvalidArgumentError("the close reason must be a string");
    }
    // "the body MAY contain UTF-8-encoded data with value /reason/" within a 125-byte payload.
    // @see https://www.rfc-editor.org/rfc/rfc6455#section-5.5.1
    if (reason !== undefined && Buffer.byteLength(reason, "utf8") > MAX_CLOSE_REASON_BYTES) {
      throw new InvalidArgumentError(
        `the close reason is over ${MAX_CLOSE_REASON_BYTES} UTF-8 bytes`,
      );
    }
  }
}

/**
 * The rest of `close()` once the socket is marked closed (internal to the socket kinds): an open
 * connection (`phase` before the close) starts its closing handshake with `code` and `reason`;
 * a pending connect is cancelled.
 */
export function closeWebSocketConnection(
  phase: WebSocketPhase,
  driver: Driver | undefined,
  connectAbort: ConnectCancellation | undefined,
  code: number | undefined,
  reason: string | undefined,
): void {
  if (phase === "open") {
    driver?.close(code, code === undefined ? undefined : (reason ?? ""));
  } else if (phase === "connecting") {
    connectAbort?.abort(new OperationCanceledError("the socket was closed while connecting"));
  }
}

/**
 * The driver to send with, or the error a send gets now (internal to the socket kinds, on every
 * send: a plain function of the two values, as cheap as the private method it replaces).
 */
export function readyWebSocketDriver(
  driver: Driver | undefined,
  phase: WebSocketPhase,
): Driver | Error {
  // Once the connection ended, the driver's sends reject with why it ended.
  if (driver !== undefined && (phase !== "closed" || driver.state === "closed")) {
    return driver;
  }
  if (phase === "closed") {
    return new InvalidStateError("the socket is closed", { code: "ERR_OBJECT_CLOSED" });
  }
  return new InvalidStateError("the socket is not connected: call connectAsync first");
}

/**
 * What a socket's driver runs with, read from its control when it connects (both socket kinds;
 * a kind's snapshot of its control adds its own values).
 */
export type DriverControlValues = Pick<
  WebSocketControl,
  | "closeTimeoutMs"
  | "sendTimeoutMs"
  | "messageTimeoutMs"
  | "outboundBufferSizeInBytes"
  | "desiredUnsolicitedPongInterval"
  | "pingIntervalMs"
  | "pingTimeoutMs"
>;

/** The {@link DriverControlValues} of `control`, for a kind's frozen control snapshot. */
export function driverControlValues(control: WebSocketControl): DriverControlValues {
  return {
    closeTimeoutMs: control.closeTimeoutMs,
    sendTimeoutMs: control.sendTimeoutMs,
    messageTimeoutMs: control.messageTimeoutMs,
    outboundBufferSizeInBytes: control.outboundBufferSizeInBytes,
    desiredUnsolicitedPongInterval: control.desiredUnsolicitedPongInterval,
    pingIntervalMs: control.pingIntervalMs,
    pingTimeoutMs: control.pingTimeoutMs,
  };
}

/**
 * The options a socket starts its driver with: its control's values and the extensions the
 * handshake negotiated (the driver `close()`s them — frees zlib — once the connection ended).
 */
export function socketDriverOptions(
  values: DriverControlValues,
  extensions: readonly Extension[],
): DriverOptions {
  return {
    closeTimeoutMs: values.closeTimeoutMs,
    sendTimeoutMs: values.sendTimeoutMs,
    messageTimeoutMs: values.messageTimeoutMs,
    outboundBufferSizeInBytes: values.outboundBufferSizeInBytes,
    desiredUnsolicitedPongIntervalMs: values.desiredUnsolicitedPongInterval,
    pingIntervalMs: values.pingIntervalMs,
    pingTimeoutMs: values.pingTimeoutMs,
    extensions,
  };
}
