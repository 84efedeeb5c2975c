// Files as IInputStream/IOutputStream, through node:fs/promises.
import { type FileHandle, open } from "node:fs/promises";
import { sizeOption } from "./node-streams.js";
import { PullInputStream } from "./pull-input-stream.js";
import { TrackedOutputStream } from "./tracked-output-stream.js";

/** A path to open, or a `FileHandle` already open. */
export type FileSource = string | URL | FileHandle;

/** Options of {@link fromFileForRead}. */
export interface FileReadOptions {
  /** Bytes per `read` call on the file. Default 64 KiB. */
  readonly chunkSize?: number;
}

/** Options of {@link fromFileForWrite}. */
export interface FileWriteOptions {
  /** `fs.open` flags for a path: `"w"` (default, truncate) or `"a"` (append), `"wx"`… */
  readonly flags?: string;
}

function isHandle(file: FileSource): file is FileHandle {
  return typeof file === "object" && !(file instanceof URL);
}

/** Opens `file` once, lazily; `close` closes whatever was opened or given, once. */
function lazyHandle(file: FileSource, flags: string) {
  let handle: Promise<FileHandle> | null = isHandle(file) ? Promise.resolve(file) : null;
  let closed = false;
  return {
    get(): Promise<FileHandle> {
      handle ??= open(file as string | URL, flags);
      return handle;
    },
    close(after: Promise<unknown> = Promise.resolve()): void {
      if (closed || handle === null) return;
      closed = true;
      const opened = handle;
      after
        .catch(() => {})
        .then(() => opened)
        .then((h) => h.close())
        .catch(() => {});
    },
  };
}

/**
 * An `IInputStream` reading a file from its current position (a path is opened for reading
 * on the first read; an open error rejects that read). Reads are sequential, each of at most
 * what was asked and `chunkSize` bytes, so nothing is read ahead. The stream owns the file:
 * `close()` closes the handle, also one passed in.
 */
export function fromFileForRead(file: FileSource, options: FileReadOptions = {}): PullInputStream {
  const chunkSize = sizeOption(options.chunkSize, 64 * 1024, "chunkSize");
  const handle = lazyHandle(file, "r");
  let reading: Promise<unknown> = Promise.resolve();
  return new PullInputStream({
    async pull(max) {
      const h = await handle.get();
      const size = Math.min(max, chunkSize);
      const buffer = new Uint8Array(size);
      const read = h.read(buffer, 0, size, null);
      reading = read;
      const { bytesRead } = await read;
      return bytesRead === 0 ? null : buffer.subarray(0, bytesRead);
    },
    release() {
      // Close after a read in progress, so the descriptor is not reused under it.
      handle.close(reading);
    },
  });
}

/**
 * An `IOutputStream` writing a file (a path is opened with `flags`, default `"w"`, on the
 * first write). Writes go out in order, each resolving when the OS has taken every byte;
 * `flushAsync` waits for all of them (it does not `fsync`). The stream owns the file: `close()`
 * closes the handle after the queued writes, also one passed in.
 */
export function fromFileForWrite(
  file: FileSource,
  options: FileWriteOptions = {},
): TrackedOutputStream {
  const handle = lazyHandle(file, options.flags ?? "w");
  let queue: Promise<unknown> = Promise.resolve();
  return new TrackedOutputStream({
    write(bytes) {
      const write = queue.then(async () => {
        const h = await handle.get();
        let offset = 0;
        while (offset < bytes.length) {
          const { bytesWritten } = await h.write(bytes, offset, bytes.length - offset, null);
          offset += bytesWritten;
        }
      });
      // A failed write must not stop the ones after it from running (or reporting).
      queue = write.catch(() => {});
      return write;
    },
    end() {
      handle.close(queue);
    },
  });
}
