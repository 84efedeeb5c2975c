import { expect, it } from "vitest";
import { runPartialMemoryChild } from "./memory.js";

const MiB = 1024 * 1024;

it("a 1 GiB message in partialMessage mode is received on bounded memory", async () => {
  const report = await runPartialMemoryChild(1024 * MiB);
  console.log(
    `1 GiB partial: ${report.sections} sections, RSS growth ${((report.peak - report.baseline) / MiB).toFixed(1)} MiB`,
  );
  expect(report.received).toBe(1024 * MiB);
  expect(report.checksumOk).toBe(true);
  // Garbage collection lags a little more over 1 GiB; still an eighth of the message at most.
  expect(report.peak - report.baseline).toBeLessThan(128 * MiB);
}, 600_000);
