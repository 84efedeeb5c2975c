// The "In code" example of README.md, verbatim between the region markers (the last test checks
// that), run against the in-repo fake fuzzing server instead of Autobahn's.
import { expect, it, vi } from "vitest";
import { startFakeFuzzingServer } from "../../../packages/message/test/conformance/fake-fuzzing-server.js";
import { expectMarkdownShowsRegion } from "../../../tests/support/readme.js";
import { clearProxyEnvironment } from "../../../tests/support/servers.js";

// The example talks to 127.0.0.1: a proxy set in the machine's environment must not take it.
clearProxyEnvironment();

// #region readme
import { runSuite } from "@netsockets-apps/autobahn";

/** Runs every case of a fuzzing server (`wstest -m fuzzingserver` listens on 9001). */
export async function runAutobahn(url = "ws://127.0.0.1:9001") {
  const { count, outcomes } = await runSuite({ url, agent: "netsockets" }); // then updateReports
  const lost = outcomes.filter((outcome) => outcome.error !== null); // lost or refused
  console.log(`${outcomes.length} of ${count} cases run, ${lost.length} lost`);
  return outcomes;
}
// #endregion readme

it("runs every case of the fuzzing server, then asks for its reports", async () => {
  const fuzzer = await startFakeFuzzingServer({ cases: ["1.1.*", "2.*", "5.6"] });
  const logged = vi.spyOn(console, "log").mockImplementation(() => {});
  try {
    const outcomes = await runAutobahn(fuzzer.url);
    const count = fuzzer.cases.length;
    expect(count).toBeGreaterThan(10);
    expect(outcomes.map((outcome) => outcome.case)).toEqual(
      Array.from({ length: count }, (_, i) => i + 1),
    );
    expect(logged.mock.calls).toEqual([[`${count} of ${count} cases run, 0 lost`]]);
    expect(fuzzer.reportsUpdated).toEqual(["netsockets"]);
  } finally {
    logged.mockRestore();
    await fuzzer.close();
  }
});

it("README.md shows this example verbatim", () => {
  expectMarkdownShowsRegion(
    new URL("../README.md", import.meta.url),
    new URL(import.meta.url),
    "readme",
    "## In code",
  );
});
