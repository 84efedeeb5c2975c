/** Shared by the two conformance test files: the rows and the strict assertion. */
import { expect } from "vitest";
import { autobahnCases } from "./autobahn-cases.js";
import type { CaseVerdict } from "./case-runner.js";

/** One row per Autobahn case: id, 1-based number (as `/runCase?case=N` counts), builder. */
export const rows = autobahnCases.map((c, i) => ({ id: c.id, n: i + 1, build: c.build }));

/** Fails with the verdict's own words, so a failing row says what the implementation did. */
export function expectStrictOk(verdict: CaseVerdict): void {
  expect(
    {
      behavior: verdict.behavior,
      behaviorClose: verdict.behaviorClose,
      failures: verdict.failures,
    },
    `received: ${verdict.received.join(", ")}`,
  ).toEqual({ behavior: "OK", behaviorClose: "OK", failures: [] });
}
