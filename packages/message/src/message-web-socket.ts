import { isUtf8 } from "node:buffer";
import type { IOutputStream } from "@netsockets/data";
import { InvalidArgumentError, InvalidStateError, type NetSocketsError } from "@netsockets/errors";
import {
  type ConnectCancellation,
  ControlSnapshots,
  checkCloseArguments,
  checkRequestHeader,
  closeWebSocketConnection,
  connectWebSocket,
  type DataInfo,
  type Driver,
  type DriverCloseInfo,
  type DriverControlValues,
  type DriverHandler,
  type DriverOptions,
  driverControlValues,
  makeSocketControl,
  nodeConnectionOptions,
  PerMessageDeflate,
  readyWebSocketDriver,
  type ControlSnapshot as SharedControlSnapshot,
  type StartDriver,
  snapshotConnectOptions,
  socketDriverOptions,
  TEMPLATE_CONTROL_OWNER,
  type TypedEventListener,
  UINT32_MAX,
  WebSocketBase,
  WebSocketClosedEventArgs,
  type WebSocketKind,
  type WebSocketPhase,
  type WebSocketServerCustomValidationRequestedEventArgs,
} from "@netsockets/node";
import { Connection, type ConnectionOptions, MessageAssembler } from "@netsockets/protocol";
import { MessageOutputStream } from "./message-output-stream.js";
import { MessageQueue } from "./message-queue.js";
import {
  type MessageReceivedInit,
  MessageWebSocketMessageReceivedEventArgs,
  receiveErrorOf,
} from "./message-received-event-args.js";
import {
  MessageWebSocketControl,
  type MessageWebSocketControlOptions,
} from "./message-web-socket-control.js";
import {
  type ConnectedInformation,
  connectionFacts,
  MessageWebSocketInformation,
  recordConnection,
} from "./message-web-socket-information.js";
import { OutgoingUtf8 } from "./outgoing-utf8.js";
import { MessageWebSocketReceiveMode } from "./receive-mode.js";
import { SocketMessageType } from "./socket-message-type.js";

/** The events of a {@link MessageWebSocket}: lower-case names, as the WinRT JS projection has. */
export interface MessageWebSocketEventMap {
  /** A message (or, in `partialMessage` mode, a section of one) arrived; or a receive error. */
  messagereceived: MessageWebSocketMessageReceivedEventArgs;
  /** The closing handshake ended (or our close got no answer: 1006). Never for an abrupt loss. */
  closed: WebSocketClosedEventArgs;
  /** A `wss:` connect: the default certificate validation passed; a listener may `reject()`. */
  servercustomvalidationrequested: WebSocketServerCustomValidationRequestedEventArgs;
}

/** A listener of one of the {@link MessageWebSocketEventMap} events. */
export type MessageWebSocketListenerOf<K extends keyof MessageWebSocketEventMap> =
  TypedEventListener<MessageWebSocketEventMap[K], K, MessageWebSocket>;

/** Options of {@link MessageWebSocket.connectAsync}. */
export interface ConnectAsyncOptions {
  /** Cancels the connect: it rejects with `OperationCanceledError` (or `TimeoutError` for `AbortSignal.timeout`). */
  readonly signal?: AbortSignal | undefined;
}

/** Options of {@link MessageWebSocket.sendAsync}. */
export interface SendAsyncOptions {
  /**
   * The kind of message. Default: `utf8` for a string, `control.messageType` (read at the call)
   * for bytes.
   */
  readonly messageType?: SocketMessageType;
  /**
   * `false` sends this message uncompressed even when permessage-deflate was negotiated — for
   * secrets sent next to attacker-influenced data (compressed sizes leak content: BREACH).
   * Default `true` (compressed from 1024 bytes on, when negotiated).
   */
  readonly compress?: boolean;
}

/** Turns WinRT's "INFINITE" into the protocol's "no limit". */
function protocolLimit(value: number): number {
  return value === UINT32_MAX ? Number.MAX_SAFE_INTEGER : value;
}

/** Node's unzeroed allocation (the assembler fills every byte it allocates). */
const allocate = nodeConnectionOptions("server").allocate;
const NO_EXTENSIONS: readonly PerMessageDeflate[] = Object.freeze([]);

/** What a socket reads of its control when it connects (and `messageType`). */
type ControlValues = Pick<
  MessageWebSocketControl,
  "messageType" | "maxMessageSize" | "maxFragments" | "receiveMode"
> &
  DriverControlValues;

type ControlSnapshot = SharedControlSnapshot<MessageWebSocketControlOptions, ControlValues>;

/** Validates options (throws as the control's setters do) and freezes what a socket reads. */
/** A control of `options` no socket owns: for validation and for reading values. */
const templateControl = (options: MessageWebSocketControlOptions): MessageWebSocketControl =>
  new MessageWebSocketControl(TEMPLATE_CONTROL_OWNER, options);

const snapshots = new ControlSnapshots((options: MessageWebSocketControlOptions): ControlValues => {
  const c = templateControl(options);
  return {
    messageType: c.messageType,
    maxMessageSize: c.maxMessageSize,
    maxFragments: c.maxFragments,
    receiveMode: c.receiveMode,
    ...driverControlValues(c),
  };
});

/**
 * The protocol `Connection` options of a socket: its limits and extensions, and in whole-message
 * mode `wholeBinaryMessages` (a one-frame binary message comes out of the Connection whole,
 * unmasked straight into its own array, and the assembler, made on the first data, hands it on
 * without a copy; both fill every byte they allocate, so Node's unzeroed allocation is safe).
 */
function connectionOptions(
  role: "client" | "server",
  c: ControlValues,
  maxMessageSize: number,
  extensions: readonly PerMessageDeflate[],
  partial: boolean,
): ConnectionOptions {
  const options = nodeConnectionOptions(role, {
    limits: { maxMessageSize, maxFragments: protocolLimit(c.maxFragments) },
    extensions,
  });
  return partial ? options : { ...options, wholeBinaryMessages: true };
}

/** The Connection and driver options every accepted socket on the same control values gets. */
interface SharedSetup {
  readonly connection: ConnectionOptions;
  readonly driver: DriverOptions;
}

/** Per frozen control values (a listener's snapshot), what its accepted sockets share. */
const sharedServerSetups = new WeakMap<ControlValues, SharedSetup>();
/**
 * Per frozen control values (the snapshot of equal options), the Connection options its client
 * sockets without deflate share. (A client's driver options get the handshake's leftover bytes
 * added in place, so each connect makes its own.)
 */
const sharedClientConnections = new WeakMap<ControlValues, ConnectionOptions>();

/** The {@link SharedSetup} of an accepted socket without deflate on the frozen values `c`. */
function sharedServerSetup(c: ControlValues): SharedSetup {
  let setup = sharedServerSetups.get(c);
  if (setup === undefined) {
    setup = Object.freeze({
      connection: sharedConnectionOptions("server", c),
      driver: Object.freeze(socketDriverOptions(c, NO_EXTENSIONS)),
    });
    sharedServerSetups.set(c, setup);
  }
  return setup;
}

/** The Connection options of a client socket without deflate on the frozen values `c`. */
function sharedClientConnection(c: ControlValues): ConnectionOptions {
  let options = sharedClientConnections.get(c);
  if (options === undefined) {
    options = sharedConnectionOptions("client", c);
    sharedClientConnections.set(c, options);
  }
  return options;
}

/** Frozen Connection options for a socket of `role` without deflate on the values `c`. */
function sharedConnectionOptions(role: "client" | "server", c: ControlValues): ConnectionOptions {
  const partial = c.receiveMode === MessageWebSocketReceiveMode.partialMessage;
  return Object.freeze(
    connectionOptions(role, c, protocolLimit(c.maxMessageSize), NO_EXTENSIONS, partial),
  );
}

// The bits of `MessageWebSocket.#flags`.
/** Handed out by a listener: never connects. */
const ACCEPTED = 1;
/** `messagereceived` listeners and the iteration are fixed (after connect, or after close). */
const RECEIVERS_LOCKED = 1 << 1;
/** Receives partial messages (`receiveMode` was `partialMessage` when it opened). */
const PARTIAL = 1 << 2;

let Handler: new (socket: MessageWebSocket) => DriverHandler;

let adopt: (socket: MessageWebSocket, connected: ConnectedInformation, start: StartDriver) => void;
/** What `connectWebSocket` reads and writes of a message socket (one object for all of them). */
let CLIENT: WebSocketKind<MessageWebSocket>;
let lockReceivers: (socket: MessageWebSocket) => void;

/** The parts of a {@link MessageWebSocket} that most sockets never make (see its `#parts`). */
class SocketParts {
  information: MessageWebSocketInformation | undefined = undefined;
  outputStream: MessageOutputStream | undefined = undefined;
  requestHeaders: Map<string, { name: string; value: string }> | undefined = undefined;
  connectAbort: ConnectCancellation | undefined = undefined;
  queue: MessageQueue | undefined = undefined;
}

/**
 * `Windows.Networking.Sockets.MessageWebSocket` (reference/uwp-api.md §4): a WebSocket that
 * sends and receives whole messages — or sections of them — UTF-8 or binary, over `ws://` and
 * `wss://`. A client made with `new MessageWebSocket()` and `connectAsync`, or a server-side
 * socket handed out by a `MessageWebSocketListener` (same API; its `connectAsync` throws).
 *
 * Receiving: register `messagereceived` listeners (or start `for await (const args of socket)`)
 * before `connectAsync` — or, on a listener's socket, inside `connectionreceived`; adding or
 * removing them later throws `InvalidStateError` (`E_ILLEGAL_METHOD_CALL`), as in WinRT §4.5.
 * Listeners run synchronously in wire order, so a reply sent from one goes out before anything
 * the peer sent later is processed.
 *
 * Sending: `new DataWriter(socket.outputStream)` + `storeAsync()` sends one message of
 * `control.messageType` per store; `sendAsync(text | bytes)` is the shortcut;
 * `sendNonfinalFrameAsync` / `sendFinalFrameAsync` send one message in frames. Every send hands
 * its bytes to the connection before it returns and resolves once they reached the kernel.
 *
 * Ending (the termination table, README): a closing handshake from either side raises one
 * `closed` (1005 when the peer's frame had no code); our `close()` without an answer within
 * `control.closeTimeoutMs` gives `closed` 1006; a peer violation makes us send 1002/1007/1008/1009
 * and raises one last `messagereceived` whose readers throw the `ProtocolError`, then `closed`
 * with the code we sent; a TCP loss without a close frame raises no `closed` but one last
 * `messagereceived` whose readers throw `connectionAborted`, and rejects pending sends and the
 * iteration with that error.
 *
 * @example
 * ```ts
 * const socket = new MessageWebSocket();
 * socket.control.messageType = SocketMessageType.utf8;
 * socket.addEventListener("messagereceived", (args) => {
 *   const reader = args.getDataReader();
 *   console.log(reader.readString(reader.unconsumedBufferLength));
 * });
 * socket.addEventListener("closed", (args) => console.log("closed", args.code, args.reason));
 * await socket.connectAsync("wss://echo.example/");
 * const writer = new DataWriter(socket.outputStream);
 * writer.writeString("hello");
 * await writer.storeAsync(); // one text message
 * socket.close(1000, "done");
 * ```
 */
export class MessageWebSocket extends WebSocketBase<MessageWebSocketEventMap> {
  // Per-socket memory (a server holds thousands of idle sockets): the control, information,
  // output stream, request headers, outgoing UTF-8 state and message assembler are made on first
  // use. Until its control is first read, a socket shares the frozen snapshot of its (validated)
  // options with every socket made with equal ones.
  /** The socket's own control, once made (see {@link MessageWebSocket.#control}). */
  #ownControl: MessageWebSocketControl | undefined;
  /** The shared options and values the own control is made from (not for list-valued options). */
  readonly #snapshot: ControlSnapshot | undefined;
  /** What the last connect (or the accept) learned, for an information object made later. */
  #connected: ConnectedInformation | undefined;
  #phase: WebSocketPhase = "idle";
  /** ACCEPTED, RECEIVERS_LOCKED and PARTIAL (see the constants above the class): one field for three. */
  #flags = 0;
  #driver: Driver | undefined;
  /** permessage-deflate, when negotiated (for `sendAsync`'s `compress: false`). */
  #deflate: PerMessageDeflate | undefined;
  #assemblerValue: MessageAssembler | undefined;
  #maxMessageSize = 0;
  /** The type of the incoming message in progress (for the error event of a failure mid-message). */
  #incomingType: SocketMessageType = SocketMessageType.binary;
  /** The type of the outgoing message left open by `sendNonfinalFrameAsync`, or `null`. */
  #outgoingOpen: SocketMessageType | null = null;
  #outgoingUtf8Value: OutgoingUtf8 | undefined;
  /** The last send's promise, settled or not (for `outputStream.flushAsync`); none yet. */
  #lastSend: Promise<unknown> | undefined;
  /**
   * The parts most sockets never make ({@link SocketParts}: information, output stream, request
   * headers, connect cancellation, iterator queue), in one holder made by the first of them: an
   * accepted socket that only sends and receives holds one empty field instead of five. The
   * accessors below keep the call sites as fields; setting `undefined` makes no holder.
   */
  #parts: SocketParts | undefined;

  get #information(): MessageWebSocketInformation | undefined {
    return this.#parts?.information;
  }
  set #information(information: MessageWebSocketInformation) {
    this.#partsHolder().information = information;
  }
  get #outputStream(): MessageOutputStream | undefined {
    return this.#parts?.outputStream;
  }
  set #outputStream(stream: MessageOutputStream) {
    this.#partsHolder().outputStream = stream;
  }
  /** Client only: made by the first `setRequestHeader`. */
  get #requestHeaders(): Map<string, { name: string; value: string }> | undefined {
    return this.#parts?.requestHeaders;
  }
  set #requestHeaders(headers: Map<string, { name: string; value: string }>) {
    this.#partsHolder().requestHeaders = headers;
  }
  get #connectAbort(): ConnectCancellation | undefined {
    return this.#parts?.connectAbort;
  }
  set #connectAbort(abort: ConnectCancellation | undefined) {
    if (abort !== undefined || this.#parts !== undefined) this.#partsHolder().connectAbort = abort;
  }
  get #queue(): MessageQueue | undefined {
    return this.#parts?.queue;
  }
  set #queue(queue: MessageQueue | undefined) {
    if (queue !== undefined || this.#parts !== undefined) this.#partsHolder().queue = queue;
  }
  #partsHolder(): SocketParts {
    this.#parts ??= new SocketParts();
    return this.#parts;
  }

  /**
   * Creates an unconnected socket. `options` pre-sets `control` properties (the same names); the
   * control can also be changed afterwards, before `connectAsync`.
   */
  constructor(options: MessageWebSocketControlOptions = {}) {
    super();
    // Invalid options throw here either way: the snapshot is made through a control.
    const snapshot = snapshots.of(options);
    if (snapshot === undefined) this.#ownControl = this.#newControl(options);
    else this.#snapshot = snapshot;
  }

  /** The socket's settings (reference §5, §17.2); the same object for the socket's lifetime. */
  get control(): MessageWebSocketControl {
    return this.#control;
  }

  /** Facts about the connection (reference §6); readable at any time, also after close. */
  get information(): MessageWebSocketInformation {
    if (this.#information === undefined) {
      this.#information = new MessageWebSocketInformation({
        bandwidthStatistics: () => this.#driver?.bandwidthStatistics,
      });
      if (this.#connected !== undefined) recordConnection(this.#information, this.#connected);
    }
    return this.#information;
  }

  /**
   * The output stream: each `writeAsync` — so each `DataWriter.storeAsync()` — sends ONE message
   * of `control.messageType`. `flushAsync` waits for every earlier write to reach the kernel.
   * Closing it (e.g. disposing a `DataWriter` that did not `detachStream()`) makes later writes
   * fail with `ERR_OBJECT_CLOSED` (`RO_E_CLOSED`); the socket stays open.
   */
  get outputStream(): IOutputStream {
    this.#outputStream ??= new MessageOutputStream({
      send: (bytes) => this.#sendMessage(bytes, this.#control.messageType),
      flush: () => this.#flush(),
    });
    return this.#outputStream;
  }

  /**
   * Bytes accepted for sending that the kernel has not taken yet (framing included), as `ws`'s
   * `bufferedAmount`. 0 before connect.
   */
  get bufferedAmount(): number {
    return this.#driver?.bufferedAmount ?? 0;
  }

  /** The `messagereceived` listener slot. Set it before connect (as `addEventListener`). */
  get onmessagereceived(): TypedEventListener<
    MessageWebSocketEventMap["messagereceived"],
    "messagereceived",
    this
  > | null {
    return this.getEventHandler("messagereceived");
  }
  set onmessagereceived(listener: TypedEventListener<
    MessageWebSocketEventMap["messagereceived"],
    "messagereceived",
    this
  > | null) {
    this.#checkReceivers();
    this.setEventHandler("messagereceived", listener);
  }

  /**
   * Adds a listener. `messagereceived` listeners must be added before `connectAsync` completes
   * (on a listener's socket: inside `connectionreceived`); later — also after close — this
   * throws `InvalidStateError` (`ERR_INVALID_STATE`, `E_ILLEGAL_METHOD_CALL`), reference §4.5.
   */
  override addEventListener<K extends keyof MessageWebSocketEventMap & string>(
    type: K,
    listener: TypedEventListener<MessageWebSocketEventMap[K], K, this>,
  ): void {
    if (type === "messagereceived") this.#checkReceivers();
    super.addEventListener(type, listener);
  }

  /** Removes a listener; for `messagereceived` the rule of {@link addEventListener} applies. */
  override removeEventListener<K extends keyof MessageWebSocketEventMap & string>(
    type: K,
    listener: TypedEventListener<MessageWebSocketEventMap[K], K, this>,
  ): void {
    if (type === "messagereceived") this.#checkReceivers();
    super.removeEventListener(type, listener);
  }

  /**
   * Adds a header to the opening handshake request (before `connectAsync` only; a later call
   * throws `InvalidStateError`). Setting a name again replaces its value. The handshake's own
   * headers (`Host`, `Upgrade`, `Connection`, `Sec-WebSocket-*`, including
   * `Sec-WebSocket-Extensions`) are refused with `InvalidArgumentError`, as is a name that is
   * not an HTTP token or a value with CR, LF or NUL.
   */
  setRequestHeader(headerName: string, headerValue: string): void {
    const key = checkRequestHeader(
      headerName,
      headerValue,
      (this.#flags & ACCEPTED) !== 0 || this.#phase !== "idle",
    );
    this.#requestHeaders ??= new Map();
    this.#requestHeaders.set(key, { name: headerName, value: headerValue });
  }

  /**
   * Connects to an absolute `ws://` or `wss://` URI without a fragment: DNS, TCP, TLS, proxy
   * and the opening handshake with `control.supportedProtocols`. Rejects with a netsockets
   * error whose `WebSocketError.getStatus(error)` names the failure (`hostNameNotResolved`,
   * `cannotConnect`, `timeout`, `notFound`, `certificateIsInvalid`, `operationCanceled` …); the
   * socket is then reusable for another `connectAsync` (e.g. with other subprotocols).
   *
   * @throws InvalidStateError (rejected) while connecting or connected
   *   (`ERR_INVALID_STATE`), after `close()` (`ERR_OBJECT_CLOSED`), and always on a socket a
   *   listener handed out (it is already connected).
   */
  connectAsync(uri: string | URL, options: ConnectAsyncOptions = {}): Promise<void> {
    // Not `async`: the shared connect's promise is returned as it is (no second promise).
    return connectWebSocket(this, uri, options, this.#requestHeaders, CLIENT);
  }

  /**
   * Sends a whole message: a string as a UTF-8 text message, bytes as a message of
   * `control.messageType` (read now) — or of `options.messageType`. The bytes are handed to the
   * connection before this returns; the promise resolves once they reached the kernel and
   * rejects if the connection ends first. Text bytes must be valid UTF-8 (else
   * `InvalidArgumentError` `ERR_INVALID_ENCODING`). Sends made in the same tick leave in one
   * write and may return the same promise object.
   */
  sendAsync(data: string | Uint8Array, options?: SendAsyncOptions): Promise<void> {
    let type: SocketMessageType;
    let bytes: Uint8Array;
    if (typeof data === "string") {
      type = options?.messageType ?? SocketMessageType.utf8;
      // Buffer.from takes small strings' bytes from Node's shared pool; TextEncoder allocates a
      // new ArrayBuffer (and its backing store) per call. Same bytes (WHATWG UTF-8 encode).
      bytes = Buffer.from(data, "utf8");
    } else if (data instanceof Uint8Array) {
      type = options?.messageType ?? this.#control.messageType;
      bytes = data;
    } else {
      return Promise.reject(new InvalidArgumentError("data must be a string or a Uint8Array"));
    }
    if (options?.compress === false && this.#deflate !== undefined) {
      // The mark is on the array: a fresh view, so the caller's array is not marked for later sends.
      bytes = this.#deflate.doNotCompress(typeof data === "string" ? bytes : bytes.subarray());
    }
    // A string's bytes are valid UTF-8 by construction (TextEncoder).
    // The driver's promise as it is: sends handed over in the same tick may share it.
    return this.#sendWhole(bytes, type, typeof data === "string");
  }

  /**
   * Sends `data` as a frame with FIN = 1: the last frame of a message started by
   * {@link sendNonfinalFrameAsync}, or a whole message in one frame. The opcode comes from
   * `control.messageType` when the message starts. Resolves with the byte count once in the
   * kernel.
   */
  sendFinalFrameAsync(data: Uint8Array): Promise<number> {
    return this.#sendFrame(data, true);
  }

  /**
   * Sends `data` as a frame with FIN = 0: more frames of the same message follow. The first
   * frame takes its type from `control.messageType`; the message must be finished with
   * {@link sendFinalFrameAsync} before another message is sent. Text frames may end inside a
   * code point; the message as a whole must be valid UTF-8.
   */
  sendNonfinalFrameAsync(data: Uint8Array): Promise<number> {
    return this.#sendFrame(data, false);
  }

  /**
   * Closes the socket: with no arguments an empty close frame (the peer sees 1005), else a close
   * frame with `code` and `reason`. `closed` follows the peer's answer, or comes with 1006 after
   * `control.closeTimeoutMs`. Before a connection exists it cancels a pending `connectAsync`.
   * The socket is single-use: every later call but `close()` fails. Calling it again does nothing.
   *
   * @throws InvalidArgumentError when `code` may not be sent (RFC 6455 §7.4: 1000–1003, 1007–1014,
   *   3000–4999) or `reason` is over 123 UTF-8 bytes, or a reason is given without a code.
   */
  close(code?: number, reason?: string): void {
    checkCloseArguments(code, reason);
    const phase = this.#phase;
    this.#flags |= RECEIVERS_LOCKED;
    if (phase === "closed") return;
    this.#phase = "closed";
    closeWebSocketConnection(phase, this.#driver, this.#connectAbort, code, reason);
    if (phase !== "open") this.#queue?.end();
  }

  /**
   * Iterates over received messages, like a `messagereceived` listener (the same args objects,
   * also sections in `partialMessage` mode). Start it before `connectAsync` completes or inside
   * `connectionreceived`, like a listener. Messages queue with a bound: when the loop falls
   * behind, the socket stops reading and TCP pushes back on the peer. A clean close ends the
   * loop; a receive error (abrupt loss, over `maxMessageSize`, invalid data) is thrown from it.
   * One loop at a time.
   */
  [Symbol.asyncIterator](): AsyncIterableIterator<MessageWebSocketMessageReceivedEventArgs> {
    this.#checkReceivers();
    if (this.#queue !== undefined && !this.#queue.detached) {
      throw new InvalidStateError("the socket is already being iterated");
    }
    const queue = new MessageQueue(
      {
        pause: () => this.#driver?.pause(),
        resume: () => this.#driver?.resume(),
      },
      () => {
        if (this.#queue === queue) this.#queue = undefined;
      },
    );
    this.#queue = queue;
    return queue;
  }

  // --- internals -----------------------------------------------------------------------------

  /** The socket's own control, made from the shared snapshot on first use. */
  get #control(): MessageWebSocketControl {
    this.#ownControl ??= this.#newControl((this.#snapshot as ControlSnapshot).options);
    return this.#ownControl;
  }

  #newControl(options: MessageWebSocketControlOptions): MessageWebSocketControl {
    // Made lazily, possibly once the socket is connected.
    return makeSocketControl(
      (owner) => new MessageWebSocketControl(owner, options),
      () => (this.#flags & ACCEPTED) !== 0 || this.#phase !== "idle",
      () => this.#driver?.actualUnsolicitedPongIntervalMs,
    );
  }

  /** The message assembler (`fullMessage` mode), made on the first data. */
  get #assembler(): MessageAssembler | undefined {
    if ((this.#flags & PARTIAL) !== 0) return undefined;
    this.#assemblerValue ??= new MessageAssembler({
      maxMessageSize: this.#maxMessageSize,
      allocate,
    });
    return this.#assemblerValue;
  }

  /** The outgoing UTF-8 state of a text message sent in frames, made on first use. */
  get #outgoingUtf8(): OutgoingUtf8 {
    this.#outgoingUtf8Value ??= new OutgoingUtf8();
    return this.#outgoingUtf8Value;
  }

  #checkReceivers(): void {
    if ((this.#flags & RECEIVERS_LOCKED) !== 0) {
      throw new InvalidStateError(
        "messagereceived listeners and iteration must be set up before connectAsync (reference §4.5)",
      );
    }
  }

  /** Starts the connection: a protocol `Connection` pumped by the driver `start` makes. */
  #attach(connected: ConnectedInformation, start: StartDriver, role: "client" | "server"): void {
    const c: ControlValues = this.#ownControl ?? (this.#snapshot as ControlSnapshot).values;
    const maxMessageSize = protocolLimit(c.maxMessageSize);
    const deflateParameters = connected.perMessageDeflate ?? null;
    const deflate =
      deflateParameters === null
        ? undefined
        : new PerMessageDeflate(role, deflateParameters, { maxMessageSize });
    this.#deflate = deflate;
    const extensions = deflate === undefined ? NO_EXTENSIONS : [deflate];
    const partial = c.receiveMode === MessageWebSocketReceiveMode.partialMessage;
    this.#flags = partial ? this.#flags | PARTIAL : this.#flags & ~PARTIAL;
    // A socket on shared (frozen) control values, without deflate, is set up as every such socket
    // is: those options are made once per values object (for an accepted socket, its driver
    // options too).
    const common = this.#ownControl === undefined && deflate === undefined;
    const shared = role === "server" && common ? sharedServerSetup(c) : undefined;
    const connection = new Connection(
      shared?.connection ??
        (common
          ? sharedClientConnection(c)
          : connectionOptions(role, c, maxMessageSize, extensions, partial)),
    );
    this.#maxMessageSize = maxMessageSize;
    this.#connected = connectionFacts(connected);
    if (this.#information !== undefined) recordConnection(this.#information, this.#connected);
    this.#phase = "open";
    this.#driver = start(
      connection,
      new Handler(this),
      shared?.driver ?? socketDriverOptions(c, extensions),
    );
  }

  #onData(bytes: Uint8Array, info: DataInfo): void {
    const type = info.binary ? SocketMessageType.binary : SocketMessageType.utf8;
    // The type an error event reports: the message arriving, binary between messages.
    this.#incomingType = info.messageFinished ? SocketMessageType.binary : type;
    if ((this.#flags & PARTIAL) !== 0) {
      this.#deliver({ messageType: type, isMessageComplete: info.messageFinished, data: bytes });
      return;
    }
    if (info.messageStarted && info.messageFinished) {
      // A message in one piece (every small message): nothing to assemble. The Connection
      // enforced maxMessageSize on it already (the assembler's limit is the same one).
      this.#deliver({ messageType: type, isMessageComplete: true, data: bytes });
      return;
    }
    const whole = (this.#assembler as MessageAssembler).push({
      type: "data",
      data: bytes,
      binary: info.binary,
      messageStarted: info.messageStarted,
      fin: info.fin,
      frameFinished: info.frameFinished,
      messageFinished: info.messageFinished,
    });
    if (whole === undefined) return;
    this.#deliver({ messageType: type, isMessageComplete: true, data: whole.data });
  }

  #deliver(init: MessageReceivedInit): void {
    const args = new MessageWebSocketMessageReceivedEventArgs(init);
    this.dispatchTypedEvent("messagereceived", args);
    const queue = this.#queue;
    if (queue === undefined) return;
    const error = receiveErrorOf(args);
    if (error === undefined) queue.push(args, "data" in init ? init.data.length : 0);
    else queue.end(error);
  }

  #onClose(info: DriverCloseInfo): void {
    this.#ended();
    if (info.error !== undefined) {
      // A peer violation: the readers of one last event throw it (reference §4.5).
      this.#deliver({ messageType: this.#incomingType, error: info.error });
    } else {
      this.#queue?.end();
    }
    this.dispatchTypedEvent("closed", new WebSocketClosedEventArgs(info.code, info.reason));
  }

  #onError(error: NetSocketsError): void {
    // No close frame: no `closed` (reference §17.3), one last event whose readers throw.
    this.#ended();
    this.#deliver({ messageType: this.#incomingType, error });
  }

  #ended(): void {
    this.#phase = "closed";
    this.#flags |= RECEIVERS_LOCKED;
    this.#assemblerValue?.reset();
  }

  #sendFrame(data: Uint8Array, fin: boolean): Promise<number> {
    if (!(data instanceof Uint8Array)) {
      return Promise.reject(new InvalidArgumentError("data must be a Uint8Array"));
    }
    const open = this.#outgoingOpen;
    const type = open ?? this.#control.messageType;
    if (open !== null && open !== this.#control.messageType) {
      return Promise.reject(
        new InvalidStateError(
          "control.messageType changed while a fragmented message is open; finish it first",
        ),
      );
    }
    const driver = readyWebSocketDriver(this.#driver, this.#phase);
    if (driver instanceof Error) return Promise.reject(driver);
    let carry: Uint8Array | undefined;
    if (type === SocketMessageType.utf8) {
      carry = this.#outgoingUtf8.check(data, fin);
      if (carry === undefined) return Promise.reject(invalidText());
    }
    const sent =
      type === SocketMessageType.utf8
        ? driver.sendText(data, { fin })
        : driver.sendBinary(data, { fin });
    if (carry !== undefined) this.#outgoingUtf8.commit(carry);
    this.#outgoingOpen = fin ? null : type;
    this.#lastSend = sent;
    return sent.then(() => data.length);
  }

  #sendMessage(bytes: Uint8Array, type: SocketMessageType, validText = false): Promise<number> {
    return this.#sendWhole(bytes, type, validText).then(() => bytes.length);
  }

  /** Sends one whole message; the driver's promise (it may be shared by the sends of a tick). */
  #sendWhole(bytes: Uint8Array, type: SocketMessageType, validText: boolean): Promise<void> {
    if (this.#outgoingOpen !== null) {
      return Promise.reject(
        new InvalidStateError(
          "a fragmented message is open: finish it with sendFinalFrameAsync first",
        ),
      );
    }
    const driver = readyWebSocketDriver(this.#driver, this.#phase);
    if (driver instanceof Error) return Promise.reject(driver);
    if (type === SocketMessageType.utf8 && !validText && !isUtf8(bytes)) {
      return Promise.reject(invalidText());
    }
    const sent =
      type === SocketMessageType.utf8 ? driver.sendText(bytes) : driver.sendBinary(bytes);
    this.#lastSend = sent;
    return sent;
  }

  #flush(): Promise<boolean> {
    const error = readyWebSocketDriver(this.#driver, this.#phase);
    if (error instanceof Error) return Promise.reject(error);
    // The driver settles sends in order, so the last one settling means all did (a failed send
    // does not fail the flush, as before).
    const last = this.#lastSend;
    return last === undefined ? Promise.resolve(true) : last.then(toTrue, toTrue);
  }

  static {
    /** The driver's handler: one small object instead of three closures per socket. */
    Handler = class implements DriverHandler {
      readonly #socket: MessageWebSocket;
      constructor(socket: MessageWebSocket) {
        this.#socket = socket;
      }
      onData(bytes: Uint8Array, info: DataInfo): void {
        this.#socket.#onData(bytes, info);
      }
      onClose(info: DriverCloseInfo): void {
        this.#socket.#onClose(info);
      }
      onError(error: NetSocketsError): void {
        this.#socket.#onError(error);
      }
    };
    adopt = (socket, connected, start) => {
      socket.#flags |= ACCEPTED;
      socket.#attach(connected, start, "server");
    };
    CLIENT = {
      attach: (socket, connected, start) => {
        socket.#attach(connected, start, "client");
        socket.#flags |= RECEIVERS_LOCKED;
      },
      control: (socket) => socket.#control,
      sharedConnectOptions: (socket) =>
        socket.#ownControl === undefined
          ? snapshotConnectOptions(socket.#snapshot as ControlSnapshot, templateControl)
          : undefined,
      phase: (socket) => ((socket.#flags & ACCEPTED) !== 0 ? "accepted" : socket.#phase),
      setPhase: (socket, phase, connectAbort) => {
        socket.#phase = phase;
        socket.#connectAbort = connectAbort;
      },
    };
    lockReceivers = (socket) => {
      socket.#flags |= RECEIVERS_LOCKED;
    };
  }
}

const toTrue = (): true => true;

function invalidText(): InvalidArgumentError {
  return new InvalidArgumentError("a text message must be valid UTF-8", {
    code: "ERR_INVALID_ENCODING",
  });
}

/**
 * Makes `socket` the server end of an accepted upgrade (internal to the listener): the
 * connection starts now, but its first frame is dispatched only after the caller returns.
 */
export function adoptAcceptedSocket(
  socket: MessageWebSocket,
  connected: ConnectedInformation,
  start: StartDriver,
): void {
  adopt(socket, connected, start);
}

/** Fixes the receivers of an accepted socket once `connectionreceived` has returned (internal). */
export function lockAcceptedReceivers(socket: MessageWebSocket): void {
  lockReceivers(socket);
}
