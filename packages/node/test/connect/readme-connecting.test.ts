// The "Connecting" example of README.md, verbatim between the region markers (checked below),
// then run against a real TLS server with certificates made at test time.
import { readFileSync } from "node:fs";
import { WebErrorStatus, WebSocketError } from "@netsockets/errors";
import { openWebSocketTransport, PasswordCredential } from "@netsockets/node";
import { afterAll, beforeAll, expect, it } from "vitest";
import { makeCertificates, type TestCertificates } from "../../../../tests/support/certs.js";
import {
  clearProxyEnvironment,
  startWsServer,
  type WsTestServer,
} from "../../../../tests/support/servers.js";

clearProxyEnvironment();

// #region readme-connecting
/** Opens `wss://` to a server whose certificate is pinned by its SHA-256 fingerprint. */
export async function connectPinned(url: string, ca: string, fingerprint256: string) {
  try {
    return await openWebSocketTransport(
      url,
      {
        ca, // added to Node's roots and NODE_EXTRA_CA_CERTS, not instead of them
        supportedProtocols: ["chat.v2"],
        serverCredential: new PasswordCredential(url, "alice", "s3cret"), // only after a 401
        onServerCustomValidation(args) {
          // Runs after the default validation passed; no reject() means accept.
          if (args.serverCertificate.fingerprint256 !== fingerprint256) args.reject();
        },
      },
      { signal: AbortSignal.timeout(10_000) }, // rejects with status `timeout`
    );
  } catch (error) {
    if (WebSocketError.getStatus(error) === WebErrorStatus.certificateIsInvalid) {
      console.warn("the server's certificate is not trusted");
    }
    throw error; // .code, .status and .hresult say what failed
  }
}
// #endregion readme-connecting

let certs: TestCertificates;
let server: WsTestServer;
beforeAll(async () => {
  certs = await makeCertificates();
  server = await startWsServer({
    tls: certs.server,
    ws: { handleProtocols: (p) => (p.has("chat.v2") ? "chat.v2" : false) },
  });
});
afterAll(() => server.close());

it("README: the Connecting example is shown verbatim", () => {
  const source = readFileSync(new URL(import.meta.url), "utf8");
  const start = "// #region readme-connecting\n";
  const example = source
    .slice(source.indexOf(start) + start.length, source.indexOf("// #endregion readme-connecting"))
    .trimEnd();
  // The README block starts with the example's imports, which sit at the top of this file.
  const imports = [
    'import { WebErrorStatus, WebSocketError } from "@netsockets/errors";',
    'import { openWebSocketTransport, PasswordCredential } from "@netsockets/node";',
  ].join("\n");
  expect(source).toContain(imports);
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  expect(readme.slice(readme.indexOf("## Connecting"))).toContain(
    `\`\`\`ts\n${imports}\n\n${example}\n\`\`\``,
  );
});

it("README: the example connects to the pinned server and refuses another certificate", async () => {
  const url = `wss://127.0.0.1:${server.port}/`;
  const pin = new (await import("node:crypto")).X509Certificate(certs.server.cert).fingerprint256;
  const transport = await connectPinned(url, certs.ca.cert, pin);
  expect(transport.protocol).toBe("chat.v2");
  transport.socket.destroy();
  await expect(connectPinned(url, certs.ca.cert, "00:11")).rejects.toMatchObject({
    code: "ERR_SERVER_CERTIFICATE_REJECTED",
  });
});
