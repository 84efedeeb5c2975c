import { InvalidArgumentError } from "@netsockets/errors";

/**
 * `Windows.Networking.Sockets.SocketMessageType` (reference/uwp-api.md §7.3): the kind of a
 * WebSocket message. `control.messageType` chooses it for what a `MessageWebSocket` sends;
 * `args.messageType` reports it for what arrived.
 *
 * @example
 * ```ts
 * socket.control.messageType = SocketMessageType.utf8;
 * await socket.sendAsync(new TextEncoder().encode("hello")); // a text message
 * ```
 */
export const SocketMessageType = Object.freeze({
  /** A binary message (opcode 0x2). The default of `control.messageType`. */
  binary: 0,
  /** A UTF-8 text message (opcode 0x1). */
  utf8: 1,
} as const);

/** One of the values of {@link SocketMessageType}. */
export type SocketMessageType = (typeof SocketMessageType)[keyof typeof SocketMessageType];

/** Whether `value` is a {@link SocketMessageType}. */
export function isSocketMessageType(value: unknown): value is SocketMessageType {
  return value === SocketMessageType.binary || value === SocketMessageType.utf8;
}

/** Throws `InvalidArgumentError` unless `value` is a {@link SocketMessageType} (both controls' setter). */
export function checkSocketMessageType(value: unknown): SocketMessageType {
  if (!isSocketMessageType(value)) {
    throw new InvalidArgumentError(`messageType must be a SocketMessageType, got ${String(value)}`);
  }
  return value;
}
