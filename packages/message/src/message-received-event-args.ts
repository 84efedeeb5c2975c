import { DataReader, fromBytes, type IInputStream } from "@netsockets/data";
import type { NetSocketsError } from "@netsockets/errors";
import { EventArgsBase } from "@netsockets/node";
import type { SocketMessageType } from "./socket-message-type.js";

const EMPTY = new Uint8Array(0);

/** What one `messagereceived` event carries: a message (or section), or a receive error. */
export type MessageReceivedInit =
  | {
      readonly messageType: SocketMessageType;
      readonly isMessageComplete: boolean;
      readonly data: Uint8Array;
    }
  | {
      readonly messageType: SocketMessageType;
      readonly error: NetSocketsError;
    };

let errorOf: (args: MessageWebSocketMessageReceivedEventArgs) => NetSocketsError | undefined;

/**
 * `Windows.Networking.Sockets.MessageWebSocketMessageReceivedEventArgs` (reference/uwp-api.md §7.1):
 * the argument of `messagereceived` — a whole message in `fullMessage` mode, one section of a
 * message in `partialMessage` mode (only the last has {@link isMessageComplete} `true`).
 *
 * Receive errors are not separate events: as in WinRT, the connection's end without a close
 * frame (`connectionAborted`), a message over `maxMessageSize` or invalid data arrive as one
 * last `messagereceived` whose {@link getDataReader} and {@link getDataStream} throw the error.
 *
 * @example
 * ```ts
 * socket.addEventListener("messagereceived", (args) => {
 *   const reader = args.getDataReader(); // throws on a receive error
 *   console.log(reader.readString(reader.unconsumedBufferLength));
 * });
 * ```
 */
export class MessageWebSocketMessageReceivedEventArgs extends EventArgsBase {
  /**
   * The kind of the message: informational only — either kind can be read as bytes. For a
   * receive error, the kind of the message that was arriving (binary when none was).
   */
  readonly messageType: SocketMessageType;
  /**
   * `true` for a whole message (always, in `fullMessage` mode) and for the last section of a
   * message in `partialMessage` mode; `false` for the other sections.
   */
  readonly isMessageComplete: boolean;
  readonly #data: Uint8Array;
  readonly #error: NetSocketsError | undefined;

  /** Made by the socket; not meant to be constructed by applications. */
  constructor(init: MessageReceivedInit) {
    super();
    this.messageType = init.messageType;
    if ("error" in init) {
      this.isMessageComplete = true;
      this.#data = EMPTY;
      this.#error = init.error;
    } else {
      this.isMessageComplete = init.isMessageComplete;
      this.#data = init.data;
      this.#error = undefined;
    }
  }

  /**
   * A `DataReader` loaded with the payload (`unconsumedBufferLength` is its length; 0 for an
   * empty message). Each call returns a new reader over the same bytes.
   *
   * @throws the receive error: `ConnectionClosedError` (`ERR_CONNECTION_ABORTED` /
   *   `ERR_CONNECTION_RESET`, status `connectionAborted` / `connectionReset`) when the TCP
   *   connection ended without a closing handshake, `MessageTooBigError` over `maxMessageSize`,
   *   `ProtocolError` for invalid data, `TimeoutError` for a stalled peer.
   */
  getDataReader(): DataReader {
    if (this.#error !== undefined) throw this.#error;
    return DataReader.fromBuffer(this.#data);
  }

  /**
   * The payload as an `IInputStream` (an empty message gives a stream that yields 0 bytes).
   * Each call returns a new stream over the same bytes.
   *
   * @throws the receive error, as {@link getDataReader} does.
   */
  getDataStream(): IInputStream {
    if (this.#error !== undefined) throw this.#error;
    return fromBytes(this.#data);
  }

  static {
    errorOf = (args) => args.#error;
  }
}

/** The receive error `args` reports, if any. Internal to @netsockets/message (not exported). */
export function receiveErrorOf(
  args: MessageWebSocketMessageReceivedEventArgs,
): NetSocketsError | undefined {
  return errorOf(args);
}
