import { getEventListeners } from "node:events";
import {
  InvalidArgumentError,
  InvalidStateError,
  OperationCanceledError,
} from "@netsockets/errors";
import { describe, expect, it } from "vitest";
import type { ConnectCancellation } from "../connect/connect-cancellation.js";
import { TEMPLATE_CONTROL_OWNER } from "./control-snapshots.js";
import {
  checkCloseArguments,
  checkRequestHeader,
  closeWebSocketConnection,
  connectWebSocket,
  driverControlValues,
  readyWebSocketDriver,
  socketDriverOptions,
  WebSocketBase,
  type WebSocketBaseEventMap,
  type WebSocketKind,
  type WebSocketPhase,
} from "./web-socket-base.js";
import { WebSocketControl } from "./web-socket-control.js";

// A socket kind as the socket packages write one: its own state and close(), a module-level kind.
let KIND: WebSocketKind<TestSocket>;
class TestSocket extends WebSocketBase<WebSocketBaseEventMap> {
  #phase: WebSocketPhase = "idle";
  #accepted = false;
  #connectAbort: ConnectCancellation | undefined;
  closes = 0;
  get phase(): WebSocketPhase {
    return this.#phase;
  }
  accept(): void {
    this.#accepted = true;
  }
  close(code?: number, reason?: string): void {
    checkCloseArguments(code, reason);
    this.closes++;
    const phase = this.#phase;
    if (phase === "closed") return;
    this.#phase = "closed";
    closeWebSocketConnection(phase, undefined, this.#connectAbort, code, reason);
  }
  static {
    // A test kind: the state is read through the public getters where it can be.
    KIND = {
      attach: () => {
        throw new Error("not reached");
      },
      control: () => new WebSocketControl(TEMPLATE_CONTROL_OWNER, 0),
      phase: (s) => (s.#accepted ? "accepted" : s.phase),
      setPhase(s, phase, abort) {
        s.#connectAbort = abort;
        s.#phase = phase;
      },
    };
  }
}

describe("checkCloseArguments", () => {
  it.each([
    [undefined, "why", "a close reason needs a close code"],
    [1005, undefined, "close code 1005 may not be sent"],
    [999, "", "close code 999 may not be sent"],
    [1000, "x".repeat(124), "the close reason is over 123 UTF-8 bytes"],
    [1000, 5 as unknown as string, "the close reason must be a string"],
  ])("refuses code %s, reason %s", (code, reason, message) => {
    expect(() => checkCloseArguments(code, reason)).toThrow(InvalidArgumentError);
    expect(() => checkCloseArguments(code, reason)).toThrow(message);
  });

  it("accepts no arguments, an empty reason and a sendable code", () => {
    expect(() => checkCloseArguments(undefined, undefined)).not.toThrow();
    expect(() => checkCloseArguments(undefined, "")).not.toThrow();
    expect(() => checkCloseArguments(4000, "x".repeat(123))).not.toThrow();
  });
});

describe("checkRequestHeader", () => {
  it("refuses bad names and values, the handshake's headers, and a locked socket, in that order", () => {
    expect(() => checkRequestHeader("bad name", "x", true)).toThrow("invalid header name bad name");
    expect(() => checkRequestHeader("X-A", "a\nb", true)).toThrow("invalid value for header X-A");
    expect(() => checkRequestHeader("Host", "x", true)).toThrow(InvalidArgumentError);
    expect(() => checkRequestHeader("Sec-WebSocket-Key", "x", false)).toThrow(
      "Sec-WebSocket-Key is set by the WebSocket handshake",
    );
    expect(() => checkRequestHeader("X-A", "1", true)).toThrow(InvalidStateError);
    expect(checkRequestHeader("X-Token", "1", false)).toBe("x-token");
  });
});

describe("driverControlValues and socketDriverOptions", () => {
  it("carry every driver value of the control into the driver's options, with the extensions", () => {
    const control = new WebSocketControl(TEMPLATE_CONTROL_OWNER, 4096);
    control.closeTimeoutMs = 1001;
    control.sendTimeoutMs = 1002;
    control.messageTimeoutMs = 1003;
    control.desiredUnsolicitedPongInterval = 1004;
    control.pingIntervalMs = 1005;
    control.pingTimeoutMs = 1006;
    const values = driverControlValues(control);
    const extensions = Object.freeze([]);
    expect(socketDriverOptions(values, extensions)).toEqual({
      closeTimeoutMs: 1001,
      sendTimeoutMs: 1002,
      messageTimeoutMs: 1003,
      outboundBufferSizeInBytes: 4096,
      desiredUnsolicitedPongIntervalMs: 1004,
      pingIntervalMs: 1005,
      pingTimeoutMs: 1006,
      extensions,
    });
  });
});

describe("readyWebSocketDriver", () => {
  it("refuses sends before connect and after close", () => {
    expect((readyWebSocketDriver(undefined, "idle") as InvalidStateError).code).toBe(
      "ERR_INVALID_STATE",
    );
    expect((readyWebSocketDriver(undefined, "closed") as InvalidStateError).code).toBe(
      "ERR_OBJECT_CLOSED",
    );
  });
});

describe("WebSocketBase and connectWebSocket", () => {
  it("[Symbol.dispose] closes; a closed socket never connects", async () => {
    const socket = new TestSocket();
    socket[Symbol.dispose]();
    expect(socket.closes).toBe(1);
    expect(socket.phase).toBe("closed");
    await expect(
      connectWebSocket(socket, "ws://127.0.0.1:1/", {}, undefined, KIND),
    ).rejects.toMatchObject({
      code: "ERR_OBJECT_CLOSED",
    });
  });

  it("a listener's socket never connects", async () => {
    const socket = new TestSocket();
    socket.accept();
    await expect(
      connectWebSocket(socket, "ws://127.0.0.1:1/", {}, undefined, KIND),
    ).rejects.toThrow("this socket was accepted by a listener: it is already connected");
  });

  it("close() while connecting cancels the connect, which leaves the socket closed", async () => {
    const socket = new TestSocket();
    // Port 1 on loopback refuses, but only after close() ran in this tick.
    const connecting = connectWebSocket(socket, "ws://127.0.0.1:1/", {}, undefined, KIND);
    expect(socket.phase).toBe("connecting");
    await expect(
      connectWebSocket(socket, "ws://127.0.0.1:1/", {}, undefined, KIND),
    ).rejects.toThrow("connectAsync is already in progress");
    socket.close();
    await expect(connecting).rejects.toBeInstanceOf(OperationCanceledError);
    expect(socket.phase).toBe("closed");
  });

  it("follows the caller's signal only while connecting: an abort cancels, nothing stays hooked", async () => {
    const socket = new TestSocket();
    const controller = new AbortController();
    const connecting = connectWebSocket(
      socket,
      "ws://127.0.0.1:1/",
      { signal: controller.signal },
      undefined,
      KIND,
    );
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(1);
    controller.abort();
    await expect(connecting).rejects.toBeInstanceOf(OperationCanceledError);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
    expect(socket.phase).toBe("idle");
    const other = new AbortController();
    await expect(
      connectWebSocket(socket, "ws://127.0.0.1:1/", { signal: other.signal }, undefined, KIND),
    ).rejects.toMatchObject({ code: "ERR_CANNOT_CONNECT" });
    expect(getEventListeners(other.signal, "abort")).toHaveLength(0);
  });

  it("a failed connect leaves the socket reusable (reference §17.2)", async () => {
    const socket = new TestSocket();
    await expect(
      connectWebSocket(socket, "ws://127.0.0.1:1/", {}, undefined, KIND),
    ).rejects.toMatchObject({
      code: "ERR_CANNOT_CONNECT",
    });
    expect(socket.phase).toBe("idle");
  });
});
