// The README shows the example of readme-example.test.ts verbatim, so it always compiles and runs,
// and it names every export of the driver, server and shared WinRT modules.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");

describe("README.md", () => {
  it("shows the example of readme-example.test.ts, verbatim", () => {
    const source = readFileSync(new URL("./readme-example.test.ts", import.meta.url), "utf8");
    const example = source
      .slice(
        source.indexOf("// #region readme\n") + "// #region readme\n".length,
        source.indexOf("// #endregion readme"),
      )
      .trimEnd();
    expect(example.length).toBeGreaterThan(200);
    expect(readme).toContain(`\`\`\`ts\n${example}\n\`\`\``);
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
