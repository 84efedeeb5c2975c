import { describe, expect, it } from "vitest";
import { parseWebSocketUri, sharedWebSocketUri } from "./websocket-uri.js";

describe("parseWebSocketUri", () => {
  it.each([
    ["ws://example.com", "example.com", 80, "example.com", "/", false],
    ["wss://example.com", "example.com", 443, "example.com", "/", true],
    ["ws://example.com:80/a", "example.com", 80, "example.com", "/a", false],
    ["wss://example.com:8443/a?b=c", "example.com", 8443, "example.com:8443", "/a?b=c", true],
    ["ws://[::1]:9000/x", "::1", 9000, "[::1]:9000", "/x", false],
    ["wss://[2001:db8::1]/", "2001:db8::1", 443, "[2001:db8::1]", "/", true],
    ["ws://127.0.0.1:1/?", "127.0.0.1", 1, "127.0.0.1:1", "/", false],
    ["WS://EXAMPLE.com/Path", "example.com", 80, "example.com", "/Path", false],
  ])("%s", (uri, hostname, port, hostHeader, path, secure) => {
    expect(parseWebSocketUri(uri)).toMatchObject({ hostname, port, hostHeader, path, secure });
  });

  it("accepts a URL object and rejects one with a fragment", () => {
    expect(parseWebSocketUri(new URL("ws://h/p")).path).toBe("/p");
    expect(() => parseWebSocketUri(new URL("ws://h/p#x"))).toThrow(/fragment/);
    expect(() => parseWebSocketUri(new URL("ws://h/p#"))).toThrow(/fragment/);
  });

  it.each(["http://h/", "https://h/", "wss://", "ws://u@h/", "//h/", ""])(
    "rejects %j with ERR_INVALID_URI",
    (uri) => {
      expect(() => parseWebSocketUri(uri)).toThrow(
        expect.objectContaining({ code: "ERR_INVALID_URI" }),
      );
    },
  );
});

describe("sharedWebSocketUri", () => {
  it("parses a string once while it is the last one, and answers as parseWebSocketUri", () => {
    const first = sharedWebSocketUri("ws://127.0.0.1:9/a?b");
    expect(first).toEqual(parseWebSocketUri("ws://127.0.0.1:9/a?b"));
    expect(Object.isFrozen(first)).toBe(true);
    expect(sharedWebSocketUri("ws://127.0.0.1:9/a?b")).toBe(first);
    const other = sharedWebSocketUri("wss://example.com/");
    expect(other).not.toBe(first);
    expect(other).toMatchObject({ secure: true, port: 443, hostname: "example.com" });
    expect(sharedWebSocketUri("ws://127.0.0.1:9/a?b")).not.toBe(first);
  });

  it("parses a URL object every time and never remembers a refused URI", () => {
    const url = new URL("ws://h/p");
    expect(sharedWebSocketUri(url)).not.toBe(sharedWebSocketUri(url));
    for (let i = 0; i < 2; i++) {
      expect(() => sharedWebSocketUri("ws://h/p#x")).toThrow(/fragment/);
    }
  });
});
