export { ByteOrder } from "./byte-order.js";
export { DataReader } from "./data-reader.js";
export { DataWriter } from "./data-writer.js";
export { InputStreamOptions } from "./input-stream-options.js";
export { fromBytes, MemoryInputStream, MemoryOutputStream } from "./memory-streams.js";
export type { AsyncOptions, IInputStream, IOutputStream } from "./stream-contracts.js";
export { UnicodeEncoding } from "./unicode-encoding.js";
export { TICKS_PER_MILLISECOND, UNIX_EPOCH_TICKS } from "./wire-time.js";
