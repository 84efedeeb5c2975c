import type { LookupAddress } from "node:dns";
import { Connection } from "@netsockets/protocol";
import { afterAll, beforeAll, expect, it } from "vitest";
import { makeCertificates, type TestCertificates } from "../../../../tests/support/certs.js";
import { startProxy, type TestProxy } from "../../../../tests/support/proxy.js";
import {
  clearProxyEnvironment,
  requireBasicAuth,
  respond,
  startWsServer,
  type WsTestServer,
} from "../../../../tests/support/servers.js";
import type { LookupFunction } from "../../src/connect/connect-options.js";
import { openWebSocketTransport } from "../../src/connect/open-websocket-transport.js";
import { createDriver, type DriverCloseInfo, nodeConnectionOptions } from "../../src/index.js";
import { ChainValidationResult } from "../../src/winrt/chain-validation-result.js";
import { PasswordCredential } from "../../src/winrt/password-credential.js";

clearProxyEnvironment();

// Every stage at once: the proxy's name resolved by an injected lookup, an authenticating CONNECT
// proxy, TLS through the tunnel with an ignored name mismatch, a redirect, a 401 Basic challenge —
// then node-core's driver carries messages over the upgraded socket. The target is an IP literal
// so that the proxy, which resolves it, never asks real DNS.

const lookup: LookupFunction = (_hostname, _options, callback) => {
  const list: LookupAddress[] = [{ address: "127.0.0.1", family: 4 }];
  queueMicrotask(() => callback(null, list));
};

let certs: TestCertificates;
let server: WsTestServer;
let proxy: TestProxy;

beforeAll(async () => {
  certs = await makeCertificates();
  const auth = requireBasicAuth("alice", "pw");
  server = await startWsServer({
    tls: certs.wrongName,
    intercept: (request, socket) => {
      if (request.url === "/old") {
        respond(socket, 308, { location: "/chat" });
        return "handled";
      }
      return auth(request, socket);
    },
  });
  proxy = await startProxy({ userName: "proxy-user", password: "proxy-pass" });
});

afterAll(async () => {
  await server.close();
  await proxy.close();
});

it("connects through proxy auth, TLS, a redirect and server auth, then exchanges messages", async () => {
  const transport = await openWebSocketTransport(
    // The certificate names wrong.example only: invalidName is ignored.
    `wss://127.0.0.1:${server.port}/old`,
    {
      lookup,
      proxy: `http://proxy.test:${proxy.port}`,
      proxyCredential: new PasswordCredential("proxy", "proxy-user", "proxy-pass"),
      serverCredential: new PasswordCredential("chat", "alice", "pw"),
      followRedirects: 1,
      ca: certs.ca.cert,
      ignorableServerCertificateErrors: [ChainValidationResult.invalidName],
    },
  );
  expect(transport.uri.pathname).toBe("/chat");
  expect(transport.serverCertificateErrors).toEqual([ChainValidationResult.invalidName]);
  // 407, then the tunnel for the redirect, then 401, then the retry: four CONNECTs.
  expect(proxy.connects).toEqual(Array(4).fill(`127.0.0.1:${server.port}`));

  const received: string[] = [];
  let closeInfo: DriverCloseInfo | undefined;
  let onClosed!: () => void;
  const closed = new Promise<void>((resolve) => {
    onClosed = resolve;
  });
  let gotEcho!: () => void;
  const echoed = new Promise<void>((resolve) => {
    gotEcho = resolve;
  });
  const decoder = new TextDecoder();
  let partial = "";
  const driver = createDriver(
    transport.socket,
    new Connection(nodeConnectionOptions("client")),
    {
      onData(bytes, info) {
        partial += decoder.decode(bytes, { stream: !info.messageFinished });
        if (info.messageFinished) {
          received.push(partial);
          partial = "";
          if (received.length === 2) gotEcho();
        }
      },
      onClose(info) {
        closeInfo = info;
        onClosed();
      },
      onError(error) {
        throw error;
      },
    },
    { head: transport.head },
  );
  await driver.sendText("through every stage");
  await echoed;
  expect(received).toEqual(["hello", "through every stage"]);
  driver.close(1000, "done");
  await closed;
  expect(closeInfo).toMatchObject({ code: 1000, wasClean: true, closedBy: "local" });
});
