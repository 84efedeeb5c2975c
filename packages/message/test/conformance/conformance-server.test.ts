/**
 * Autobahn TestSuite groups 1–7, 9 and 10 in the **server role**, one row per case, sent as raw
 * frames over real sockets, each asserting the strict outcome (case-runner.ts). The system under
 * test is the echo server of apps/echo-server (a `MessageWebSocketListener` whose sockets echo
 * with `sendAsync`, or section by section in partialMessage mode); the fuzzer is a raw-frame
 * client (raw-peer.ts) that masks its frames.
 */
import { afterAll, beforeAll, describe, it } from "vitest";
import { type EchoServer, startEchoServer } from "../../../../apps/echo-server/src/echo-server.js";
import { runCaseScript } from "./case-runner.js";
import { expectStrictOk, rows } from "./conformance-rows.js";
import { rawClientConnect } from "./raw-peer.js";

describe.each([
  ["fullMessage", false],
  ["partialMessage", true],
])("server role: MessageWebSocketListener echo (%s)", (_mode, partial) => {
  let server: EchoServer;
  beforeAll(async () => {
    server = await startEchoServer({ partial });
  });
  afterAll(() => server.close());

  it.each(rows)("$id", async ({ id, build }) => {
    const connection = await rawClientConnect(server.port);
    expectStrictOk(await runCaseScript(id, connection, build(), "client"));
  });
});
