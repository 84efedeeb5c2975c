import { ByteOrder } from "./byte-order.js";
import { concurrentOperation, invalidArgument, invalidState, objectClosed } from "./data-errors.js";
import { writeGuidTo } from "./guid.js";
import { OperationSlot } from "./operation-slot.js";
import type { AsyncOptions, IOutputStream } from "./stream-contracts.js";
import { encodeUtf8Into, encodeUtf16Into, isWellFormed, measureUtf8 } from "./text-codec.js";
import { UnicodeEncoding } from "./unicode-encoding.js";
import { dateToTicks, isInt64, millisecondsToTicks } from "./wire-time.js";

/** The capacity of a fresh buffer; it doubles as values are written. */
const INITIAL_CAPACITY = 256;
/** After `storeAsync` the next buffer starts at the previous capacity, but no larger than this. */
const MAX_REUSED_CAPACITY = 64 * 1024;

const EMPTY = new Uint8Array(0);

function outOfRange(type: string, value: unknown): never {
  throw invalidArgument(`${String(value)} is not a valid ${type}`);
}

/**
 * Writes typed values into a growing buffer and commits them to an output stream
 * (`Windows.Storage.Streams.DataWriter`, reference/uwp-api.md §16).
 *
 * Numbers use {@link DataWriter.byteOrder} (default big-endian), text uses
 * {@link DataWriter.unicodeEncoding} (default UTF-8, no BOM). `storeAsync` hands every unstored
 * byte to the stream in exactly one `writeAsync` call, so on a message socket one `storeAsync` is
 * one message. The writer owns its stream: `close()` closes it unless `detachStream()` took it
 * back first. Out-of-range arguments throw `InvalidArgumentError` (`E_INVALIDARG`); use after
 * `close()` throws `InvalidStateError` (`ERR_OBJECT_CLOSED`, `RO_E_CLOSED`).
 *
 * @example
 * const writer = new DataWriter(output);
 * writer.writeUInt32(writer.measureString("hello"));
 * writer.writeString("hello");
 * await writer.storeAsync();
 */
export class DataWriter implements Disposable {
  /** The buffer values are written into; `[0, #length)` is unstored data. */
  #bytes: Uint8Array;
  /** A view over `#bytes`, rebuilt only when the buffer grows. */
  #view: DataView;
  /** How many bytes of `#bytes` are written and not yet stored. */
  #length = 0;
  /** Whether numbers are written least significant byte first (mirrors `#byteOrder`). */
  #littleEndian = false;
  /** The public byte order. */
  #byteOrder: ByteOrder = ByteOrder.bigEndian;
  /** The public text encoding. */
  #encoding: UnicodeEncoding = UnicodeEncoding.utf8;
  /** Where `storeAsync` and `flushAsync` go; `null` for an in-memory writer or once detached. */
  #stream: IOutputStream | null;
  /** Set by `close()`; every later use throws. */
  #closed = false;
  /** The pending `storeAsync` or `flushAsync`. */
  readonly #slot = new OperationSlot("DataWriter");

  /**
   * A writer over `outputStream`, which it owns from now on, or, with no argument, over an
   * in-memory buffer that {@link detachBuffer} returns.
   */
  constructor(outputStream?: IOutputStream) {
    if (
      outputStream !== undefined &&
      (typeof outputStream !== "object" ||
        outputStream === null ||
        typeof outputStream.writeAsync !== "function")
    ) {
      throw invalidArgument("the output stream must have a writeAsync method");
    }
    this.#stream = outputStream ?? null;
    this.#bytes = new Uint8Array(INITIAL_CAPACITY);
    this.#view = new DataView(this.#bytes.buffer);
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

  /** The encoding of `writeString` and `measureString`. Default UTF-8. */
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

  /** Bytes written and not yet committed by `storeAsync` (nor taken by `detachBuffer`). */
  get unstoredBufferLength(): number {
    return this.#length;
  }

  /**
   * Reserves `n` bytes at the end and returns their offset. It may replace `#view`, so callers
   * read `#view` after calling it (`this.#view.setX(this.#reserve(n), …)` would use the old one).
   */
  #reserve(n: number): number {
    if (this.#closed) throw objectClosed("DataWriter");
    const offset = this.#length;
    const end = offset + n;
    if (end > this.#bytes.length) this.#grow(end);
    this.#length = end;
    return offset;
  }

  /** Makes room for at least `needed` bytes, doubling so appends stay amortised O(1). */
  #grow(needed: number): void {
    let capacity = Math.max(this.#bytes.length * 2, INITIAL_CAPACITY);
    while (capacity < needed) capacity *= 2;
    const bytes = new Uint8Array(capacity);
    bytes.set(this.#bytes.subarray(0, this.#length));
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer);
  }

  /** Hands the unstored bytes over and starts a fresh buffer, so the caller owns them. */
  #takeBytes(): Uint8Array {
    const taken = this.#bytes.subarray(0, this.#length);
    const capacity = Math.min(Math.max(this.#bytes.length, INITIAL_CAPACITY), MAX_REUSED_CAPACITY);
    this.#bytes = new Uint8Array(capacity);
    this.#view = new DataView(this.#bytes.buffer);
    this.#length = 0;
    return taken;
  }

  /** Writes a byte (0…255). */
  writeByte(value: number): void {
    if ((value & 0xff) !== value) outOfRange("Byte", value);
    const offset = this.#reserve(1);
    this.#bytes[offset] = value;
  }

  /** Writes a Boolean as `01` (true) or `00` (false). */
  writeBoolean(value: boolean): void {
    if (typeof value !== "boolean") outOfRange("Boolean", value);
    const offset = this.#reserve(1);
    this.#bytes[offset] = value ? 1 : 0;
  }

  /** Writes every byte of `value`, as is (the byte order does not apply). */
  writeBytes(value: Uint8Array): void {
    if (!(value instanceof Uint8Array)) outOfRange("byte array", value);
    const offset = this.#reserve(value.length);
    this.#bytes.set(value, offset);
  }

  /**
   * Writes `count` bytes of `buffer` from `start` (default: the whole buffer).
   * @throws InvalidArgumentError if the range is not inside `buffer`.
   */
  writeBuffer(buffer: Uint8Array, start = 0, count: number = buffer.length - start): void {
    if (!(buffer instanceof Uint8Array)) outOfRange("buffer", buffer);
    if (
      start >>> 0 !== start ||
      count >>> 0 !== count ||
      start > buffer.length ||
      count > buffer.length - start
    ) {
      throw invalidArgument(
        `start ${start} and count ${count} are outside a buffer of ${buffer.length} bytes`,
      );
    }
    const offset = this.#reserve(count);
    this.#bytes.set(buffer.subarray(start, start + count), offset);
  }

  /** Writes a signed 16-bit integer. */
  writeInt16(value: number): void {
    if ((value << 16) >> 16 !== value) outOfRange("Int16", value);
    const offset = this.#reserve(2);
    this.#view.setInt16(offset, value, this.#littleEndian);
  }

  /** Writes an unsigned 16-bit integer. */
  writeUInt16(value: number): void {
    if ((value & 0xffff) !== value) outOfRange("UInt16", value);
    const offset = this.#reserve(2);
    this.#view.setUint16(offset, value, this.#littleEndian);
  }

  /** Writes a signed 32-bit integer. */
  writeInt32(value: number): void {
    if ((value | 0) !== value) outOfRange("Int32", value);
    const offset = this.#reserve(4);
    this.#view.setInt32(offset, value, this.#littleEndian);
  }

  /** Writes an unsigned 32-bit integer. */
  writeUInt32(value: number): void {
    if (value >>> 0 !== value) outOfRange("UInt32", value);
    const offset = this.#reserve(4);
    this.#view.setUint32(offset, value, this.#littleEndian);
  }

  /** Writes a signed 64-bit integer, given as a `bigint`. */
  writeInt64(value: bigint): void {
    if (typeof value !== "bigint" || BigInt.asIntN(64, value) !== value) outOfRange("Int64", value);
    const offset = this.#reserve(8);
    this.#view.setBigInt64(offset, value, this.#littleEndian);
  }

  /** Writes an unsigned 64-bit integer, given as a `bigint`. */
  writeUInt64(value: bigint): void {
    if (typeof value !== "bigint" || BigInt.asUintN(64, value) !== value) {
      outOfRange("UInt64", value);
    }
    const offset = this.#reserve(8);
    this.#view.setBigUint64(offset, value, this.#littleEndian);
  }

  /** Writes an IEEE-754 binary32 (the number is rounded to single precision; NaN as Windows does). */
  writeSingle(value: number): void {
    if (typeof value !== "number") outOfRange("Single", value);
    const offset = this.#reserve(4);
    // Windows writes the x86 default NaN (sign set, §16.4: LE `00 00 C0 FF`); V8 would write
    // the positive one. Any NaN reads back as NaN either way.
    if (Number.isNaN(value)) this.#view.setUint32(offset, 0xffc00000, this.#littleEndian);
    else this.#view.setFloat32(offset, value, this.#littleEndian);
  }

  /** Writes an IEEE-754 binary64 (NaN as Windows does). */
  writeDouble(value: number): void {
    if (typeof value !== "number") outOfRange("Double", value);
    const offset = this.#reserve(8);
    // The Windows NaN, as for writeSingle: LE `00 00 00 00 00 00 F8 FF`.
    if (Number.isNaN(value))
      this.#view.setBigUint64(offset, 0xfff8000000000000n, this.#littleEndian);
    else this.#view.setFloat64(offset, value, this.#littleEndian);
  }

  /**
   * Writes a `Date` as a WinRT `DateTime`: Int64 100-ns ticks since 1601-01-01T00:00:00Z.
   * @throws InvalidArgumentError for an invalid `Date` or one outside the Int64 tick range.
   */
  writeDateTime(value: Date): void {
    if (!(value instanceof Date)) outOfRange("Date", value);
    const ticks = dateToTicks(value);
    const offset = this.#reserve(8);
    this.#view.setBigInt64(offset, ticks, this.#littleEndian);
  }

  /** Writes a WinRT `DateTime` given as its ticks since 1601-01-01T00:00:00Z (lossless). */
  writeDateTimeTicks(ticks: bigint): void {
    if (typeof ticks !== "bigint" || !isInt64(ticks)) outOfRange("DateTime tick count", ticks);
    const offset = this.#reserve(8);
    this.#view.setBigInt64(offset, ticks, this.#littleEndian);
  }

  /**
   * Writes a duration in milliseconds as a WinRT `TimeSpan` (Int64 100-ns ticks); fractions are
   * kept down to one tick and rounded below that.
   */
  writeTimeSpan(milliseconds: number): void {
    const ticks = millisecondsToTicks(milliseconds);
    const offset = this.#reserve(8);
    this.#view.setBigInt64(offset, ticks, this.#littleEndian);
  }

  /** Writes a WinRT `TimeSpan` given as its 100-ns ticks (lossless). */
  writeTimeSpanTicks(ticks: bigint): void {
    if (typeof ticks !== "bigint" || !isInt64(ticks)) outOfRange("TimeSpan tick count", ticks);
    const offset = this.#reserve(8);
    this.#view.setBigInt64(offset, ticks, this.#littleEndian);
  }

  /**
   * Writes a GUID given as `"xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"` (any case): Data1, Data2,
   * Data3 and Data4-as-a-64-bit-integer, each in the current byte order (§16.4).
   */
  writeGuid(value: string): void {
    if (this.#closed) throw objectClosed("DataWriter");
    const offset = this.#length;
    if (offset + 16 > this.#bytes.length) this.#grow(offset + 16);
    // Parse (and possibly throw) before the bytes count as written.
    writeGuidTo(value, this.#view, this.#bytes, offset, this.#littleEndian);
    this.#length = offset + 16;
  }

  /**
   * Writes `value` in the current encoding, with no BOM and no length prefix, and returns the
   * number of **bytes** written (reference §16.3; `readString` counts code units instead).
   * @throws InvalidArgumentError (`ERR_INVALID_ENCODING`) if `value` has a lone surrogate.
   */
  writeString(value: string): number {
    if (typeof value !== "string") outOfRange("string", value);
    if (this.#closed) throw objectClosed("DataWriter");
    const utf8 = this.#encoding === UnicodeEncoding.utf8;
    const offset = this.#length;
    const room = offset + value.length * (utf8 ? 3 : 2);
    if (room > this.#bytes.length) this.#grow(room);
    const written = utf8
      ? encodeUtf8Into(value, this.#bytes, offset)
      : encodeUtf16Into(value, this.#bytes, offset, this.#encoding === UnicodeEncoding.utf16LE);
    this.#length = offset + written;
    return written;
  }

  /**
   * The number of bytes `writeString(value)` would write in the current encoding; writes nothing.
   * @throws InvalidArgumentError (`ERR_INVALID_ENCODING`) if `value` has a lone surrogate.
   */
  measureString(value: string): number {
    if (typeof value !== "string") outOfRange("string", value);
    if (this.#closed) throw objectClosed("DataWriter");
    if (this.#encoding === UnicodeEncoding.utf8) return measureUtf8(value);
    if (!isWellFormed(value)) {
      // Same check and error as writeString, so a measured string can always be written.
      encodeUtf16Into(value, EMPTY, 0, true);
    }
    return value.length * 2;
  }

  /**
   * Commits every unstored byte to the stream with exactly one `writeAsync` call (also when there
   * are none) and resolves with the count the stream reports. The bytes are handed over, so the
   * writer continues with an empty buffer even if the write fails.
   * @throws InvalidStateError (`ERR_INVALID_STATE`) for a writer without a stream,
   * `ERR_CONCURRENT_OPERATION` while another `storeAsync`/`flushAsync` is pending,
   * `ERR_OBJECT_CLOSED` after `close()`.
   */
  storeAsync(opts: AsyncOptions = {}): Promise<number> {
    return this.#slot.run(opts.signal, async (signal) => {
      const stream = this.#requireStream("storeAsync");
      return stream.writeAsync(this.#takeBytes(), { signal });
    });
  }

  /**
   * Asks the stream to push written data to its target (`IOutputStream.flushAsync`). Resolves
   * with the stream's answer.
   * @throws InvalidStateError as {@link storeAsync} does.
   */
  flushAsync(opts: AsyncOptions = {}): Promise<boolean> {
    return this.#slot.run(opts.signal, async (signal) => {
      const stream = this.#requireStream("flushAsync");
      return stream.flushAsync({ signal });
    });
  }

  #requireStream(method: string): IOutputStream {
    if (this.#closed) throw objectClosed("DataWriter");
    if (this.#stream === null) {
      throw invalidState(`${method} needs a DataWriter constructed over an output stream`);
    }
    return this.#stream;
  }

  /**
   * Returns the unstored bytes and empties the writer, which stays usable. Typical use: build a
   * message with `new DataWriter()` and take it with `detachBuffer()`.
   * @throws InvalidStateError (`ERR_CONCURRENT_OPERATION`) while an operation is pending.
   */
  detachBuffer(): Uint8Array {
    this.#checkIdle();
    // The writer drops its reference, so the view is the caller's alone; no copy needed.
    return this.#takeBytes();
  }

  /**
   * Gives the stream back (or `null` if there is none) so that `close()` leaves it open. Unstored
   * bytes stay in the writer.
   * @throws InvalidStateError (`ERR_CONCURRENT_OPERATION`) while an operation is pending.
   */
  detachStream(): IOutputStream | null {
    this.#checkIdle();
    const stream = this.#stream;
    this.#stream = null;
    return stream;
  }

  #checkIdle(): void {
    if (this.#closed) throw objectClosed("DataWriter");
    // Reference §16.3: detaching during a write fails with ERROR_INVALID_OPERATION.
    if (this.#slot.busy) throw concurrentOperation("DataWriter");
  }

  /**
   * Closes the writer and, unless it was detached, its stream. A pending operation rejects with
   * `ERR_OBJECT_CLOSED`, unstored bytes are dropped, and every later call throws
   * `ERR_OBJECT_CLOSED`. Calling it again does nothing.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#slot.cancel(objectClosed("DataWriter"));
    this.#bytes = EMPTY;
    this.#view = new DataView(EMPTY.buffer);
    this.#length = 0;
    const stream = this.#stream;
    this.#stream = null;
    stream?.close();
  }

  /** Same as {@link close}, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }
}
