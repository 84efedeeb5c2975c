import { describe, expect, it } from "vitest";
import { transferToChild } from "./transfer.js";

const MiB = 1024 * 1024;

describe("bulk transfer to a forked receiver (hashed on both ends, peak RSS measured there)", () => {
  it("256 MiB arrive intact with the receiver's peak RSS growth under 64 MiB", async () => {
    const { sentSha256, received } = await transferToChild(256 * MiB);
    expect(received.bytes).toBe(256 * MiB);
    expect(received.sha256).toBe(sentSha256);
    expect(received.closedCode).toBe(1000);
    console.log(`256 MiB: receiver peak RSS growth ${(received.rssGrowth / MiB).toFixed(1)} MiB`);
    expect(received.rssGrowth).toBeLessThan(64 * MiB);
  }, 180_000);

  it("the same with a reader that pauses 20 ms every 4 MiB (TCP pushes back on the sender)", async () => {
    const { sentSha256, received } = await transferToChild(256 * MiB, {
      pauseEvery: 4 * MiB,
      pauseMs: 20,
      seed: 11,
    });
    expect(received.bytes).toBe(256 * MiB);
    expect(received.sha256).toBe(sentSha256);
    console.log(
      `256 MiB, slow reader: receiver peak RSS growth ${(received.rssGrowth / MiB).toFixed(1)} MiB`,
    );
    expect(received.rssGrowth).toBeLessThan(64 * MiB);
  }, 180_000);
});
