import { HResult } from "@netsockets/errors";
import { afterEach, describe, expect, it } from "vitest";
import { MessageWebSocket } from "../src/index.js";
import { connectClient, echo, startServer, type TestServer } from "./helpers.js";

const servers: TestServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.listener.close({ timeoutMs: 500 });
});

const invalidArgument = expect.objectContaining({
  code: "ERR_INVALID_ARGUMENT",
  hresult: HResult.E_INVALIDARG,
});

describe("close(code, reason) validation (RFC 6455 §7.4, §5.5)", () => {
  it.each([999, 1004, 1005, 1006, 1015, 2999, 5000, 1.5, -1])("refuses code %s", (code) => {
    const socket = new MessageWebSocket();
    expect(() => socket.close(code, "")).toThrow(invalidArgument);
  });

  it("refuses a reason over 123 UTF-8 bytes, and a reason without a code", () => {
    const socket = new MessageWebSocket();
    expect(() => socket.close(1000, "é".repeat(62))).toThrow(invalidArgument); // 124 bytes
    expect(() => socket.close(undefined, "why")).toThrow(invalidArgument);
    expect(() => socket.close(1000, `${"é".repeat(61)}a`)).not.toThrow(); // 123 bytes
  });

  it.each([1000, 1001, 1003, 1007, 1014, 3000, 4999])(
    "sends code %s with its reason",
    async (code) => {
      const s = await startServer(echo);
      servers.push(s);
      const accepted = s.nextSocket();
      const { socket } = await connectClient(s.url);
      const peer = await accepted;
      const peerClosed = new Promise<{ code: number; reason: string }>((resolve) => {
        peer.addEventListener("closed", ({ code, reason }) => resolve({ code, reason }));
      });
      const reason = "r".repeat(123);
      socket.close(code, reason);
      expect(await peerClosed).toEqual({ code, reason });
      socket.close(code, reason); // again: nothing
    },
  );

  it("[Symbol.dispose] closes with an empty close frame (the peer sees 1005)", async () => {
    const s = await startServer(echo);
    servers.push(s);
    const accepted = s.nextSocket();
    let peerClosed: Promise<number> | undefined;
    {
      using socket = new MessageWebSocket();
      await socket.connectAsync(s.url);
      const peer = await accepted;
      peerClosed = new Promise((resolve) => {
        peer.addEventListener("closed", ({ code }) => resolve(code));
      });
    }
    expect(await peerClosed).toBe(1005);
  });

  it("close() before connect makes the socket single-use; no closed event", async () => {
    const socket = new MessageWebSocket();
    let closed = 0;
    socket.onclosed = () => closed++;
    socket.close();
    socket.close();
    await expect(socket.connectAsync("ws://127.0.0.1:1/")).rejects.toMatchObject({
      code: "ERR_OBJECT_CLOSED",
    });
    expect(closed).toBe(0);
  });
});
