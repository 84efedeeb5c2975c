/**
 * Test helpers for `@netsockets/protocol` (`@netsockets/protocol/testing`): hex vectors, frame
 * builders, chunk splitters, a fixed mask source, drivers and a two-peer in-memory harness.
 * Not for production: the fixed mask source defeats the purpose of masking.
 */
export {
  concatBytes,
  hex,
  seededRandom,
  splitEvery,
  splitRandom,
  toHex,
  utf8,
} from "./bytes.js";
export {
  closePayload,
  EXAMPLE_MASK_KEY,
  type FrameOptions,
  fixedMaskFill,
  frame,
} from "./frames.js";
export {
  type ConnectionPair,
  type ConnectPairOptions,
  connectPair,
  type DriveOptions,
  type DriveResult,
  decodeFrames,
  drive,
  driveAsync,
  type EventHandler,
  echoHandler,
  pump,
  type WireFrame,
} from "./harness.js";
