/**
 * Autobahn TestSuite groups 1–7, 9 and 10 in the **client role**, one row per case, each
 * asserting the strict outcome (case-runner.ts). The system under test is the Autobahn client
 * driver of apps/autobahn (`runCase`: a `MessageWebSocket` that echoes every message, or section
 * by section with `--partial`), connecting to the fake fuzzing server's
 * `/runCase?case=N&agent=…`, whose raw-frame server plays the case with unmasked frames.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCase } from "../../../../apps/autobahn/src/driver.js";
import { expectStrictOk, rows } from "./conformance-rows.js";
import { type FakeFuzzingServer, startFakeFuzzingServer } from "./fake-fuzzing-server.js";

describe.each([
  ["fullMessage", false],
  ["partialMessage", true],
])("client role: MessageWebSocket echo client of apps/autobahn (%s)", (_mode, partial) => {
  let fuzzer: FakeFuzzingServer;
  const agent = partial ? "netsockets-partial" : "netsockets";
  beforeAll(async () => {
    fuzzer = await startFakeFuzzingServer();
  });
  afterAll(() => fuzzer.close());

  it.each(rows)("$id", async ({ id, n }) => {
    const outcome = await runCase(fuzzer.url, n, agent, { partial });
    expect(outcome.error).toBeNull();
    expect(outcome.closeCode).not.toBeNull();
    expectStrictOk(await fuzzer.verdict(agent, id));
  });
});
