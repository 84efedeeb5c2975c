import type { AsyncOptions, IOutputStream } from "@netsockets/data";
import { InvalidArgumentError, InvalidStateError } from "@netsockets/errors";

/** What the output stream asks of its socket. */
export interface MessageSink {
  /** Sends `bytes` as one message of `control.messageType`; resolves with the count in the kernel. */
  send(bytes: Uint8Array): Promise<number>;
  /** Resolves once every earlier send reached the kernel. */
  flush(): Promise<boolean>;
}

/**
 * `MessageWebSocket.outputStream` (reference/uwp-api.md §4.6): every `writeAsync` is one whole
 * message, so `DataWriter.storeAsync()` (one `writeAsync` per store) sends one message. The
 * bytes go to the connection synchronously, inside the call. Closing the stream (a `DataWriter`
 * disposed without `detachStream()`) makes later writes fail with `ERR_OBJECT_CLOSED`
 * (`RO_E_CLOSED`); the socket itself stays open.
 */
export class MessageOutputStream implements IOutputStream {
  readonly #sink: MessageSink;
  #closed = false;

  constructor(sink: MessageSink) {
    this.#sink = sink;
  }

  /**
   * Sends `bytes` as one message; resolves with `bytes.length` once in the kernel. An abort after
   * the call cannot take the message back; only an already aborted signal stops it.
   */
  writeAsync(bytes: Uint8Array, opts: AsyncOptions = {}): Promise<number> {
    if (this.#closed) return Promise.reject(closedError());
    if (!(bytes instanceof Uint8Array)) {
      return Promise.reject(new InvalidArgumentError("bytes must be a Uint8Array"));
    }
    if (opts.signal?.aborted) return Promise.reject(opts.signal.reason);
    return this.#sink.send(bytes);
  }

  /**
   * Resolves `true` once every earlier write reached the kernel. Before connect it fails with
   * `InvalidStateError` (`ERR_INVALID_STATE`, `E_ILLEGAL_METHOD_CALL`); on a closed socket or
   * stream with `ERR_OBJECT_CLOSED` (`RO_E_CLOSED`), as reference §4.6 lists.
   */
  flushAsync(_opts: AsyncOptions = {}): Promise<boolean> {
    if (this.#closed) return Promise.reject(closedError());
    return this.#sink.flush();
  }

  /** Closes this stream (not the socket): later writes fail with `ERR_OBJECT_CLOSED`. */
  close(): void {
    this.#closed = true;
  }
}

function closedError(): InvalidStateError {
  return new InvalidStateError("the output stream is closed", { code: "ERR_OBJECT_CLOSED" });
}
