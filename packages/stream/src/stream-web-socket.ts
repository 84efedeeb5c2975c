import type { Duplex } from "node:stream";
import {
  type IInputStream,
  type IOutputStream,
  toReadable,
  toReadableStream,
  toWritable,
  toWritableStream,
} from "@netsockets/data";
import { ConnectionClosedError, type NetSocketsError, ProtocolError } from "@netsockets/errors";
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
  WebSocketBase,
  WebSocketClosedEventArgs,
  type WebSocketKind,
  type WebSocketPhase,
  type WebSocketServerCustomValidationRequestedEventArgs,
} from "@netsockets/node";
import { Connection } from "@netsockets/protocol";
import { InboundStream } from "./inbound-stream.js";
import { MessageFramer, StreamOutputStream } from "./outbound-stream.js";
import { duplexOf } from "./stream-adapters.js";
import {
  StreamWebSocketControl,
  type StreamWebSocketControlOptions,
} from "./stream-web-socket-control.js";
import {
  type ConnectedInformation,
  connectionFacts,
  recordConnection,
  StreamWebSocketInformation,
} from "./stream-web-socket-information.js";

/** The events of a {@link StreamWebSocket}: lower-case names, as the WinRT JS projection has. */
export interface StreamWebSocketEventMap {
  /** The closing handshake ended (or our close got no answer: 1006). Never for an abrupt loss. */
  closed: WebSocketClosedEventArgs;
  /** A `wss:` connect: the default certificate validation passed; a listener may `reject()`. */
  servercustomvalidationrequested: WebSocketServerCustomValidationRequestedEventArgs;
}

/** Options of {@link StreamWebSocket.connectAsync}. */
export interface StreamWebSocketConnectOptions {
  /** Cancels the connect: it rejects with `OperationCanceledError` (or `TimeoutError` for `AbortSignal.timeout`). */
  readonly signal?: AbortSignal | undefined;
}

/** Options of {@link StreamWebSocket.toDuplex}. */
export interface StreamWebSocketDuplexOptions {
  /** Bytes the readable side holds ahead of its consumer. Default 256 KiB. */
  readonly readableHighWaterMark?: number;
  /** Bytes the writable side accepts before `write()` returns false. Default 256 KiB. */
  readonly writableHighWaterMark?: number;
}

/** Size of the adapters' reads and buffers (the WHATWG streams and the Duplex). */
const ADAPTER_CHUNK = 64 * 1024;
const ADAPTER_HIGH_WATER = 256 * 1024;

const NO_EXTENSIONS: readonly PerMessageDeflate[] = Object.freeze([]);

/** What a socket reads of its control when it connects. */
type ControlValues = Pick<StreamWebSocketControl, "inboundBufferSizeInBytes"> & DriverControlValues;

type ControlSnapshot = SharedControlSnapshot<StreamWebSocketControlOptions, ControlValues>;

/** Validates options (throws as the control's setters do) and freezes what a socket reads. */
/** A control of `options` no socket owns: for validation and for reading values. */
const templateControl = (options: StreamWebSocketControlOptions): StreamWebSocketControl =>
  new StreamWebSocketControl(TEMPLATE_CONTROL_OWNER, options);

const snapshots = new ControlSnapshots((options: StreamWebSocketControlOptions): ControlValues => {
  const c = templateControl(options);
  return {
    inboundBufferSizeInBytes: c.inboundBufferSizeInBytes,
    ...driverControlValues(c),
  };
});

let Handler: new (socket: StreamWebSocket) => DriverHandler;
let Flow: new (socket: StreamWebSocket) => ConstructorParameters<typeof InboundStream>[0];

let adopt: (socket: StreamWebSocket, connected: ConnectedInformation, start: StartDriver) => void;
/** What `connectWebSocket` reads and writes of a stream socket (one object for all of them). */
let CLIENT: WebSocketKind<StreamWebSocket>;

/**
 * `Windows.Networking.Sockets.StreamWebSocket` (reference/uwp-api.md §8): a binary-only
 * WebSocket read and written as a byte stream — for photos, video and files of any size, read in
 * sections as they arrive. A client made with `new StreamWebSocket()` and `connectAsync`, or a
 * server-side socket handed out by a `StreamWebSocketListener` (same API; its `connectAsync`
 * throws).
 *
 * Reading: `inputStream.readAsync(buffer, count, InputStreamOptions.partial)` (or a `DataReader`
 * with `loadAsync`) returns the payload of the peer's binary messages as one stream — message
 * boundaries are not kept — and an empty result at the end of the stream, after a close. A text
 * message from the peer fails the connection with 1003 (`WS_ERR_UNSUPPORTED_DATA`). Backpressure:
 * once `control.inboundBufferSizeInBytes` are waiting for the reader, the socket stops reading
 * from TCP, so a slow reader slows the peer down and memory stays flat.
 *
 * Writing: each `outputStream.writeAsync(bytes)` (each `DataWriter.storeAsync()`) is one binary
 * message, framed in frames of at most 1 MiB as the socket takes them, and resolves when the
 * bytes reached the kernel; it waits while `control.outboundBufferSizeInBytes` are in flight.
 *
 * Ending (the termination table, README): a closing handshake from either side raises one
 * `closed` (1005 when the peer's frame had no code) and reads end with an empty result; our
 * `close()` without an answer gives `closed` 1006; a peer violation makes us send
 * 1002/1003/1007/1008/1009, raises `closed` with that code, and reads reject with the
 * `ProtocolError`; a TCP loss without a close frame raises no `closed`, and reads and writes
 * reject with `connectionAborted` / `connectionReset`.
 *
 * @example
 * ```ts
 * const socket = new StreamWebSocket();
 * await socket.connectAsync("wss://files.example/");
 * const writer = new DataWriter(socket.outputStream);
 * writer.writeBytes(photo);
 * await writer.storeAsync(); // one binary message
 * writer.detachStream();
 * const reader = new DataReader(socket.inputStream);
 * reader.inputStreamOptions = InputStreamOptions.partial;
 * const loaded = await reader.loadAsync(256); // 1–256 bytes as soon as some arrive; 0 at the end
 * socket.close(1000, "done");
 * ```
 */
export class StreamWebSocket extends WebSocketBase<StreamWebSocketEventMap> {
  /** The socket's own control, once made (see {@link StreamWebSocket.#control}). */
  #ownControl: StreamWebSocketControl | undefined;
  /**
   * The shared options and values the own control is made from (not for list-valued options):
   * until its control is first read, a socket shares the frozen snapshot of its (validated)
   * options with every socket made with equal ones.
   */
  readonly #snapshot: ControlSnapshot | undefined;
  // Per-socket memory (a server holds thousands of idle sockets): the information, the writing
  // side and the request headers are made on first use.
  #information: StreamWebSocketInformation | undefined;
  /** What the last connect (or the accept) learned, for an information object made later. */
  #connected: ConnectedInformation | undefined;
  readonly #inbound: InboundStream;
  #framerValue: MessageFramer | undefined;
  #outputStream: StreamOutputStream | undefined;
  /** Client only: made by the first `setRequestHeader`. */
  #requestHeaders: Map<string, { name: string; value: string }> | undefined;
  #phase: WebSocketPhase = "idle";
  /** Handed out by a listener: never connects. */
  #accepted = false;
  #driver: Driver | undefined;
  #connection: Connection | undefined;
  #connectAbort: ConnectCancellation | undefined;
  /** Set once a text message made us fail the connection (its remaining pieces are ignored). */
  #failing = false;
  #readable: ReadableStream<Uint8Array> | undefined;
  #writable: WritableStream<Uint8Array> | undefined;

  /**
   * Creates an unconnected socket. `options` pre-sets `control` properties (the same names); the
   * control can also be changed afterwards, before `connectAsync`.
   */
  constructor(options: StreamWebSocketControlOptions = {}) {
    super();
    // Invalid options throw here either way: the snapshot is made through a control.
    const snapshot = snapshots.of(options);
    if (snapshot === undefined) this.#ownControl = this.#newControl(options);
    else this.#snapshot = snapshot;
    this.#inbound = new InboundStream(new Flow(this), this.#controlValues.inboundBufferSizeInBytes);
  }

  /** The socket's settings (reference §8.1, §17.2); the same object for the socket's lifetime. */
  get control(): StreamWebSocketControl {
    return this.#control;
  }

  /** Facts about the connection (reference §8.2); readable at any time, also after close. */
  get information(): StreamWebSocketInformation {
    if (this.#information === undefined) {
      this.#information = new StreamWebSocketInformation({
        bandwidthStatistics: () => this.#driver?.bandwidthStatistics,
      });
      if (this.#connected !== undefined) recordConnection(this.#information, this.#connected);
    }
    return this.#information;
  }

  /**
   * The bytes the peer sends: an `IInputStream` over the concatenated payload of its binary
   * messages. `readAsync` with `InputStreamOptions.partial` resolves as soon as some bytes are
   * there; with `none` when `count` bytes are there or the stream ended. An empty result is the
   * end of the stream (after a close); after a loss reads reject with `connectionAborted` /
   * `connectionReset`, after a peer violation with its `ProtocolError`. One read at a time.
   * Closing it (a `DataReader` disposed without `detachStream()`) drops what is buffered and all
   * that still arrives; the socket stays open.
   */
  get inputStream(): IInputStream {
    return this.#inbound;
  }

  /**
   * The bytes sent to the peer: each `writeAsync` is one binary message (frames of at most 1
   * MiB), resolved with its byte count once in the kernel; `flushAsync` waits for every earlier
   * write. Closing it makes later writes fail with `ERR_OBJECT_CLOSED`; the socket stays open.
   */
  get outputStream(): IOutputStream {
    return this.#output;
  }

  /**
   * Bytes accepted for sending that the kernel has not taken yet (framing included), as `ws`'s
   * `bufferedAmount`. 0 before connect.
   */
  get bufferedAmount(): number {
    return this.#driver?.bufferedAmount ?? 0;
  }

  /**
   * The received bytes as a WHATWG `ReadableStream<Uint8Array>` (made on first use, over
   * `inputStream`, with backpressure). It closes at the end of the stream and errors after a loss
   * or violation; cancelling it closes `inputStream`.
   */
  get readable(): ReadableStream<Uint8Array> {
    this.#readable ??= toReadableStream(this.#inbound, {
      highWaterMark: ADAPTER_HIGH_WATER,
      chunkSize: ADAPTER_CHUNK,
    });
    return this.#readable;
  }

  /**
   * A WHATWG `WritableStream<Uint8Array>` into the socket (made on first use): each chunk is one
   * binary message. Closing it closes the WebSocket (1000, like `WebSocketStream`) once the chunks
   * are in the kernel; aborting it closes the WebSocket at once.
   */
  get writable(): WritableStream<Uint8Array> {
    this.#writable ??= toWritableStream(this.#closingOutput(), {
      highWaterMark: ADAPTER_HIGH_WATER,
    });
    return this.#writable;
  }

  /**
   * A Node `Duplex` over the socket, for `stream.pipeline`: the readable side yields the
   * received bytes (it ends at the end of the stream, errors after a loss); each chunk written
   * is one binary message. Ending the writable side closes the WebSocket with 1000 once the
   * chunks are in the kernel (a WebSocket has no half-close), so
   * `pipeline(fs.createReadStream(file), socket.toDuplex())` sends a file and closes.
   * Destroying the Duplex closes the socket.
   */
  toDuplex(options: StreamWebSocketDuplexOptions = {}): Duplex {
    const readable = toReadable(this.#inbound, {
      highWaterMark: options.readableHighWaterMark ?? ADAPTER_HIGH_WATER,
      chunkSize: ADAPTER_CHUNK,
    });
    const writable = toWritable(this.#closingOutput(), {
      highWaterMark: options.writableHighWaterMark ?? ADAPTER_HIGH_WATER,
    });
    return duplexOf(readable, writable);
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
      this.#accepted || this.#phase !== "idle",
    );
    this.#requestHeaders ??= new Map();
    this.#requestHeaders.set(key, { name: headerName, value: headerValue });
  }

  /**
   * Connects to an absolute `ws://` or `wss://` URI without a fragment: DNS, TCP, TLS, proxy
   * and the opening handshake with `control.supportedProtocols`. Rejects with a netsockets
   * error whose `WebSocketError.getStatus(error)` names the failure (`hostNameNotResolved`,
   * `cannotConnect`, `timeout`, `notFound`, `certificateIsInvalid`, `operationCanceled` …); the
   * socket is then reusable for another `connectAsync`.
   *
   * @throws InvalidStateError (rejected) while connecting or connected (`ERR_INVALID_STATE`),
   *   after `close()` (`ERR_OBJECT_CLOSED`), and always on a socket a listener handed out.
   */
  connectAsync(uri: string | URL, options: StreamWebSocketConnectOptions = {}): Promise<void> {
    // Not `async`: the shared connect's promise is returned as it is (no second promise).
    return connectWebSocket(this, uri, options, this.#requestHeaders, CLIENT);
  }

  /**
   * Closes the socket: with no arguments an empty close frame (the peer sees 1005), else a close
   * frame with `code` and `reason`. `closed` follows the peer's answer, or comes with 1006 after
   * `control.closeTimeoutMs`. Bytes already received stay readable, then reads return end of
   * stream; bytes that arrive after the call are dropped. Before a connection exists it cancels a
   * pending `connectAsync`. The socket is single-use. Calling it again does nothing.
   *
   * @throws InvalidArgumentError when `code` may not be sent (RFC 6455 §7.4: 1000–1003, 1007–1014,
   *   3000–4999) or `reason` is over 123 UTF-8 bytes, or a reason is given without a code.
   */
  close(code?: number, reason?: string): void {
    checkCloseArguments(code, reason);
    const phase = this.#phase;
    if (phase === "closed") return;
    this.#phase = "closed";
    this.#inbound.stop();
    closeWebSocketConnection(phase, this.#driver, this.#connectAbort, code, reason);
  }

  // --- internals -----------------------------------------------------------------------------

  /** The socket's own control, made from the shared snapshot on first use. */
  get #control(): StreamWebSocketControl {
    this.#ownControl ??= this.#newControl((this.#snapshot as ControlSnapshot).options);
    return this.#ownControl;
  }

  /** What the control says now, without making the socket's own control. */
  get #controlValues(): ControlValues {
    return this.#ownControl ?? (this.#snapshot as ControlSnapshot).values;
  }

  #newControl(options: StreamWebSocketControlOptions): StreamWebSocketControl {
    // Made lazily, possibly once the socket is connected.
    return makeSocketControl(
      (owner) => new StreamWebSocketControl(owner, options),
      () => this.#accepted || this.#phase !== "idle",
      () => this.#driver?.actualUnsolicitedPongIntervalMs,
    );
  }

  /** The output stream and the framer of outgoing messages, made on first use. */
  get #output(): StreamOutputStream {
    if (this.#outputStream === undefined) {
      const owner = { driver: () => readyWebSocketDriver(this.#driver, this.#phase) };
      this.#framerValue = new MessageFramer(owner);
      this.#outputStream = new StreamOutputStream(owner, this.#framerValue);
    }
    return this.#outputStream;
  }

  /** Starts the connection: a protocol `Connection` pumped by the driver `start` makes. */
  #attach(connected: ConnectedInformation, start: StartDriver, role: "client" | "server"): void {
    const c = this.#controlValues;
    // No message size limit: the stream consumes pieces as they arrive, never a whole message.
    // permessage-deflate inflates piece by piece as bytes arrive (no message limit here either).
    const deflateParameters = connected.perMessageDeflate ?? null;
    const extensions =
      deflateParameters === null
        ? NO_EXTENSIONS
        : [
            new PerMessageDeflate(role, deflateParameters, {
              maxMessageSize: Number.MAX_SAFE_INTEGER,
            }),
          ];
    const connection = new Connection(
      nodeConnectionOptions(role, {
        limits: { maxMessageSize: Number.MAX_SAFE_INTEGER, maxFragments: Number.MAX_SAFE_INTEGER },
        extensions,
      }),
    );
    this.#connection = connection;
    // Read once: a change after connect has no effect (like outboundBufferSizeInBytes).
    this.#inbound.highWaterMark = c.inboundBufferSizeInBytes;
    this.#connected = connectionFacts(connected);
    if (this.#information !== undefined) recordConnection(this.#information, this.#connected);
    this.#phase = "open";
    this.#driver = start(connection, new Handler(this), socketDriverOptions(c, extensions));
  }

  #onData(bytes: Uint8Array, info: DataInfo): void {
    if (this.#failing) return;
    if (!info.binary) {
      // "1003 indicates that an endpoint is terminating the connection because it has received a
      // type of data it cannot accept (e.g., an endpoint that understands only text data MAY send
      // this if it receives a binary message)." A StreamWebSocket is binary only (reference §8).
      // @see https://www.rfc-editor.org/rfc/rfc6455#section-7.4.1
      this.#failing = true;
      const error = new ProtocolError(
        "WS_ERR_UNSUPPORTED_DATA",
        "the peer sent a text message; a StreamWebSocket accepts binary messages only",
      );
      this.#inbound.fail(error);
      // Fails the connection: our close frame 1003 goes out after this batch, then `onClose`.
      this.#connection?.fail(1003, "text messages are not supported");
      return;
    }
    this.#inbound.push(bytes);
  }

  #onClose(info: DriverCloseInfo): void {
    this.#phase = "closed";
    if (info.error !== undefined) this.#inbound.fail(info.error);
    else this.#inbound.finish();
    // No framer yet: no write waits for room.
    this.#framerValue?.ended(this.#closedError(info));
    this.dispatchTypedEvent("closed", new WebSocketClosedEventArgs(info.code, info.reason));
  }

  #onError(error: NetSocketsError): void {
    // No close frame: no `closed` (reference §17.3); reads reject with the loss.
    this.#phase = "closed";
    this.#inbound.fail(error);
    this.#framerValue?.ended(error);
  }

  #closedError(info: DriverCloseInfo): NetSocketsError {
    return (
      info.error ??
      new ConnectionClosedError("ERR_CONNECTION_CLOSED", `the WebSocket is closed (${info.code})`, {
        closeCode: info.code,
        closeReason: info.reason,
        wasClean: info.wasClean,
        closedBy: info.closedBy,
      })
    );
  }

  /** The output stream, but closing it closes the WebSocket (for the Duplex and WHATWG adapters). */
  #closingOutput(): IOutputStream {
    const output = this.#output;
    return {
      writeAsync: (bytes, opts) => output.writeAsync(bytes, opts),
      flushAsync: (opts) => output.flushAsync(opts),
      close: () => {
        if (this.#phase === "open") this.close(1000);
      },
    };
  }

  static {
    /** The driver's handler: one small object instead of four closures per socket. */
    Handler = class implements DriverHandler {
      readonly #socket: StreamWebSocket;
      constructor(socket: StreamWebSocket) {
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
      onDrain(): void {
        // A write waiting for room exists only once the framer does.
        this.#socket.#framerValue?.drained();
      }
    };
    /** The inbound stream's flow control: pauses and resumes the driver. */
    Flow = class {
      readonly #socket: StreamWebSocket;
      constructor(socket: StreamWebSocket) {
        this.#socket = socket;
      }
      pause(): void {
        this.#socket.#driver?.pause();
      }
      resume(): void {
        this.#socket.#driver?.resume();
      }
    };
    adopt = (socket, connected, start) => {
      socket.#accepted = true;
      socket.#attach(connected, start, "server");
    };
    CLIENT = {
      attach: (socket, connected, start) => socket.#attach(connected, start, "client"),
      control: (socket) => socket.#control,
      sharedConnectOptions: (socket) =>
        socket.#ownControl === undefined
          ? snapshotConnectOptions(socket.#snapshot as ControlSnapshot, templateControl)
          : undefined,
      phase: (socket) => (socket.#accepted ? "accepted" : socket.#phase),
      setPhase: (socket, phase, connectAbort) => {
        socket.#phase = phase;
        socket.#connectAbort = connectAbort;
      },
    };
  }
}

/**
 * Makes `socket` the server end of an accepted upgrade (internal to the listener): the
 * connection starts now; its first frame is dispatched only after the caller returns.
 */
export function adoptAcceptedSocket(
  socket: StreamWebSocket,
  connected: ConnectedInformation,
  start: StartDriver,
): void {
  adopt(socket, connected, start);
}
