// The README shows the examples of readme-example.test.ts and readme-upgrade-server.test.ts
// verbatim, so they always compile and run, and it names every export of the driver, server and
// shared WinRT modules.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { expectMarkdownShowsRegion } from "../../../../tests/support/readme.js";

const readmeUrl = new URL("../../README.md", import.meta.url);
const readme = readFileSync(readmeUrl, "utf8");

describe("README.md", () => {
  it.each([
    ["readme-example.test.ts", "readme", "## Example"],
    [
      "readme-upgrade-server.test.ts",
      "readme-upgrade-server",
      "## Accepting upgrades: `UpgradeServer`",
    ],
  ])("shows the example of %s (region %s), verbatim", (file, region, heading) => {
    expectMarkdownShowsRegion(readmeUrl, new URL(`./${file}`, import.meta.url), region, heading);
  });

  it("documents the main exports of the driver, the server and the event model", async () => {
    const api = await import("../../src/index.js");
    const names = [
      "createDriver",
      "Driver",
      "nodeConnectionOptions",
      "UpgradeServer",
      "isSameOrigin",
      "TypedEventTarget",
      "WebSocketClosedEventArgs",
      "BandwidthStatistics",
    ];
    for (const name of names) {
      if (name !== "BandwidthStatistics") expect(api, name).toHaveProperty(name);
      expect(readme, name).toContain(`\`${name}`);
    }
  });

  it("states the defaults the code uses", async () => {
    const api = await import("../../src/index.js");
    expect(api.DEFAULT_CLOSE_TIMEOUT_MS).toBe(30_000);
    expect(api.DEFAULT_SEND_TIMEOUT_MS).toBe(30_000);
    expect(api.DEFAULT_MESSAGE_TIMEOUT_MS).toBe(30_000);
    expect(api.DEFAULT_OUTBOUND_BUFFER_SIZE).toBe(65_536);
    expect(api.DEFAULT_PING_TIMEOUT_MS).toBe(20_000);
    expect(api.DEFAULT_HANDSHAKE_TIMEOUT_MS).toBe(10_000);
    expect(api.DEFAULT_MAX_HEADERS_COUNT).toBe(100);
    expect(api.DEFAULT_MAX_HEADER_SIZE).toBe(16 * 1024);
    expect(api.DEFAULT_SHUTDOWN_TIMEOUT_MS).toBe(10_000);
    for (const text of ["| `closeTimeoutMs` | 30 000", "| `outboundBufferSizeInBytes` | 65 536"]) {
      expect(readme).toContain(text);
    }
  });
});
