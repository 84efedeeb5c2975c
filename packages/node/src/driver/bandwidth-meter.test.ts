import { describe, expect, it } from "vitest";
import { BandwidthMeter } from "./bandwidth-meter.js";

describe("BandwidthMeter", () => {
  it("reports the bits of the last second, sliding in 100 ms slots", () => {
    let now = 10_000;
    const meter = new BandwidthMeter(() => now);
    expect(meter.bitsPerSecond()).toBe(0n);
    meter.record(1000); // slot 100
    now += 250;
    meter.record(500); // slot 102
    expect(meter.bitsPerSecond()).toBe(12_000n);
    now = 10_950; // slot 109: both still inside
    expect(meter.bitsPerSecond()).toBe(12_000n);
    now = 11_000; // slot 110: slot 100 left the window
    expect(meter.bitsPerSecond()).toBe(4_000n);
    now = 11_300; // slot 113: slot 102 left too
    expect(meter.bitsPerSecond()).toBe(0n);
  });

  it("reuses ring slots without carrying stale bytes over", () => {
    let now = 0;
    const meter = new BandwidthMeter(() => now);
    meter.record(100); // slot 0
    now = 1_000; // slot 10 maps to the same ring entry
    meter.record(7);
    expect(meter.bitsPerSecond()).toBe(56n);
  });

  it("ignores non-positive counts", () => {
    const meter = new BandwidthMeter(() => 0);
    meter.record(0);
    meter.record(-5);
    expect(meter.bitsPerSecond()).toBe(0n);
  });
});
