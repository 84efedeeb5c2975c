import type { InputStreamOptions } from "./input-stream-options.js";

/** Options of an asynchronous stream operation. */
export interface AsyncOptions {
  /**
   * Cancels the operation. An abort whose reason is a `TimeoutError` `DOMException` (as from
   * `AbortSignal.timeout`) rejects with `TimeoutError`, any other with `OperationCanceledError`.
   */
  readonly signal?: AbortSignal | undefined;
}

/**
 * A source of bytes (`Windows.Storage.Streams.IInputStream`). Any object with these members is
 * accepted; the adapters of this package make one from a Node `Readable`, a WHATWG
 * `ReadableStream`, a file or bytes in memory.
 */
export interface IInputStream {
  /**
   * Reads up to `count` bytes. Resolves with the bytes read: a view into `buffer` or into another
   * array, so always read the returned array. Its length is 1…`count`, or 0 at the end of the
   * stream. With {@link InputStreamOptions.partial} it resolves as soon as at least one byte is
   * there; without it, when `count` bytes are there or the stream has ended. `count` greater than
   * `buffer.byteLength` is an `InvalidArgumentError` (`E_INVALIDARG`).
   */
  readAsync(
    buffer: Uint8Array,
    count: number,
    options: InputStreamOptions,
    opts?: AsyncOptions,
  ): Promise<Uint8Array>;
  /** Releases the source. Later reads fail with `InvalidStateError` (`ERR_OBJECT_CLOSED`). */
  close(): void;
}

/**
 * A sink of bytes (`Windows.Storage.Streams.IOutputStream`). Any object with these members is
 * accepted; the adapters of this package make one from a Node `Writable`, a WHATWG
 * `WritableStream`, a file, or collect the bytes in memory.
 */
export interface IOutputStream {
  /**
   * Writes `bytes` and resolves with the number of bytes written once the sink has accepted them.
   * The caller must not change `bytes` before the promise settles.
   */
  writeAsync(bytes: Uint8Array, opts?: AsyncOptions): Promise<number>;
  /** Resolves once every earlier write has reached the sink; `false` if it could not be written. */
  flushAsync(opts?: AsyncOptions): Promise<boolean>;
  /** Releases the sink. Later writes fail with `InvalidStateError` (`ERR_OBJECT_CLOSED`). */
  close(): void;
}
