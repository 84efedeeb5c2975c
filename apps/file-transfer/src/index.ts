// @netsockets-apps/file-transfer: send and receive files over a StreamWebSocket.
export { type CliIo, runCli } from "./cli.js";
export {
  describeStatus,
  statusName,
  statusToWebErrorStatus,
  type TransferOutcome,
} from "./outcome.js";
export { formatBytes, formatDuration, formatProgress, ProgressBar } from "./progress.js";
export {
  ACK_INTERVAL,
  type ReceivedTransfer,
  type ReceiveOptions,
  type Receiver,
  type ReceiverOptions,
  receiveTransfer,
  startReceiver,
} from "./receiver.js";
export { sanitizeFileName } from "./sanitize-name.js";
export { CHUNK_SIZE, type SendOptions, type SentTransfer, sendFile } from "./sender.js";
export {
  encodeStatus,
  type FileHeader,
  MAGIC,
  MAX_NAME_BYTES,
  readHeader,
  readStatus,
  TransferStatus,
  writeHeader,
} from "./wire-format.js";
