import { describe, expect, it } from "vitest";
import { bypassesProxy, selectProxy } from "./proxy-selection.js";
import { parseWebSocketUri } from "./websocket-uri.js";

const target = (uri: string) => parseWebSocketUri(uri);

describe("selectProxy", () => {
  it("uses HTTPS_PROXY for wss: and HTTP_PROXY for ws:, lower case first", () => {
    const env = { HTTPS_PROXY: "http://s:1", https_proxy: "http://lower:2", HTTP_PROXY: "p:3" };
    expect(selectProxy(target("wss://a/"), undefined, env)?.url.href).toBe("http://lower:2/");
    expect(selectProxy(target("ws://a/"), undefined, env)).toMatchObject({
      hostname: "p",
      port: 3,
    });
    expect(selectProxy(target("ws://a/"), undefined, {})).toBeNull();
    expect(selectProxy(target("ws://a/"), false, env)).toBeNull();
  });

  it("takes an explicit proxy over the environment, and credentials from its URL", () => {
    const proxy = selectProxy(target("ws://a/"), "http://u%40x:p%3Aw@[::1]:8080", {
      HTTP_PROXY: "http://env:1",
    });
    expect(proxy).toMatchObject({ hostname: "::1", port: 8080 });
    expect(proxy?.credential).toMatchObject({ userName: "u@x", password: "p:w" });
  });

  it("refuses proxies that are not http:", () => {
    expect(() => selectProxy(target("ws://a/"), "https://p:1", undefined)).toThrow(/only http/);
    expect(() => selectProxy(target("ws://a/"), "socks5://p:1", undefined)).toThrow();
  });
});

describe("bypassesProxy (NO_PROXY)", () => {
  it.each([
    ["ws://a.example.com/", "example.com", true],
    ["ws://example.com/", ".example.com", true],
    ["ws://a.example.com/", "*.example.com", true],
    ["ws://badexample.com/", "example.com", false],
    ["ws://example.com.evil/", "example.com", false],
    ["ws://host:8080/", "host:8080", true],
    ["ws://host:8080/", "host:9090", false],
    ["wss://host/", "host:443", true],
    ["ws://10.1.2.3/", "10.1.2.3", true],
    ["ws://[::1]:80/", "::1", true],
    ["ws://[::1]:80/", "[::1]:80", true],
    ["ws://[::1]:80/", "[::1]:81", false],
    ["ws://anything/", "*", true],
    ["ws://x/", " a , x ", true],
    ["ws://x/", "", false],
    ["ws://EXAMPLE.com/", "Example.COM", true],
  ])("%s with NO_PROXY=%j → %s", (uri, noProxy, expected) => {
    expect(bypassesProxy(target(uri), noProxy)).toBe(expected);
  });
});
