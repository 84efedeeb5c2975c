export type {
  CloseEvent,
  CloseReceivedEvent,
  ConnectionEvent,
  DataEvent,
  PingEvent,
  PongEvent,
} from "./events.js";
export type { Extension, ExtensionFrameInfo, RsvBits } from "./extension.js";
export {
  DEFAULT_MAX_FRAGMENTS,
  DEFAULT_MAX_MESSAGE_SIZE,
  type Limits,
  resolveLimits,
} from "./limits.js";
