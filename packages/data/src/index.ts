export { ByteOrder } from "./byte-order.js";
export { DataReader } from "./data-reader.js";
export { DataWriter } from "./data-writer.js";
export {
  type FileReadOptions,
  type FileSource,
  type FileWriteOptions,
  fromFileForRead,
  fromFileForWrite,
} from "./file-streams.js";
export { InputStreamOptions } from "./input-stream-options.js";
export { fromBytes, MemoryInputStream, MemoryOutputStream } from "./memory-streams.js";
export {
  DEFAULT_CHUNK_SIZE,
  DEFAULT_HIGH_WATER_MARK,
  fromReadable,
  fromWritable,
  type ToReadableOptions,
  type ToWritableOptions,
  toReadable,
  toWritable,
} from "./node-streams.js";
export { type ChunkSource, PullInputStream } from "./pull-input-stream.js";
export type { AsyncOptions, IInputStream, IOutputStream } from "./stream-contracts.js";
export { type ByteSink, TrackedOutputStream } from "./tracked-output-stream.js";
export { UnicodeEncoding } from "./unicode-encoding.js";
export {
  fromReadableStream,
  fromWritableStream,
  toReadableStream,
  toWritableStream,
} from "./web-streams.js";
export { TICKS_PER_MILLISECOND, UNIX_EPOCH_TICKS } from "./wire-time.js";
