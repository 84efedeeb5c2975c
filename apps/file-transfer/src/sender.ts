/**
 * The sending side: hash the file, connect a `StreamWebSocket`, write the header with a
 * `DataWriter` (one message), stream the body in 1 MiB `writeAsync` calls straight from the file
 * (two buffers: the next chunk is read while the previous one is being sent), and read the
 * receiver's status records until the final one.
 */
import { createHash } from "node:crypto";
import { type FileHandle, open } from "node:fs/promises";
import { basename } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { DataReader, DataWriter, StreamWebSocket, WebErrorStatus } from "netsockets";
import {
  describeStatus,
  errorStatusOf,
  messageOf,
  statusToWebErrorStatus,
  type TransferOutcome,
} from "./outcome.js";
import { readStatus, type StatusRecord, TransferStatus, writeHeader } from "./wire-format.js";

/** Bytes per `writeAsync` (one binary message each). */
export const CHUNK_SIZE = 1024 * 1024;

/** Options of {@link sendFile}. */
export interface SendOptions {
  /** The name to announce (default: the file's base name). */
  readonly name?: string;
  /** `sent` bytes handed to the kernel, `confirmed` by the receiver, of `total`. */
  readonly onProgress?: (sent: number, confirmed: number, total: number) => void;
  /** Called once the file is hashed, before connecting. */
  readonly onHashed?: (size: number, sha256: string) => void;
  /**
   * Test hook: sees (and may change) every chunk after hashing, just before it is sent — a
   * tampering wire, for the hash-mismatch tests.
   */
  readonly tamper?: (chunk: Uint8Array, offset: number) => void;
  /** Options for the socket (e.g. `{ proxy: false }`, `ca`). */
  readonly socketOptions?: ConstructorParameters<typeof StreamWebSocket>[0];
}

/** What the sender reports. */
export interface SentTransfer extends TransferOutcome {
  /** The announced name. */
  readonly name: string;
  /** Body bytes the kernel took. */
  readonly sent: number;
}

/** SHA-256 of the first `size` bytes of `handle`, read in `CHUNK_SIZE` pieces. */
async function hashFile(handle: FileHandle, size: number): Promise<Uint8Array> {
  const hash = createHash("sha256");
  const buffer = new Uint8Array(CHUNK_SIZE);
  for (let position = 0; position < size; ) {
    const { bytesRead } = await handle.read(
      buffer,
      0,
      Math.min(buffer.length, size - position),
      position,
    );
    if (bytesRead === 0) throw new Error("the file shrank while it was being hashed");
    hash.update(buffer.subarray(0, bytesRead));
    position += bytesRead;
  }
  return hash.digest();
}

/**
 * Sends the file at `path` to the receiver at `url` and reports how it ended. Rejects only for
 * a local problem before connecting (the file cannot be read); every network or receiver failure
 * is an outcome with its `WebErrorStatus` and the bytes the receiver confirmed.
 */
export async function sendFile(
  path: string,
  url: string,
  options: SendOptions = {},
): Promise<SentTransfer> {
  const name = options.name ?? basename(path);
  const handle = await open(path, "r");
  try {
    const size = (await handle.stat()).size;
    const digest = await hashFile(handle, size);
    const sha256 = Buffer.from(digest).toString("hex");
    options.onHashed?.(size, sha256);

    let sent = 0;
    let confirmed = 0;
    const outcome = (
      ok: boolean,
      status: TransferStatus | null,
      errorStatus: WebErrorStatus | null,
      detail: string,
    ): SentTransfer => ({
      ok,
      status,
      errorStatus,
      detail,
      confirmed,
      size,
      sha256,
      name,
      sent,
    });

    const socket = new StreamWebSocket(options.socketOptions ?? {});
    const closed = new Promise<void>((resolve) =>
      socket.addEventListener("closed", () => resolve()),
    );
    try {
      await socket.connectAsync(url);
    } catch (error) {
      return outcome(false, null, errorStatusOf(error), messageOf(error));
    }

    // The receiver's records: progress as it writes, then one final record.
    let final: StatusRecord | null = null;
    const records = (async () => {
      const reader = new DataReader(socket.inputStream);
      for (;;) {
        const record = await readStatus(reader);
        if (record === null) return null;
        confirmed = record.confirmed;
        options.onProgress?.(sent, confirmed, size);
        if (record.status !== TransferStatus.progress) {
          final = record;
          return record;
        }
      }
    })();
    records.catch(() => {});

    let sendError: unknown;
    try {
      const writer = new DataWriter(socket.outputStream);
      writeHeader(writer, { name, size, sha256: digest });
      await writer.storeAsync(); // the header is one message
      writer.detachStream();

      const buffers = [new Uint8Array(CHUNK_SIZE), new Uint8Array(CHUNK_SIZE)];
      let inFlight: Promise<number> | undefined;
      let queued = 0;
      for (let i = 0; queued < size && final === null; i++) {
        // This buffer's previous write was awaited before the last one started: it is free.
        const buffer = buffers[i & 1] as Uint8Array;
        const { bytesRead } = await handle.read(
          buffer,
          0,
          Math.min(buffer.length, size - queued),
          queued,
        );
        if (bytesRead === 0) throw new Error("the file shrank while it was being sent");
        const chunk = buffer.subarray(0, bytesRead);
        options.tamper?.(chunk, queued);
        if (inFlight !== undefined) sent += await inFlight;
        options.onProgress?.(sent, confirmed, size);
        inFlight = socket.outputStream.writeAsync(chunk);
        // Awaited on the next turn (or after the loop); until then the file read runs, and a
        // connection lost meanwhile must not surface as an unhandled rejection.
        inFlight.catch(() => {});
        queued += bytesRead;
      }
      if (inFlight !== undefined) sent += await inFlight;
      options.onProgress?.(sent, confirmed, size);
    } catch (error) {
      sendError = error;
    }

    let record: StatusRecord | null;
    try {
      record = await records;
    } catch (error) {
      socket.close();
      const cause = sendError ?? error;
      return outcome(false, null, errorStatusOf(cause), messageOf(cause));
    }
    if (record === null) {
      socket.close();
      const detail =
        sendError === undefined
          ? "the receiver closed without a final status"
          : messageOf(sendError);
      return outcome(
        false,
        null,
        sendError === undefined ? WebErrorStatus.disconnected : errorStatusOf(sendError),
        detail,
      );
    }
    // The receiver closes after its final record; answer and wait for the handshake to end.
    socket.close(1000, "done");
    // Bounded: a connection lost after the final record raises no `closed`.
    await Promise.race([closed, delay(5000, undefined, { ref: false })]);
    if (record.status === TransferStatus.complete && sendError === undefined) {
      return outcome(true, record.status, null, "");
    }
    return outcome(
      false,
      record.status,
      statusToWebErrorStatus(record.status) ?? errorStatusOf(sendError),
      describeStatus(record.status),
    );
  } finally {
    await handle.close();
  }
}
