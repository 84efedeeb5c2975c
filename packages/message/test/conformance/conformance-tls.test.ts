/**
 * The same 301 Autobahn rows over TLS (`wss://`), both roles, fullMessage mode: TLS splits and
 * merges records differently from TCP segments, so every case runs once more through the TLS
 * transport of both sides (the raw peers use node:tls with a certificate made at test time).
 */
import { afterAll, beforeAll, describe, it } from "vitest";
import { runCase } from "../../../../apps/autobahn/src/driver.js";
import { type EchoServer, startEchoServer } from "../../../../apps/echo-server/src/echo-server.js";
import { makeAuthority } from "../../../../tests/support/certs.js";
import { runCaseScript } from "./case-runner.js";
import { expectStrictOk, rows } from "./conformance-rows.js";
import { type FakeFuzzingServer, startFakeFuzzingServer } from "./fake-fuzzing-server.js";
import { rawClientConnect } from "./raw-peer.js";

let ca = "";
let identity: { cert: string; key: string };
beforeAll(async () => {
  const authority = await makeAuthority("conformance TLS CA");
  identity = await authority.issue({
    commonName: "localhost",
    dns: ["localhost"],
    ips: ["127.0.0.1"],
  });
  ca = authority.cert;
});

describe("server role over wss://: MessageWebSocketListener echo", () => {
  let server: EchoServer;
  beforeAll(async () => {
    server = await startEchoServer({ tls: { port: 0, ...identity } });
  });
  afterAll(() => server.close());

  it.each(rows)("$id", async ({ id, build }) => {
    const connection = await rawClientConnect(server.tlsPort as number, "/", {}, { tls: { ca } });
    expectStrictOk(await runCaseScript(id, connection, build(), "client"));
  });
});

describe("client role over wss://: the apps/autobahn echo client", () => {
  let fuzzer: FakeFuzzingServer;
  beforeAll(async () => {
    fuzzer = await startFakeFuzzingServer({ tls: identity });
  });
  afterAll(() => fuzzer.close());

  it.each(rows)("$id", async ({ id, n }) => {
    await runCase(fuzzer.url, n, "netsockets-tls", { ca });
    expectStrictOk(await fuzzer.verdict("netsockets-tls", id));
  });
});
