import { InvalidArgumentError } from "@netsockets/errors";

/**
 * `Windows.Networking.Sockets.MessageWebSocketReceiveMode` (reference/uwp-api.md §7.2): whether
 * `messagereceived` carries whole messages or sections of a message as they arrive.
 *
 * @example
 * ```ts
 * socket.control.receiveMode = MessageWebSocketReceiveMode.partialMessage;
 * socket.addEventListener("messagereceived", (args) => {
 *   sink.write(args.getDataReader().detachBuffer());
 *   if (args.isMessageComplete) sink.end();
 * });
 * ```
 */
export const MessageWebSocketReceiveMode = Object.freeze({
  /** Deliver only complete messages (the default), assembled up to `maxMessageSize`. */
  fullMessage: 0,
  /** Deliver each section of a message as it arrives; memory stays bounded for any size. */
  partialMessage: 1,
} as const);

/** One of the values of {@link MessageWebSocketReceiveMode}. */
export type MessageWebSocketReceiveMode =
  (typeof MessageWebSocketReceiveMode)[keyof typeof MessageWebSocketReceiveMode];

/** Whether `value` is a {@link MessageWebSocketReceiveMode}. */
export function isReceiveMode(value: unknown): value is MessageWebSocketReceiveMode {
  return (
    value === MessageWebSocketReceiveMode.fullMessage ||
    value === MessageWebSocketReceiveMode.partialMessage
  );
}

/** Throws `InvalidArgumentError` unless `value` is a {@link MessageWebSocketReceiveMode} (both controls' setter). */
export function checkReceiveMode(value: unknown): MessageWebSocketReceiveMode {
  if (!isReceiveMode(value)) {
    throw new InvalidArgumentError(
      `receiveMode must be a MessageWebSocketReceiveMode, got ${String(value)}`,
    );
  }
  return value;
}
