/**
 * The receiving side: a `StreamWebSocketListener` that takes one file per connection. The body
 * goes to `NAME.part` in the receive directory, hashed as it is written; only when the SHA-256
 * matches the header is it linked to its final name (never over an existing file) — otherwise
 * the `.part` file is deleted. Status records go back to the sender as the body arrives.
 */
import { createHash } from "node:crypto";
import { type FileHandle, link, open, unlink } from "node:fs/promises";
import { join } from "node:path";
import {
  DataReader,
  InputStreamOptions,
  type IOutputStream,
  type StreamWebSocket,
  StreamWebSocketListener,
  WebErrorStatus,
} from "netsockets";
import {
  errorStatusOf,
  messageOf,
  statusToWebErrorStatus,
  type TransferOutcome,
} from "./outcome.js";
import { sanitizeFileName } from "./sanitize-name.js";
import {
  BadHeaderError,
  encodeStatus,
  type FileHeader,
  readHeader,
  TransferStatus,
} from "./wire-format.js";

/** A progress record goes back to the sender every this many bytes written. */
export const ACK_INTERVAL = 4 * 1024 * 1024;
/** Size of the receive buffer: the most one `readAsync` takes. */
const READ_SIZE = 1024 * 1024;

/** What the receiver reports about one transfer. */
export interface ReceivedTransfer extends TransferOutcome {
  /** The name the sender gave. */
  readonly name: string;
  /** The file written (set when `ok`). */
  readonly path: string | null;
}

/** Callbacks of a receiver (the CLI draws its progress bar with them). */
export interface ReceiveHooks {
  /** A header arrived; `fileName` is the sanitized name. */
  readonly onStart?: (header: FileHeader, fileName: string) => void;
  /** `done` body bytes written so far. */
  readonly onProgress?: (done: number, header: FileHeader) => void;
  /** The transfer ended (called by {@link startReceiver}). */
  readonly onEnd?: (transfer: ReceivedTransfer) => void;
}

/** Options of {@link receiveTransfer}. */
export interface ReceiveOptions extends ReceiveHooks {
  /** The directory the file goes to. */
  readonly dir: string;
  /** The largest body accepted (default: no limit beyond 2^53 − 1). */
  readonly maxSize?: number;
}

/** Thrown inside the loop when the disk fails, to tell it from a connection failure. */
class WriteError extends Error {}

/** Opens a fresh `base.part`, `base (1).part` … exclusively; returns its handle and stem. */
async function openPart(dir: string, base: string): Promise<{ handle: FileHandle; stem: string }> {
  for (let n = 0; ; n++) {
    const stem = n === 0 ? base : `${base} (${n})`;
    try {
      return { handle: await open(join(dir, `${stem}.part`), "wx"), stem };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST" || n >= 999) throw error;
    }
  }
}

/**
 * Gives `part` its final name `stem`, or `stem (1)` … if that exists: `link` fails atomically on
 * an existing name, so no file is ever replaced. Then the `.part` name is removed.
 */
async function publish(dir: string, part: string, stem: string): Promise<string> {
  const dot = stem.lastIndexOf(".");
  const [head, ext] = dot > 0 ? [stem.slice(0, dot), stem.slice(dot)] : [stem, ""];
  for (let n = 0; ; n++) {
    const target = join(dir, n === 0 ? stem : `${head} (${n})${ext}`);
    try {
      await link(part, target);
      await unlink(part);
      return target;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST" || n >= 999) throw error;
    }
  }
}

async function writeAll(handle: FileHandle, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset);
    offset += bytesWritten;
  }
}

/**
 * Receives one file from an accepted `socket` into `options.dir` and reports how it ended. Never
 * throws: every failure is an outcome, and the `.part` file is gone afterwards unless the file
 * was published.
 */
export async function receiveTransfer(
  socket: StreamWebSocket,
  options: ReceiveOptions,
): Promise<ReceivedTransfer> {
  const output: IOutputStream = socket.outputStream;
  // Status records are written one after another, never concurrently; a failed write needs no
  // handling here (the read side sees the same loss).
  let acks: Promise<unknown> = Promise.resolve();
  const ack = (confirmed: number, status: TransferStatus) => {
    acks = acks.then(() => output.writeAsync(encodeStatus({ confirmed, status }))).catch(() => {});
    return acks;
  };
  const finalAck = async (confirmed: number, status: TransferStatus) => {
    await ack(confirmed, status);
    // The final record is in the kernel: close; the sender reads the record, then the close.
    socket.close(1000, status === TransferStatus.complete ? "complete" : "failed");
  };

  const reader = new DataReader(socket.inputStream);
  let header: FileHeader | null;
  try {
    header = await readHeader(reader);
  } catch (error) {
    const bad = error instanceof BadHeaderError;
    if (bad) await finalAck(0, TransferStatus.badHeader);
    else socket.close();
    return {
      ok: false,
      name: "",
      path: null,
      status: bad ? TransferStatus.badHeader : null,
      errorStatus: bad ? WebErrorStatus.badRequest : errorStatusOf(error),
      detail: messageOf(error),
      confirmed: 0,
      size: 0,
      sha256: "",
    };
  }
  if (header === null) {
    socket.close();
    return {
      ok: false,
      name: "",
      path: null,
      status: null,
      errorStatus: WebErrorStatus.disconnected,
      detail: "the sender closed before sending a header",
      confirmed: 0,
      size: 0,
      sha256: "",
    };
  }
  const { name, size } = header;
  const sha256 = Buffer.from(header.sha256).toString("hex");
  const fail = (
    status: TransferStatus | null,
    errorStatus: WebErrorStatus,
    detail: string,
    confirmed: number,
  ): ReceivedTransfer => ({
    ok: false,
    name,
    path: null,
    status,
    errorStatus,
    detail,
    confirmed,
    size,
    sha256,
  });
  if (options.maxSize !== undefined && size > options.maxSize) {
    await finalAck(0, TransferStatus.badHeader);
    return fail(
      TransferStatus.badHeader,
      WebErrorStatus.badRequest,
      `${size} bytes is over the limit`,
      0,
    );
  }
  // `none` mode loaded exactly the header; anything left over would be body bytes.
  const early =
    reader.unconsumedBufferLength > 0 ? reader.readBuffer(reader.unconsumedBufferLength) : null;
  reader.detachStream(); // the body is read from the socket's stream directly
  const input = socket.inputStream;

  const base = sanitizeFileName(name);
  options.onStart?.(header, base);
  let part: { handle: FileHandle; stem: string };
  try {
    part = await openPart(options.dir, base);
  } catch (error) {
    await finalAck(0, TransferStatus.writeFailed);
    return fail(
      TransferStatus.writeFailed,
      WebErrorStatus.internalServerError,
      messageOf(error),
      0,
    );
  }
  const partPath = join(options.dir, `${part.stem}.part`);
  const hash = createHash("sha256");
  const buffer = new Uint8Array(READ_SIZE);
  let received = 0;
  let acked = 0;
  const take = async (bytes: Uint8Array) => {
    hash.update(bytes);
    try {
      await writeAll(part.handle, bytes);
    } catch (error) {
      throw new WriteError(messageOf(error), { cause: error });
    }
    received += bytes.length;
    if (received - acked >= ACK_INTERVAL && received < size) {
      acked = received;
      void ack(received, TransferStatus.progress);
    }
    options.onProgress?.(received, header);
  };
  const discard = async () => {
    await part.handle.close().catch(() => {});
    await unlink(partPath).catch(() => {});
  };

  try {
    if (early !== null) await take(early.subarray(0, size));
    while (received < size) {
      const chunk = await input.readAsync(
        buffer,
        Math.min(buffer.length, size - received),
        InputStreamOptions.partial,
      );
      if (chunk.length === 0) {
        await discard();
        return fail(
          null,
          WebErrorStatus.disconnected,
          "the sender closed before the whole body arrived",
          received,
        );
      }
      await take(chunk);
    }
    // Confirmed means on disk: flush the data before the final record says so.
    await part.handle.datasync();
    await part.handle.close();
  } catch (error) {
    await discard();
    if (error instanceof WriteError) {
      await finalAck(received, TransferStatus.writeFailed);
      return fail(
        TransferStatus.writeFailed,
        WebErrorStatus.internalServerError,
        error.message,
        received,
      );
    }
    socket.close();
    return fail(null, errorStatusOf(error), messageOf(error), received);
  }

  if (hash.digest("hex") !== sha256) {
    await unlink(partPath).catch(() => {});
    await finalAck(received, TransferStatus.hashMismatch);
    return fail(
      TransferStatus.hashMismatch,
      statusToWebErrorStatus(TransferStatus.hashMismatch) as WebErrorStatus,
      "the SHA-256 of the body differs from the header's; the .part file was deleted",
      received,
    );
  }
  let path: string;
  try {
    path = await publish(options.dir, partPath, part.stem);
  } catch (error) {
    await unlink(partPath).catch(() => {});
    await finalAck(received, TransferStatus.writeFailed);
    return fail(
      TransferStatus.writeFailed,
      WebErrorStatus.internalServerError,
      messageOf(error),
      received,
    );
  }
  await finalAck(received, TransferStatus.complete);
  return {
    ok: true,
    name,
    path,
    status: TransferStatus.complete,
    errorStatus: null,
    detail: "",
    confirmed: received,
    size,
    sha256,
  };
}

/** Options of {@link startReceiver}. */
export interface ReceiverOptions extends ReceiveOptions {
  /** Port to listen on (0: a free one). Default 0. */
  readonly port?: number;
  /** Address to bind. Default `127.0.0.1`. */
  readonly host?: string;
  /** Called when a transfer ended (well or not). */
  readonly onTransfer?: (transfer: ReceivedTransfer) => void;
  /** Called per connection for its own hooks (the CLI makes a progress bar per transfer). */
  readonly hooksFor?: () => ReceiveHooks;
}

/** A running receiver. */
export interface Receiver {
  /** `ws://HOST:PORT/` */
  readonly url: string;
  readonly port: number;
  /** Stops listening; open transfers are closed with 1001. */
  close(): Promise<void>;
}

/** Starts a receiver: one file per connection, several connections at once. */
export async function startReceiver(options: ReceiverOptions): Promise<Receiver> {
  const host = options.host ?? "127.0.0.1";
  const listener = new StreamWebSocketListener();
  listener.addEventListener("connectionreceived", ({ socket }) => {
    const hooks = options.hooksFor?.() ?? {};
    void receiveTransfer(socket, { ...options, ...hooks }).then((transfer) => {
      hooks.onEnd?.(transfer);
      options.onTransfer?.(transfer);
    });
  });
  await listener.bindEndpointAsync(host, options.port ?? 0);
  const port = listener.information.localPort as number;
  let closing: Promise<void> | undefined;
  return {
    url: `ws://${host.includes(":") ? `[${host}]` : host}:${port}/`,
    port,
    close() {
      closing ??= listener.close();
      return closing;
    },
  };
}
