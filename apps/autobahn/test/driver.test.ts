import { afterEach, describe, expect, it } from "vitest";
import {
  type FakeFuzzingServer,
  startFakeFuzzingServer,
} from "../../../packages/message/test/conformance/fake-fuzzing-server.js";
import { getCaseCount, parseCaseSelection, runSuite } from "../src/driver.js";

let fuzzer: FakeFuzzingServer | undefined;
afterEach(async () => {
  await fuzzer?.close();
  fuzzer = undefined;
});

/**
 * Every verdict of `agent` that is not OK/OK, as "id: failures" (waiting for each case's verdict:
 * the fuzzer records it after the TCP close, which may come after the driver moved on).
 */
async function notOk(server: FakeFuzzingServer, agent: string, ids: readonly string[]) {
  const verdicts = await Promise.all(ids.map((id) => server.verdict(agent, id)));
  return verdicts
    .filter((v) => v.behavior !== "OK" || v.behaviorClose !== "OK")
    .map((v) => `${v.id}: ${v.failures.join("; ")}`);
}

describe("parseCaseSelection", () => {
  it("reads numbers, ranges and open ranges, clipped to the count", () => {
    expect(parseCaseSelection("1-3,5,9-", 10)).toEqual([1, 2, 3, 5, 9, 10]);
    expect(parseCaseSelection("3,1,3", 5)).toEqual([1, 3]);
    expect(parseCaseSelection("0-2,40", 5)).toEqual([1, 2]);
    expect(() => parseCaseSelection("a-b", 5)).toThrow(/--cases/);
  });
});

describe("runSuite against the fake fuzzing server", () => {
  const selection = [
    "1.1.*",
    "2.*",
    "3.2",
    "4.1.3",
    "5.6",
    "5.19",
    "6.4.*",
    "7.1.*",
    "7.9.1",
    "10.1.1",
  ];

  it.each([
    ["fullMessage", false],
    ["partialMessage", true],
  ])("speaks the URL protocol and every case is OK/OK (%s echo)", async (_mode, partial) => {
    fuzzer = await startFakeFuzzingServer({ cases: selection });
    const count = fuzzer.cases.length;
    expect(await getCaseCount(fuzzer.url)).toBe(count);
    const seen: number[] = [];
    const result = await runSuite({
      url: fuzzer.url,
      agent: "netsockets",
      partial,
      onCase: (outcome) => seen.push(outcome.case),
    });
    expect(result.count).toBe(count);
    expect(seen).toEqual(Array.from({ length: count }, (_, i) => i + 1));
    expect(
      await notOk(
        fuzzer,
        "netsockets",
        fuzzer.cases.map((c) => c.id),
      ),
    ).toEqual([]);
    expect(fuzzer.verdicts.get("netsockets")?.size).toBe(count);
    expect(fuzzer.reportsUpdated).toEqual(["netsockets"]);
    expect(fuzzer.requests[0]).toBe("/getCaseCount");
    expect(fuzzer.requests.at(-1)).toBe("/updateReports?agent=netsockets");
    expect(fuzzer.requests.filter((r) => r.startsWith("/runCase?case="))).toHaveLength(count);
  });

  it("--cases runs only the selected numbers, in order", async () => {
    fuzzer = await startFakeFuzzingServer({ cases: ["2.*"] });
    const result = await runSuite({ url: fuzzer.url, agent: "picky", cases: "2-3,11" });
    expect(result.outcomes.map((o) => o.case)).toEqual([2, 3, 11]);
    expect(await notOk(fuzzer, "picky", ["2.2", "2.3", "2.11"])).toEqual([]);
    expect([...(fuzzer.verdicts.get("picky")?.keys() ?? [])]).toEqual(["2.2", "2.3", "2.11"]);
  });
});
