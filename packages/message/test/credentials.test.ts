import { WebErrorStatus, WebSocketError } from "@netsockets/errors";
import { PasswordCredential } from "@netsockets/node";
import { afterEach, describe, expect, it } from "vitest";
import { startProxy } from "../../../tests/support/proxy.js";
import { basicMatches } from "../../../tests/support/servers.js";
import { MessageWebSocket } from "../src/index.js";
import { Collector, echo, startServer, type TestServer } from "./helpers.js";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function server(...args: Parameters<typeof startServer>): Promise<TestServer> {
  const s = await startServer(...args);
  cleanups.push(() => s.listener.close({ timeoutMs: 500 }));
  return s;
}

describe("connect options through control", () => {
  it("serverCredential answers a 401 Basic challenge", async () => {
    const s = await server(echo, {
      upgradeHook: (request) =>
        basicMatches(request.headers.authorization, "alice", "s3cret")
          ? undefined
          : { accept: false, status: 401, headers: { "www-authenticate": 'Basic realm="chat"' } },
    });
    const anonymous = new MessageWebSocket();
    const error = await anonymous.connectAsync(s.url).catch((e: unknown) => e);
    expect(WebSocketError.getStatus(error)).toBe(WebErrorStatus.unauthorized);
    anonymous.control.serverCredential = new PasswordCredential("chat", "alice", "s3cret");
    await anonymous.connectAsync(s.url);
    anonymous.close();
  });

  it("proxy and proxyCredential tunnel through an HTTP CONNECT proxy", async () => {
    const s = await server(echo);
    const proxy = await startProxy({ userName: "bob", password: "pw" });
    cleanups.push(() => proxy.close());
    const socket = new MessageWebSocket({ proxy: proxy.url });
    const error = await socket.connectAsync(s.url).catch((e: unknown) => e);
    expect(WebSocketError.getStatus(error)).toBe(WebErrorStatus.proxyAuthenticationRequired);
    socket.control.proxyCredential = new PasswordCredential("proxy", "bob", "pw");
    const received = new Collector(socket);
    await socket.connectAsync(s.url);
    await socket.sendAsync("via proxy");
    await received.waitFor(1);
    expect(received.texts()).toEqual(["via proxy"]);
    expect(proxy.connects.at(-1)).toBe(new URL(s.url).host);
    socket.close();
  });

  it("lookup resolves host names (no real DNS)", async () => {
    const s = await server(echo);
    const asked: string[] = [];
    const socket = new MessageWebSocket({
      proxy: false,
      lookup: (hostname, _options, callback) => {
        asked.push(hostname);
        callback(null, [{ address: "127.0.0.1", family: 4 }]);
      },
    });
    await socket.connectAsync(`ws://echo.test:${new URL(s.url).port}/`);
    expect(asked).toEqual(["echo.test"]);
    expect(socket.information.localAddress).toBe("127.0.0.1");
    socket.close();
  });
});
