import { describe, expect, it } from "vitest";
import { transferToChild } from "./transfer.js";

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

// `pnpm test:soak`: the 4 GiB versions of transfer.test.ts.
describe("soak: 4 GiB through a StreamWebSocket to a forked receiver", () => {
  it("4 GiB arrive intact with the receiver's peak RSS growth under 64 MiB", async () => {
    const { sentSha256, received } = await transferToChild(4 * GiB);
    expect(received.bytes).toBe(4 * GiB);
    expect(received.sha256).toBe(sentSha256);
    expect(received.closedCode).toBe(1000);
    console.log(`4 GiB: receiver peak RSS growth ${(received.rssGrowth / MiB).toFixed(1)} MiB`);
    expect(received.rssGrowth).toBeLessThan(64 * MiB);
  });

  it("4 GiB with a reader that pauses 20 ms every 4 MiB", async () => {
    const { sentSha256, received } = await transferToChild(4 * GiB, {
      pauseEvery: 4 * MiB,
      pauseMs: 20,
      seed: 13,
    });
    expect(received.bytes).toBe(4 * GiB);
    expect(received.sha256).toBe(sentSha256);
    console.log(
      `4 GiB, slow reader: receiver peak RSS growth ${(received.rssGrowth / MiB).toFixed(1)} MiB`,
    );
    expect(received.rssGrowth).toBeLessThan(64 * MiB);
  });
});
