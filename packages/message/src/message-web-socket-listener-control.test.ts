import { describe, expect, it } from "vitest";
import { MessageWebSocket } from "./message-web-socket.js";
import {
  acceptedSocketOptions,
  MessageWebSocketListenerControl,
} from "./message-web-socket-listener-control.js";
import { MessageWebSocketReceiveMode } from "./receive-mode.js";
import { SocketMessageType } from "./socket-message-type.js";

const settings = [
  "messageType",
  "receiveMode",
  "maxMessageSize",
  "maxFragments",
  "outboundBufferSizeInBytes",
  "noDelay",
  "closeTimeoutMs",
  "sendTimeoutMs",
  "messageTimeoutMs",
  "pingIntervalMs",
  "pingTimeoutMs",
  "desiredUnsolicitedPongInterval",
] as const;

describe("acceptedSocketOptions", () => {
  it("hands on only what the listener changed", () => {
    const control = new MessageWebSocketListenerControl(() => false);
    expect(acceptedSocketOptions(control)).toEqual({});
    control.closeTimeoutMs = 1234;
    control.maxMessageSize = 4096;
    expect(acceptedSocketOptions(control)).toEqual({ closeTimeoutMs: 1234, maxMessageSize: 4096 });
  });

  it("gives an accepted socket the same control values as a default socket when nothing changed", () => {
    const accepted = new MessageWebSocket(
      acceptedSocketOptions(new MessageWebSocketListenerControl(() => false)),
    ).control;
    const plain = new MessageWebSocket().control;
    for (const name of settings) expect(accepted[name], name).toEqual(plain[name]);
  });

  it("gives an accepted socket every value the listener changed", () => {
    const control = new MessageWebSocketListenerControl(() => false, {
      closeTimeoutMs: 77,
      pingIntervalMs: 5000,
      noDelay: false,
      maxFragments: 9,
    });
    const accepted = new MessageWebSocket(acceptedSocketOptions(control)).control;
    // (The listener's maxMessageSize is null until set: "the socket's default".)
    for (const name of settings.filter((n) => n !== "maxMessageSize")) {
      expect(accepted[name], name).toEqual(control[name]);
    }
  });

  it("sees every change made after an earlier accept (the unchanged answer is reused)", () => {
    const changes: { [K in (typeof settings)[number]]: MessageWebSocketListenerControl[K] } = {
      messageType: SocketMessageType.utf8,
      receiveMode: MessageWebSocketReceiveMode.partialMessage,
      maxMessageSize: 4096,
      maxFragments: 9,
      outboundBufferSizeInBytes: 1234,
      noDelay: false,
      closeTimeoutMs: 77,
      sendTimeoutMs: 78,
      messageTimeoutMs: 79,
      pingIntervalMs: 5000,
      pingTimeoutMs: 4000,
      desiredUnsolicitedPongInterval: 3000,
    };
    for (const name of settings) {
      const control = new MessageWebSocketListenerControl(() => false);
      const before = acceptedSocketOptions(control);
      expect(acceptedSocketOptions(control), name).toBe(before);
      (control as unknown as Record<string, unknown>)[name] = changes[name];
      expect(acceptedSocketOptions(control), name).toEqual({ [name]: changes[name] });
    }
    const control = new MessageWebSocketListenerControl(() => false, { maxMessageSize: 10 });
    expect(acceptedSocketOptions(control)).toEqual({ maxMessageSize: 10 });
    control.maxMessageSize = null;
    expect(acceptedSocketOptions(control)).toEqual({});
  });
});
