import { ByteOrder } from "./byte-order.js";
import { copyBytes } from "./copy-bytes.js";
import {
  concurrentOperation,
  invalidArgument,
  invalidState,
  objectClosed,
  outOfBounds,
} from "./data-errors.js";
import { readGuidFrom } from "./guid.js";
import { InputStreamOptions, isPartial } from "./input-stream-options.js";
import { OperationSlot } from "./operation-slot.js";
import type { AsyncOptions, IInputStream } from "./stream-contracts.js";
import { decodeUtf8, decodeUtf16 } from "./text-codec.js";
import { UnicodeEncoding } from "./unicode-encoding.js";
import { ticksToDate, ticksToMilliseconds } from "./wire-time.js";

/**
 * The most a single `readAsync` asks for. A `loadAsync(0xffffffff)` in partial mode (a common
 * "whatever is there" idiom) must not allocate 4 GiB, and a large load in `none` mode grows the
 * buffer as bytes arrive instead of up front.
 */
const READ_CHUNK = 64 * 1024;

const EMPTY = new Uint8Array(0);

function outOfRange(type: string, value: unknown): never {
  throw invalidArgument(`${String(value)} is not a valid ${type}`);
}

/**
 * Reads typed values from bytes loaded from an input stream or given up front
 * (`Windows.Storage.Streams.DataReader`, reference/uwp-api.md §15).
 *
 * `loadAsync(count)` fills the intermediate buffer; the `read*` methods consume it and throw
 * `InvalidArgumentError` (`ERR_OUT_OF_BOUNDS`, `E_BOUNDS`) when fewer bytes are loaded than a read
 * needs, consuming nothing then. Numbers use {@link DataReader.byteOrder} (default big-endian),
 * text uses {@link DataReader.unicodeEncoding} (default UTF-8). The reader owns its stream:
 * `close()` closes it unless `detachStream()` took it back first.
 *
 * @example
 * const reader = new DataReader(input);
 * await reader.loadAsync(4);
 * const length = reader.readUInt32();
 * await reader.loadAsync(length);
 * const text = reader.readString(length);
 */
export class DataReader implements Disposable {
  /** The intermediate buffer; `[#start, #end)` is loaded and not yet read. */
  #bytes: Uint8Array;
  /**
   * A view over `#bytes`, made on the first number read and dropped when the buffer is replaced
   * (most readers of a message only take its bytes or text, and never need one).
   */
  #view: DataView | undefined;
  /** The next byte to read. */
  #start = 0;
  /** The end of the loaded bytes. */
  #end: number;
  /** Whether numbers are read least significant byte first (mirrors `#byteOrder`). */
  #littleEndian = false;
  /** The public byte order. */
  #byteOrder: ByteOrder = ByteOrder.bigEndian;
  /** The public text encoding. */
  #encoding: UnicodeEncoding = UnicodeEncoding.utf8;
  /** The public load options. */
  #options: InputStreamOptions = InputStreamOptions.none;
  /** Where `loadAsync` reads from; `null` for `fromBuffer` readers or once detached. */
  #stream: IInputStream | null;
  /** Set by `close()`; every later read throws. */
  #closed = false;
  /** The pending `loadAsync`. */
  /** The pending `loadAsync`, made on the first load (`fromBuffer` readers never load). */
  #slot: OperationSlot | undefined;

  /** A reader over `inputStream`, which it owns from now on. Load data before reading. */
  constructor(inputStream: IInputStream) {
    if (
      inputStream !== FROM_BUFFER &&
      (typeof inputStream !== "object" ||
        inputStream === null ||
        typeof inputStream.readAsync !== "function")
    ) {
      throw invalidArgument("the input stream must have a readAsync method");
    }
    this.#stream = inputStream === FROM_BUFFER ? null : inputStream;
    this.#bytes = EMPTY;
    this.#end = 0;
  }

  /**
   * A reader over bytes already in memory, with no stream: `unconsumedBufferLength` is
   * `buffer.length` at once and `loadAsync` fails. The bytes are read in place, not copied.
   */
  static fromBuffer(buffer: Uint8Array): DataReader {
    if (!(buffer instanceof Uint8Array)) outOfRange("buffer", buffer);
    const reader = new DataReader(FROM_BUFFER);
    reader.#bytes = buffer;
    reader.#end = buffer.length;
    return reader;
  }

  /** The byte order of multi-byte numbers, including the parts of a GUID. Default big-endian. */
  get byteOrder(): ByteOrder {
    return this.#byteOrder;
  }

  set byteOrder(value: ByteOrder) {
    if (value !== ByteOrder.littleEndian && value !== ByteOrder.bigEndian) {
      outOfRange("ByteOrder", value);
    }
    this.#byteOrder = value;
    this.#littleEndian = value === ByteOrder.littleEndian;
  }

  /** The encoding of `readString`. Default UTF-8. */
  get unicodeEncoding(): UnicodeEncoding {
    return this.#encoding;
  }

  set unicodeEncoding(value: UnicodeEncoding) {
    if (
      value !== UnicodeEncoding.utf8 &&
      value !== UnicodeEncoding.utf16LE &&
      value !== UnicodeEncoding.utf16BE
    ) {
      outOfRange("UnicodeEncoding", value);
    }
    this.#encoding = value;
  }

  /** How `loadAsync` waits (§15.5). Default {@link InputStreamOptions.none}. */
  get inputStreamOptions(): InputStreamOptions {
    return this.#options;
  }

  set inputStreamOptions(value: InputStreamOptions) {
    if (value >>> 0 !== value || value > 3) {
      outOfRange("InputStreamOptions", value);
    }
    this.#options = value;
  }

  /** Bytes loaded and not yet read (0 once closed). */
  get unconsumedBufferLength(): number {
    return this.#end - this.#start;
  }

  /**
   * Loads up to `count` more bytes from the stream into the buffer and resolves with how many
   * arrived. With {@link InputStreamOptions.none} it waits for `count` bytes or the end of the
   * stream, so a result below `count` means the stream ended; with
   * {@link InputStreamOptions.partial} it resolves as soon as at least one byte is there (or 0 at
   * the end). Bytes that arrived before an abort stay loaded.
   * @throws InvalidStateError (`ERR_INVALID_STATE`) for a reader without a stream,
   * `ERR_CONCURRENT_OPERATION` while another load is pending, `ERR_OBJECT_CLOSED` after
   * `close()`; InvalidArgumentError if `count` is not a UInt32.
   */
  loadAsync(count: number, opts: AsyncOptions = {}): Promise<number> {
    this.#slot ??= new OperationSlot("DataReader");
    return this.#slot.run(opts.signal, async (signal) => {
      if (this.#closed) throw objectClosed("DataReader");
      if (count >>> 0 !== count) outOfRange("UInt32 count", count);
      const stream = this.#stream;
      if (stream === null) {
        throw invalidState("loadAsync needs a DataReader constructed over an input stream");
      }
      const options = this.#options;
      const partial = isPartial(options);
      let loaded = 0;
      while (loaded < count) {
        const want = Math.min(count - loaded, Math.max(READ_CHUNK, this.#end - this.#start));
        this.#makeRoom(want);
        const end = this.#end;
        const target = this.#bytes.subarray(end, end + want);
        const got = await stream.readAsync(target, want, options, { signal });
        // After an abort or close the operation is over: touch nothing.
        if (signal.aborted) return loaded;
        if (got.length > want) {
          throw invalidState(`the input stream returned ${got.length} bytes for a read of ${want}`);
        }
        if (got.length === 0) break;
        // The stream may answer with a view of another array (reference §2): copy it in.
        if (got.buffer !== target.buffer || got.byteOffset !== target.byteOffset) {
          this.#bytes.set(got, end);
        }
        this.#end = end + got.length;
        loaded += got.length;
        if (partial) break;
      }
      return loaded;
    });
  }

  /** Makes room for `want` bytes after `#end`: reuse, compact, or grow (doubling). */
  #makeRoom(want: number): void {
    const unconsumed = this.#end - this.#start;
    if (unconsumed === 0) {
      this.#start = 0;
      this.#end = 0;
    }
    if (this.#bytes.length - this.#end >= want) return;
    // A fromBuffer reader never loads, so #bytes here is always the reader's own.
    const needed = unconsumed + want;
    if (this.#bytes.length >= needed && this.#start >= this.#bytes.length / 2) {
      this.#bytes.copyWithin(0, this.#start, this.#end);
    } else {
      let capacity = Math.max(this.#bytes.length * 2, 256);
      while (capacity < needed) capacity *= 2;
      const bytes = new Uint8Array(capacity);
      bytes.set(this.#bytes.subarray(this.#start, this.#end));
      this.#bytes = bytes;
      this.#view = undefined;
    }
    this.#start = 0;
    this.#end = unconsumed;
  }

  /** Consumes `n` loaded bytes and returns the offset of the first. */
  #take(n: number): number {
    const start = this.#start;
    if (this.#end - start < n || this.#closed) {
      if (this.#closed) throw objectClosed("DataReader");
      throw outOfBounds(n, this.#end - start);
    }
    this.#start = start + n;
    return start;
  }

  /** Reads a byte. */
  readByte(): number {
    return this.#bytes[this.#take(1)] as number;
  }

  /** Reads a Boolean: any nonzero byte is `true`. */
  readBoolean(): boolean {
    return this.#bytes[this.#take(1)] !== 0;
  }

  /** Fills all of `target` with the next `target.length` bytes. */
  readBytes(target: Uint8Array): void {
    if (!(target instanceof Uint8Array)) outOfRange("byte array", target);
    const offset = this.#take(target.length);
    target.set(this.#bytes.subarray(offset, offset + target.length));
  }

  /** Returns the next `length` bytes as a new array (a copy the caller owns). */
  readBuffer(length: number): Uint8Array {
    if (length >>> 0 !== length) outOfRange("UInt32 length", length);
    const offset = this.#take(length);
    return copyBytes(this.#bytes, offset, offset + length);
  }

  /** Reads a signed 16-bit integer. */
  readInt16(): number {
    return this.#dataView().getInt16(this.#take(2), this.#littleEndian);
  }

  /** Reads an unsigned 16-bit integer. */
  readUInt16(): number {
    return this.#dataView().getUint16(this.#take(2), this.#littleEndian);
  }

  /** Reads a signed 32-bit integer. */
  readInt32(): number {
    return this.#dataView().getInt32(this.#take(4), this.#littleEndian);
  }

  /** Reads an unsigned 32-bit integer. */
  readUInt32(): number {
    return this.#dataView().getUint32(this.#take(4), this.#littleEndian);
  }

  /** Reads a signed 64-bit integer as a `bigint`. */
  readInt64(): bigint {
    return this.#dataView().getBigInt64(this.#take(8), this.#littleEndian);
  }

  /** Reads an unsigned 64-bit integer as a `bigint`. */
  readUInt64(): bigint {
    return this.#dataView().getBigUint64(this.#take(8), this.#littleEndian);
  }

  /** Reads an IEEE-754 binary32. */
  readSingle(): number {
    return this.#dataView().getFloat32(this.#take(4), this.#littleEndian);
  }

  /** Reads an IEEE-754 binary64. */
  readDouble(): number {
    return this.#dataView().getFloat64(this.#take(8), this.#littleEndian);
  }

  /**
   * Reads a WinRT `DateTime` as a `Date`, rounded down to the millisecond. Use
   * {@link readDateTimeTicks} for the exact value.
   */
  readDateTime(): Date {
    return ticksToDate(this.readDateTimeTicks());
  }

  /** Reads a WinRT `DateTime` as its 100-ns ticks since 1601-01-01T00:00:00Z (lossless). */
  readDateTimeTicks(): bigint {
    return this.#dataView().getBigInt64(this.#take(8), this.#littleEndian);
  }

  /**
   * Reads a WinRT `TimeSpan` as milliseconds, fractions kept (one tick is 0.0001 ms). Use
   * {@link readTimeSpanTicks} for the exact value.
   */
  readTimeSpan(): number {
    return ticksToMilliseconds(this.readTimeSpanTicks());
  }

  /** Reads a WinRT `TimeSpan` as its 100-ns ticks (lossless). */
  readTimeSpanTicks(): bigint {
    return this.#dataView().getBigInt64(this.#take(8), this.#littleEndian);
  }

  /** Reads a GUID as a lower-case `"xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"` (layout in §16.4). */
  readGuid(): string {
    return readGuidFrom(this.#dataView(), this.#bytes, this.#take(16), this.#littleEndian);
  }

  /**
   * Reads `codeUnitCount` code units of the current encoding: that many bytes in UTF-8, twice as
   * many in UTF-16 (reference §16.5 — note `measureString` counts bytes). A leading U+FEFF is
   * returned as a character, not stripped.
   * @throws InvalidArgumentError (`ERR_INVALID_ENCODING`) if the bytes are not valid text in the
   * encoding (including a character cut off at the end); nothing is consumed then.
   */
  readString(codeUnitCount: number): string {
    if (codeUnitCount >>> 0 !== codeUnitCount) outOfRange("UInt32 code unit count", codeUnitCount);
    const encoding = this.#encoding;
    const length = encoding === UnicodeEncoding.utf8 ? codeUnitCount : codeUnitCount * 2;
    const start = this.#start;
    // Check the bounds (and closed state) without consuming: decoding may still fail.
    if (this.#end - start < length || this.#closed) this.#take(length);
    const text =
      encoding === UnicodeEncoding.utf8
        ? decodeUtf8(this.#bytes, start, start + length)
        : decodeUtf16(this.#bytes, start, start + length, encoding === UnicodeEncoding.utf16LE);
    this.#start = start + length;
    return text;
  }

  /**
   * Returns the unconsumed bytes and empties the reader, which stays usable (later loads start a
   * fresh buffer). The reader drops its reference, so the bytes are the caller's.
   * @throws InvalidStateError (`ERR_CONCURRENT_OPERATION`) while a load is pending.
   */
  detachBuffer(): Uint8Array {
    this.#checkIdle();
    const all = this.#bytes;
    // A reader that was handed its bytes whole (fromBuffer, nothing read yet) gives them back
    // as they are: no new view per message.
    const bytes =
      this.#start === 0 && this.#end === all.length ? all : all.subarray(this.#start, this.#end);
    this.#release();
    return bytes;
  }

  /**
   * Gives the stream back (or `null` if there is none) so that `close()` leaves it open. Loaded
   * bytes stay readable.
   * @throws InvalidStateError (`ERR_CONCURRENT_OPERATION`) while a load is pending.
   */
  detachStream(): IInputStream | null {
    this.#checkIdle();
    const stream = this.#stream;
    this.#stream = null;
    return stream;
  }

  #checkIdle(): void {
    if (this.#closed) throw objectClosed("DataReader");
    // Reference §15.3: detaching during a read fails with ERROR_INVALID_OPERATION.
    if (this.#slot?.busy === true) throw concurrentOperation("DataReader");
  }

  /** The view over `#bytes`, made when first needed. */
  #dataView(): DataView {
    const bytes = this.#bytes;
    this.#view ??= new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return this.#view;
  }

  #release(): void {
    this.#bytes = EMPTY;
    this.#view = undefined;
    this.#start = 0;
    this.#end = 0;
  }

  /**
   * Closes the reader and, unless it was detached, its stream. A pending load rejects with
   * `ERR_OBJECT_CLOSED`, loaded bytes are dropped, and every later read throws
   * `ERR_OBJECT_CLOSED`. Calling it again does nothing.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#slot?.cancel(objectClosed("DataReader"));
    this.#release();
    const stream = this.#stream;
    this.#stream = null;
    stream?.close();
  }

  /** Same as {@link close}, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }
}

/** The constructor argument `fromBuffer` uses to make a reader without a stream. */
const FROM_BUFFER = Object.freeze({}) as IInputStream;
