/**
 * The file-transfer wire format (README "Protocol"). All numbers are big-endian, written with a
 * `DataWriter` and read with a `DataReader` (their default byte order).
 *
 * Sender → receiver, first binary message — the header:
 *
 * ```
 * offset  size  field
 *      0     4  magic "NSFT" (ASCII)
 *      4     1  version, 1
 *      5     2  name length N in UTF-8 bytes (UInt16, 1…1024)
 *      7     N  file name, UTF-8 (the receiver sanitizes it)
 *    7+N     8  body size in bytes (UInt64, at most 2^53 − 1)
 *   15+N    32  SHA-256 of the body
 * ```
 *
 * then the body, `size` bytes, in binary messages of any size (the stream keeps no message
 * boundaries). Receiver → sender: 9-byte status records, `confirmed` (UInt64: body bytes received,
 * hashed and written to disk) then a status byte ({@link TransferStatus}); `progress` records
 * come as the body arrives, then exactly one final record, after which the receiver closes.
 */
import { type DataReader, DataWriter } from "netsockets";

/** The header's magic bytes, "NSFT". */
export const MAGIC = Uint8Array.of(0x4e, 0x53, 0x46, 0x54);
/** The only version of the format so far. */
export const VERSION = 1;
/** The longest file name a header may carry, in UTF-8 bytes. */
export const MAX_NAME_BYTES = 1024;
/** Bytes of a SHA-256 digest. */
export const SHA256_BYTES = 32;
/** Bytes of one status record (UInt64 + UInt8). */
export const STATUS_RECORD_BYTES = 9;

/** The status byte of a receiver's record. */
export const TransferStatus = Object.freeze({
  /** Not final: `confirmed` bytes are on the receiver's disk so far. */
  progress: 0,
  /** Final: every byte arrived, the hash matched, the file has its name. */
  complete: 1,
  /** Final: the body's SHA-256 differs from the header's; nothing was kept. */
  hashMismatch: 2,
  /** Final: the header was malformed (magic, version, name, size). */
  badHeader: 3,
  /** Final: the receiver could not write the file (disk full, permissions …). */
  writeFailed: 4,
} as const);
/** A {@link TransferStatus} value. */
export type TransferStatus = (typeof TransferStatus)[keyof typeof TransferStatus];

/** The fields of a header. */
export interface FileHeader {
  /** The file name as the sender gave it (not yet sanitized). */
  readonly name: string;
  /** Body size in bytes. */
  readonly size: number;
  /** SHA-256 of the body (32 bytes). */
  readonly sha256: Uint8Array;
}

/** Why a header was refused: the receiver answers {@link TransferStatus.badHeader}. */
export class BadHeaderError extends Error {
  override readonly name = "BadHeaderError";
}

/**
 * Puts `header` into `writer` (not stored yet: the caller's `storeAsync` sends it as one
 * message). Throws `RangeError` for a name that is empty or over {@link MAX_NAME_BYTES}.
 */
export function writeHeader(writer: DataWriter, header: FileHeader): void {
  const nameBytes = writer.measureString(header.name);
  if (nameBytes < 1 || nameBytes > MAX_NAME_BYTES) {
    throw new RangeError(`the file name must be 1…${MAX_NAME_BYTES} UTF-8 bytes`);
  }
  if (header.sha256.length !== SHA256_BYTES) throw new RangeError("a SHA-256 is 32 bytes");
  writer.writeBytes(MAGIC);
  writer.writeByte(VERSION);
  writer.writeUInt16(nameBytes);
  writer.writeString(header.name);
  writer.writeUInt64(BigInt(header.size));
  writer.writeBytes(header.sha256);
}

/**
 * Reads a header from `reader` (loading exactly the header's bytes, in `InputStreamOptions.none`
 * mode, so nothing of the body is read ahead). Resolves `null` when the stream ends before the
 * first byte; throws {@link BadHeaderError} for a malformed or truncated header.
 */
export async function readHeader(reader: DataReader): Promise<FileHeader | null> {
  const fixed = MAGIC.length + 1 + 2;
  const loaded = await reader.loadAsync(fixed);
  if (loaded === 0) return null;
  if (loaded < fixed) throw new BadHeaderError("the stream ended inside the header");
  const magic = reader.readBuffer(MAGIC.length);
  if (!magic.every((byte, i) => byte === MAGIC[i])) throw new BadHeaderError("not NSFT data");
  const version = reader.readByte();
  if (version !== VERSION) throw new BadHeaderError(`unsupported version ${version}`);
  const nameBytes = reader.readUInt16();
  if (nameBytes < 1 || nameBytes > MAX_NAME_BYTES) {
    throw new BadHeaderError(`name length ${nameBytes} is outside 1…${MAX_NAME_BYTES}`);
  }
  const rest = nameBytes + 8 + SHA256_BYTES;
  if ((await reader.loadAsync(rest)) < rest) {
    throw new BadHeaderError("the stream ended inside the header");
  }
  let name: string;
  try {
    name = reader.readString(nameBytes);
  } catch {
    throw new BadHeaderError("the file name is not valid UTF-8");
  }
  const size = reader.readUInt64();
  if (size > BigInt(Number.MAX_SAFE_INTEGER)) throw new BadHeaderError(`size ${size} is too big`);
  const sha256 = reader.readBuffer(SHA256_BYTES);
  return { name, size: Number(size), sha256 };
}

/** One receiver → sender record. */
export interface StatusRecord {
  readonly confirmed: number;
  readonly status: TransferStatus;
}

/** The 9 bytes of a status record. */
export function encodeStatus(record: StatusRecord): Uint8Array {
  const writer = new DataWriter();
  writer.writeUInt64(BigInt(record.confirmed));
  writer.writeByte(record.status);
  return writer.detachBuffer();
}

/**
 * Reads the next status record; `null` at the end of the stream (a partial record is also
 * the end: the receiver went away in the middle of writing it).
 */
export async function readStatus(reader: DataReader): Promise<StatusRecord | null> {
  if ((await reader.loadAsync(STATUS_RECORD_BYTES)) < STATUS_RECORD_BYTES) return null;
  const confirmed = Number(reader.readUInt64());
  const status = reader.readByte();
  if (status > TransferStatus.writeFailed) {
    throw new BadHeaderError(`unknown status byte ${status} from the receiver`);
  }
  return { confirmed, status: status as TransferStatus };
}
