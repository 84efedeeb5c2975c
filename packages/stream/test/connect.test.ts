// connectAsync: cancellation through the signal and through close(), and reuse after a failure.
import { getEventListeners } from "node:events";
import {
  OperationCanceledError,
  TimeoutError,
  WebErrorStatus,
  WebSocketError,
} from "@netsockets/errors";
import { describe, expect, it } from "vitest";
import { startSilentServer } from "../../../tests/support/servers.js";
import { StreamWebSocket } from "../src/index.js";
import { startServer } from "./helpers.js";

describe("StreamWebSocket.connectAsync", () => {
  it("a signal cancels it (operationCanceled, or timeout for AbortSignal.timeout); the socket stays usable", async () => {
    const silent = await startSilentServer();
    try {
      const socket = new StreamWebSocket({ proxy: false });
      const controller = new AbortController();
      const pending = socket.connectAsync(`ws://127.0.0.1:${silent.port}/`, {
        signal: controller.signal,
      });
      await silent.connections.next(); // the TCP connection is up, the handshake waits
      controller.abort();
      const error = await pending.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OperationCanceledError);
      expect(WebSocketError.getStatus(error)).toBe(WebErrorStatus.operationCanceled);

      const timedOut = await socket
        .connectAsync(`ws://127.0.0.1:${silent.port}/`, { signal: AbortSignal.timeout(50) })
        .catch((e: unknown) => e);
      expect(timedOut).toBeInstanceOf(TimeoutError);

      const server = await startServer();
      try {
        await socket.connectAsync(server.url);
        expect(socket.information.localAddress).toBe("127.0.0.1");
        socket.close();
      } finally {
        await server.listener.close({ timeoutMs: 1000 });
      }
    } finally {
      await silent.close();
    }
  });

  it("close() during connectAsync cancels it and the socket is closed for good", async () => {
    const silent = await startSilentServer();
    try {
      const socket = new StreamWebSocket({ proxy: false });
      const pending = socket.connectAsync(`ws://127.0.0.1:${silent.port}/`);
      await silent.connections.next();
      socket.close();
      await expect(pending).rejects.toBeInstanceOf(OperationCanceledError);
      await expect(socket.connectAsync(`ws://127.0.0.1:${silent.port}/`)).rejects.toMatchObject({
        code: "ERR_OBJECT_CLOSED",
      });
    } finally {
      await silent.close();
    }
  });

  it("a signal is let go once connected: aborting it later leaves the connection open", async () => {
    const server = await startServer();
    try {
      const socket = new StreamWebSocket({ proxy: false });
      const controller = new AbortController();
      await socket.connectAsync(server.url, { signal: controller.signal });
      expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
      controller.abort();
      await socket.outputStream.writeAsync(new Uint8Array([1, 2, 3]));
      const closed = new Promise<void>((resolve) => {
        socket.addEventListener("closed", () => resolve());
      });
      socket.close(1000);
      await closed;
      // Read at connect time: still reported once the socket is gone.
      expect(socket.information.localAddress).toBe("127.0.0.1");
    } finally {
      await server.listener.close({ timeoutMs: 1000 });
    }
  });

  it("handshakeTimeoutMs and close() end a pending connect without leaving a timer behind", async () => {
    const silent = await startSilentServer();
    try {
      const timers = (): number =>
        process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
      const before = timers();
      const timed = new StreamWebSocket({ proxy: false, handshakeTimeoutMs: 50 });
      const error = await timed
        .connectAsync(`ws://127.0.0.1:${silent.port}/`)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TimeoutError);
      expect((error as Error).message).toContain("within 50 ms");
      expect(timers()).toBeLessThanOrEqual(before);
      await silent.connections.next(); // the timed-out attempt's connection

      const closed = new StreamWebSocket({ proxy: false });
      const pending = closed.connectAsync(`ws://127.0.0.1:${silent.port}/`);
      await silent.connections.next();
      closed.close();
      await expect(pending).rejects.toBeInstanceOf(OperationCanceledError);
      expect(timers()).toBeLessThanOrEqual(before);
    } finally {
      await silent.close();
    }
  });

  it("a second connectAsync while connected is refused", async () => {
    const server = await startServer();
    try {
      const socket = new StreamWebSocket({ proxy: false });
      await socket.connectAsync(server.url);
      await expect(socket.connectAsync(server.url)).rejects.toMatchObject({
        code: "ERR_INVALID_STATE",
      });
      socket.close();
    } finally {
      await server.listener.close({ timeoutMs: 1000 });
    }
  });
});
