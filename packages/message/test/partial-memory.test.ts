import { expect, it } from "vitest";
import { runPartialMemoryChild } from "./memory.js";

const MiB = 1024 * 1024;

it("a 256 MiB message in partialMessage mode is received on bounded memory", async () => {
  const report = await runPartialMemoryChild(256 * MiB);
  console.log(
    `256 MiB partial: ${report.sections} sections, RSS growth ${((report.peak - report.baseline) / MiB).toFixed(1)} MiB`,
  );
  expect(report.received).toBe(256 * MiB);
  expect(report.checksumOk).toBe(true);
  expect(report.sections).toBeGreaterThan(256);
  // Both ends live in the child; growth must stay far below the message size.
  expect(report.peak - report.baseline).toBeLessThan(96 * MiB);
}, 120_000);
