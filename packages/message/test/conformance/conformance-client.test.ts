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

/** The code of a close frame payload (1005 when empty). */
const closeCodeOf = (payload: Uint8Array | undefined): number =>
  payload === undefined || payload.length < 2
    ? 1005
    : ((payload[0] as number) << 8) | (payload[1] as number);

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

  it.each(rows)("$id", async ({ id, n, build }) => {
    const outcome = await runCase(fuzzer.url, n, agent, { partial });
    expectStrictOk(await fuzzer.verdict(agent, id));
    // The socket's own view (the termination table): never a lost connection; `closed` carries
    // the code of the closing handshake — the one it sent on a violation, the peer's otherwise
    // (1005 for an empty close frame); a data violation is also a receive error first.
    const script = build();
    expect(outcome.error).toBeNull();
    expect(outcome.closeCode).toBe(closeCodeOf(script.expect.at(-1)?.payload));
    const dataViolation =
      !script.fuzzerCloses &&
      !script.steps.some((s) => s.kind === "send" && s.frames.some((f) => f.opcode === 8));
    if (dataViolation) expect(outcome.receiveError).not.toBeNull();
  });
});
