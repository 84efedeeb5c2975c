import { describe, expect, it } from "vitest";
import { MessageWebSocket } from "./message-web-socket.js";
import {
  acceptedSocketOptions,
  MessageWebSocketListenerControl,
} from "./message-web-socket-listener-control.js";

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
});
