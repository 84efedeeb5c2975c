import { describe, expect, it } from "vitest";
import { checkOrigin, isSameOrigin, normalizeOrigin } from "./origin-policy.js";

// peers.md S18: Cross-Site WebSocket Hijacking.
describe("origin policy (default: same host as Host)", () => {
  const host = "example.com";
  const cases: [origin: string | undefined, host: string, secure: boolean, ok: boolean][] = [
    [undefined, host, false, true], // non-browser client: no Origin
    ["http://example.com", host, false, true],
    ["https://example.com", host, false, true], // scheme not compared (TLS-terminating proxy)
    ["HTTP://EXAMPLE.COM", host, false, true], // case
    ["http://Example.Com", "EXAMPLE.com", false, true],
    ["http://example.com:80", host, false, true], // default port spelled out
    ["http://example.com", "example.com:80", false, true],
    ["https://example.com", "example.com:443", true, true],
    ["http://example.com:8080", "example.com:8080", false, true],
    ["http://example.com:8080", host, false, false], // port differs
    ["http://example.com", "example.com:8080", false, false],
    ["http://other.com", host, false, false], // another origin
    ["null", host, false, false], // opaque origin
    ["http://evil-example.com", host, false, false], // suffix lookalike
    ["http://example.com.evil.com", host, false, false],
    ["http://evil.com", "evil.com@example.com", false, false], // userinfo in Host is malformed
    ["http://sub.example.com", host, false, false],
    ["ftp://example.com", host, false, false],
    ["not a url", host, false, false],
  ];
  for (const [origin, h, secure, ok] of cases) {
    it(`${String(origin)} vs Host ${h}${secure ? " (wss)" : ""} → ${ok ? "accepted" : "refused"}`, () => {
      expect(checkOrigin(origin, h, secure, undefined)).toBe(ok);
    });
  }

  it("refuses an Origin when the Host is missing", () => {
    expect(isSameOrigin("http://example.com", undefined)).toBe(false);
  });
});

describe("origin allow-list and predicate", () => {
  it("replaces the same-host rule with exact normalised origins", () => {
    const list = ["https://App.Example.com:443", "http://localhost:3000"];
    expect(checkOrigin("https://app.example.com", "api.example.com", true, list)).toBe(true);
    expect(checkOrigin("http://localhost:3000", "x", false, list)).toBe(true);
    expect(checkOrigin("http://localhost:3001", "x", false, list)).toBe(false);
    expect(checkOrigin("https://evil-app.example.com", "x", false, list)).toBe(false);
    // Same host but not listed: the list replaces the default rule.
    expect(checkOrigin("https://api.example.com", "api.example.com", true, list)).toBe(false);
    expect(checkOrigin("null", "x", false, list)).toBe(false);
    expect(checkOrigin(undefined, "x", false, list)).toBe(true);
  });

  it('admits opaque origins only with "null", and anything with "*"', () => {
    expect(checkOrigin("null", "x", false, ["null"])).toBe(true);
    expect(checkOrigin("http://a.test", "x", false, ["null"])).toBe(false);
    expect(checkOrigin("http://a.test", "x", false, ["*"])).toBe(true);
    expect(checkOrigin("garbage", "x", false, ["*"])).toBe(false);
  });

  it("lets a predicate decide, also asynchronously", async () => {
    const seen: [string, string | undefined][] = [];
    const policy = async (origin: string, host: string | undefined) => {
      seen.push([origin, host]);
      return origin.endsWith(".trusted.test");
    };
    expect(await checkOrigin("https://a.trusted.test", "h", false, policy)).toBe(true);
    expect(await checkOrigin("https://a.untrusted.test", "h", false, policy)).toBe(false);
    expect(seen).toEqual([
      ["https://a.trusted.test", "h"],
      ["https://a.untrusted.test", "h"],
    ]);
  });

  it("normalises origins", () => {
    expect(normalizeOrigin("HTTPS://Example.COM:443/")).toBe("https://example.com");
    expect(normalizeOrigin("null")).toBe("null");
    expect(normalizeOrigin("file:///x")).toBe("null");
    expect(normalizeOrigin("::")).toBeUndefined();
  });
});
