export { decodeBase64, encodeBase64 } from "./base64.js";
export { ByteQueue } from "./byte-queue.js";
export {
  type DecodedClosePayload,
  decodeClosePayload,
  encodeClosePayload,
  MAX_CLOSE_REASON_BYTES,
} from "./close-payload.js";
export {
  type CloseFrameInfo,
  type CloseInfo,
  Connection,
  type ConnectionOptions,
  type ConnectionState,
} from "./connection.js";
export type {
  CloseEvent,
  CloseReceivedEvent,
  ConnectionEvent,
  DataEvent,
  PingEvent,
  PongEvent,
} from "./events.js";
export type { Extension, ExtensionFrameInfo, RsvBits } from "./extension.js";
export { FrameParser, type FrameParserOptions, ParseStep } from "./frame-parser.js";
export {
  type Allocate,
  frameHeaderLength,
  type SerializeFrameOptions,
  serializeFrame,
} from "./frame-serializer.js";
export {
  type AcceptHeadersOptions,
  buildAcceptHeaders,
  buildClientRequestHeaders,
  type ClientRequestCheck,
  type ClientRequestHeadersOptions,
  computeAcceptKey,
  type ExpectedResponse,
  generateClientKey,
  type HeaderMap,
  type RandomFill,
  type ServerResponseCheck,
  validateClientRequest,
  validateServerResponse,
  WEBSOCKET_GUID,
  webErrorStatusForHttpStatus,
} from "./handshake.js";
export {
  type ExtensionOffer,
  formatExtensionHeader,
  type HeaderValue,
  isToken,
  parseExtensionHeader,
  parseProtocolHeader,
  parseTokenList,
  parseUpgradeHeader,
} from "./header-values.js";
export {
  DEFAULT_MAX_FRAGMENTS,
  DEFAULT_MAX_MESSAGE_SIZE,
  type Limits,
  resolveLimits,
} from "./limits.js";
export { applyMask, defaultRandomFill, MaskKeyPool, maskInto } from "./mask.js";
export {
  type AssembledMessage,
  MessageAssembler,
  type MessageAssemblerOptions,
} from "./message-assembler.js";
export { isControlOpcode, isReservedOpcode, Opcode } from "./opcode.js";
export { sha1 } from "./sha1.js";
export { isValidUtf8, Utf8Validator } from "./utf8.js";
