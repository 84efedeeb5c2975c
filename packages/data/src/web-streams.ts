// Adapters between WHATWG streams and the IInputStream/IOutputStream contracts, both directions,
// with backpressure through the streams' byte-length queuing strategies.
import { invalidArgument } from "./data-errors.js";
import { InputStreamOptions } from "./input-stream-options.js";
import {
  ChunkReader,
  DEFAULT_CHUNK_SIZE,
  DEFAULT_HIGH_WATER_MARK,
  sizeOption,
  type ToReadableOptions,
  type ToWritableOptions,
} from "./node-streams.js";
import { chunkToBytes, PullInputStream } from "./pull-input-stream.js";
import type { IInputStream, IOutputStream } from "./stream-contracts.js";
import { TrackedOutputStream } from "./tracked-output-stream.js";

/**
 * An {@link IInputStream} reading a WHATWG `ReadableStream` of bytes (strings are read as UTF-8).
 * Chunks are pulled one `read()` at a time, so the stream's own queuing strategy bounds what it
 * buffers ahead. The stream takes ownership: it locks the `ReadableStream`, and `close()` cancels
 * it. A stream error rejects the pending read and every later one with that error.
 */
export function fromReadableStream(stream: ReadableStream): PullInputStream {
  if (!(stream instanceof ReadableStream)) throw invalidArgument("expected a ReadableStream");
  const reader = stream.getReader();
  return new PullInputStream({
    async pull() {
      const next = await reader.read();
      return next.done ? null : chunkToBytes(next.value);
    },
    release() {
      reader.cancel().catch(() => {});
    },
  });
}

/**
 * An {@link IOutputStream} writing to a WHATWG `WritableStream` (it locks it). `writeAsync` waits
 * for the stream's `ready` (its backpressure signal) and resolves when the sink has processed the
 * chunk. `close()` closes the stream gracefully after queued writes.
 */
export function fromWritableStream(stream: WritableStream): TrackedOutputStream {
  if (!(stream instanceof WritableStream)) throw invalidArgument("expected a WritableStream");
  const writer = stream.getWriter();
  return new TrackedOutputStream({
    async write(bytes) {
      await writer.ready;
      await writer.write(bytes);
    },
    end() {
      writer.close().catch(() => {});
    },
  });
}

/**
 * A WHATWG `ReadableStream<Uint8Array>` of the bytes of `input`. It reads with
 * {@link InputStreamOptions.partial} in chunks of at most `chunkSize`, only while its queue holds
 * fewer than `highWaterMark` bytes. It closes at the input's end (closing the input); cancelling
 * it closes the input.
 */
export function toReadableStream(
  input: IInputStream,
  options: ToReadableOptions = {},
): ReadableStream<Uint8Array> {
  const highWaterMark = sizeOption(options.highWaterMark, DEFAULT_HIGH_WATER_MARK, "highWaterMark");
  const chunkSize = sizeOption(options.chunkSize, DEFAULT_CHUNK_SIZE, "chunkSize");
  const abort = new AbortController();
  const reader = new ChunkReader(input, chunkSize);
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let bytes: Uint8Array;
        try {
          bytes = await reader.next(abort.signal);
        } catch (error) {
          if (abort.signal.aborted) return;
          throw error;
        }
        if (bytes.length === 0) {
          controller.close();
          input.close();
        } else {
          controller.enqueue(bytes);
        }
      },
      cancel(reason) {
        abort.abort(reason);
        input.close();
      },
    },
    new ByteLengthQueuingStrategy({ highWaterMark }),
  );
}

/**
 * A WHATWG `WritableStream<Uint8Array>` into `output`. Each chunk is one `writeAsync`, awaited
 * before the next; the writer's `ready` waits while more than `highWaterMark` bytes are queued.
 * `close()` flushes and then closes the output; `abort()` closes it at once.
 */
export function toWritableStream(
  output: IOutputStream,
  options: ToWritableOptions = {},
): WritableStream<Uint8Array> {
  const highWaterMark = sizeOption(options.highWaterMark, DEFAULT_HIGH_WATER_MARK, "highWaterMark");
  return new WritableStream<Uint8Array>(
    {
      async write(chunk) {
        await output.writeAsync(chunkToBytes(chunk));
      },
      async close() {
        await output.flushAsync();
        output.close();
      },
      abort() {
        output.close();
      },
    },
    new ByteLengthQueuingStrategy({ highWaterMark }),
  );
}
