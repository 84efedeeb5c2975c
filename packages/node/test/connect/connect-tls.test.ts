import type { LookupAddress } from "node:dns";
import { getEventListeners } from "node:events";
import type * as tls from "node:tls";
import {
  CertificateError,
  ConnectionClosedError,
  HResult,
  OperationCanceledError,
  WebErrorStatus,
  WebSocketError,
} from "@netsockets/errors";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeCertificates, type TestCertificates, toPfx } from "../../../../tests/support/certs.js";
import {
  clearProxyEnvironment,
  closed,
  startSilentServer,
  startWsServer,
  type WsTestServer,
} from "../../../../tests/support/servers.js";
import type { ConnectOptions, LookupFunction } from "../../src/connect/connect-options.js";
import { openWebSocketTransport } from "../../src/connect/open-websocket-transport.js";
import {
  ChainValidationResult,
  SocketSslErrorSeverity,
} from "../../src/winrt/chain-validation-result.js";
import type { WebSocketServerCustomValidationRequestedEventArgs } from "../../src/winrt/server-custom-validation.js";

clearProxyEnvironment();

const R = ChainValidationResult;

/** localhost → 127.0.0.1, without real DNS. */
const lookup: LookupFunction = (_hostname, _options, callback) => {
  const list: LookupAddress[] = [{ address: "127.0.0.1", family: 4 }];
  queueMicrotask(() => callback(null, list));
};

let certs: TestCertificates;
const servers: WsTestServer[] = [];

async function serve(options: tls.TlsOptions): Promise<WsTestServer> {
  const server = await startWsServer({ tls: options });
  servers.push(server);
  return server;
}

/** Connects to `wss://localhost:port/` trusting the test CA unless told otherwise. */
function connect(server: WsTestServer, options: ConnectOptions = {}, signal?: AbortSignal) {
  return openWebSocketTransport(
    `wss://localhost:${server.port}/`,
    { lookup, ca: certs.ca.cert, ...options },
    { signal },
  );
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error("expected the connect to fail");
    },
    (error: unknown) => error,
  );
}

let good: WsTestServer;
let chained: WsTestServer;
let incomplete: WsTestServer;
let selfSigned: WsTestServer;
let untrustedChain: WsTestServer;
let expired: WsTestServer;
let notYetValid: WsTestServer;
let wrongName: WsTestServer;
let expiredUntrusted: WsTestServer;
let clientAuth: WsTestServer;
let revoked: WsTestServer;
let crl: string;

beforeAll(async () => {
  certs = await makeCertificates();
  const DAY = 86_400_000;
  const expiredFromUnknownCa = await certs.untrustedRoot.issue({
    commonName: "localhost",
    dns: ["localhost"],
    notBefore: new Date(Date.now() - 10 * DAY),
    notAfter: new Date(Date.now() - DAY),
  });
  good = await serve(certs.server);
  chained = await serve({
    key: certs.viaIntermediate.key,
    cert: `${certs.viaIntermediate.cert}\n${certs.intermediate.cert}`,
  });
  incomplete = await serve(certs.viaIntermediate);
  selfSigned = await serve(certs.selfSigned);
  untrustedChain = await serve({
    key: certs.untrustedLeaf.key,
    cert: `${certs.untrustedLeaf.cert}\n${certs.untrustedRoot.cert}`,
  });
  expired = await serve(certs.expired);
  notYetValid = await serve(certs.notYetValid);
  wrongName = await serve(certs.wrongName);
  expiredUntrusted = await serve(expiredFromUnknownCa);
  const revokedLeaf = await certs.ca.issue({ commonName: "localhost", dns: ["localhost"] });
  crl = await certs.ca.revocationList([revokedLeaf.cert]);
  revoked = await serve(revokedLeaf);
  clientAuth = await serve({
    ...certs.server,
    ca: certs.ca.cert,
    requestCert: true,
    rejectUnauthorized: true,
  });
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

describe("default validation", () => {
  it("connects to a server whose chain ends at a trusted CA, with SNI, and reports no error", async () => {
    const transport = await connect(good);
    const socket = transport.socket as tls.TLSSocket;
    expect(socket.encrypted).toBe(true);
    expect(transport.serverCertificate?.subject).toContain("CN=localhost");
    expect(transport.serverCertificateErrors).toEqual([]);
    expect(transport.serverCertificateErrorSeverity).toBe(SocketSslErrorSeverity.none);
    expect(transport.serverIntermediateCertificates).toEqual([]);
    // The server saw our SNI.
    const [serverSide] = [...good.connections.sockets] as tls.TLSSocket[];
    expect((serverSide as tls.TLSSocket & { servername?: string }).servername).toBe("localhost");
    socket.destroy();
  });

  it("reports the intermediate certificates a server sends", async () => {
    const transport = await connect(chained);
    expect(transport.serverIntermediateCertificates.map((c) => c.subject)).toEqual([
      "CN=netsockets test intermediate",
    ]);
    transport.socket.destroy();
  });

  it("fails a self-signed certificate with certificateIsInvalid (untrusted)", async () => {
    const error = await failure(connect(selfSigned));
    expect(error).toBeInstanceOf(CertificateError);
    expect(error).toMatchObject({
      code: "ERR_CERTIFICATE",
      status: WebErrorStatus.certificateIsInvalid,
      hresult: HResult.WININET_E_INVALID_CA,
    });
  });

  it("fails a chain ending at an untrusted root with certificateIsInvalid", async () => {
    const error = await failure(connect(untrustedChain));
    expect(error).toMatchObject({ status: WebErrorStatus.certificateIsInvalid });
  });

  it("fails a missing intermediate with certificateIsInvalid (incompleteChain)", async () => {
    const error = await failure(connect(incomplete));
    expect(error).toMatchObject({ status: WebErrorStatus.certificateIsInvalid });
  });

  it("fails an expired certificate with certificateExpired", async () => {
    const error = await failure(connect(expired));
    expect(error).toMatchObject({
      status: WebErrorStatus.certificateExpired,
      hresult: HResult.WININET_E_SEC_CERT_DATE_INVALID,
    });
    expect(WebSocketError.getStatus(error)).toBe(WebErrorStatus.certificateExpired);
    expect(WebSocketError.getStatus(HResult.WININET_E_SEC_CERT_DATE_INVALID)).toBe(
      WebErrorStatus.certificateExpired,
    );
  });

  it("fails a not-yet-valid certificate with certificateExpired", async () => {
    const error = await failure(connect(notYetValid));
    expect(error).toMatchObject({ status: WebErrorStatus.certificateExpired });
  });

  it("fails a certificate for another name with certificateCommonNameIsIncorrect", async () => {
    const error = await failure(connect(wrongName));
    expect(error).toMatchObject({
      status: WebErrorStatus.certificateCommonNameIsIncorrect,
      hresult: HResult.WININET_E_SEC_CERT_CN_INVALID,
    });
  });

  it("fails without the user CA: the user CA is what made the good server trusted", async () => {
    const error = await failure(
      openWebSocketTransport(`wss://localhost:${good.port}/`, { lookup }),
    );
    expect(error).toMatchObject({ status: WebErrorStatus.certificateIsInvalid });
  });
});

describe("ignorableServerCertificateErrors", () => {
  it.each([
    ["self-signed", () => selfSigned, [R.untrusted], [R.untrusted]],
    ["untrusted root", () => untrustedChain, [R.untrusted], [R.untrusted]],
    ["missing intermediate", () => incomplete, [R.incompleteChain], [R.incompleteChain]],
    ["expired", () => expired, [R.expired], [R.expired]],
    ["not yet valid", () => notYetValid, [R.expired], [R.expired]],
    ["wrong name", () => wrongName, [R.invalidName], [R.invalidName]],
  ] as const)(
    "lets a %s certificate through and reports it",
    async (_name, server, ignore, reported) => {
      const transport = await connect(server(), { ignorableServerCertificateErrors: ignore });
      expect(transport.serverCertificateErrors).toEqual(reported);
      expect(transport.serverCertificateErrorSeverity).toBe(SocketSslErrorSeverity.ignorable);
      expect(transport.serverCertificate).not.toBeNull();
      transport.socket.destroy();
    },
  );

  it("fails closed on an error that was not listed", async () => {
    const error = await failure(
      connect(wrongName, { ignorableServerCertificateErrors: [R.expired, R.untrusted] }),
    );
    expect(error).toMatchObject({ status: WebErrorStatus.certificateCommonNameIsIncorrect });
  });

  it("does not let an untrusted certificate through when only expired is ignored (OpenSSL reports the date last)", async () => {
    const error = await failure(
      connect(expiredUntrusted, { ignorableServerCertificateErrors: [R.expired] }),
    );
    expect(error).toMatchObject({ status: WebErrorStatus.certificateIsInvalid });
    const transport = await connect(expiredUntrusted, {
      ignorableServerCertificateErrors: [R.expired, R.incompleteChain],
    });
    expect(transport.serverCertificateErrors).toEqual([R.expired, R.incompleteChain].sort());
    transport.socket.destroy();
  });

  it("cannot waive an error that is never ignorable", async () => {
    const error = await failure(
      connect(selfSigned, { ignorableServerCertificateErrors: [R.otherErrors] }),
    );
    expect(error).toMatchObject({ status: WebErrorStatus.certificateIsInvalid });
  });
});

describe("onServerCustomValidation", () => {
  it("runs after the default validation with the certificate and the ignored errors", async () => {
    const seen: WebSocketServerCustomValidationRequestedEventArgs[] = [];
    const transport = await connect(selfSigned, {
      ignorableServerCertificateErrors: [R.untrusted],
      onServerCustomValidation: (args) => seen.push(args),
    });
    transport.socket.destroy();
    expect(seen).toHaveLength(1);
    expect(seen[0]?.serverCertificate.fingerprint256).toBe(
      transport.serverCertificate?.fingerprint256,
    );
    expect(seen[0]?.serverCertificateErrors).toEqual([R.untrusted]);
    expect(seen[0]?.serverCertificateErrorSeverity).toBe(SocketSslErrorSeverity.ignorable);
  });

  it("is not asked when the default validation fails", async () => {
    let asked = false;
    await failure(connect(expired, { onServerCustomValidation: () => (asked = true) }));
    expect(asked).toBe(false);
  });

  it("reject() fails the connect with ERR_SERVER_CERTIFICATE_REJECTED / INET_E_SECURITY_PROBLEM", async () => {
    const error = await failure(
      connect(good, { onServerCustomValidation: (args) => args.reject() }),
    );
    expect(error).toBeInstanceOf(CertificateError);
    expect(error).toMatchObject({
      code: "ERR_SERVER_CERTIFICATE_REJECTED",
      hresult: HResult.INET_E_SECURITY_PROBLEM,
      status: WebErrorStatus.unknown,
    });
  });

  it("decides asynchronously through a deferral: reject", async () => {
    const error = await failure(
      connect(good, {
        onServerCustomValidation: (args) => {
          const deferral = args.getDeferral();
          setImmediate(() => {
            args.reject();
            deferral.complete();
          });
        },
      }),
    );
    expect(error).toMatchObject({ code: "ERR_SERVER_CERTIFICATE_REJECTED" });
  });

  it("decides asynchronously through a deferral: accept", async () => {
    let completed = false;
    const transport = await connect(good, {
      onServerCustomValidation: (args) => {
        const deferral = args.getDeferral();
        setImmediate(() => {
          completed = true;
          deferral.complete();
          expect(() => deferral.complete()).toThrow();
        });
      },
    });
    expect(completed).toBe(true);
    transport.socket.destroy();
  });

  it("fails closed when the hook throws", async () => {
    const error = await failure(
      connect(good, {
        onServerCustomValidation: () => {
          throw new Error("boom");
        },
      }),
    );
    expect(error).toMatchObject({ code: "ERR_SERVER_CERTIFICATE_REJECTED" });
  });

  it("fails at once, without an unhandled error, when the server drops the connection during a deferral", async () => {
    const dropping = await serve(certs.server);
    const error = await failure(
      connect(dropping, {
        onServerCustomValidation: (args) => {
          args.getDeferral(); // never completed: only the connection loss can end the wait
          dropping.connections.next().then((socket) => socket.destroy());
        },
      }),
    );
    expect(error).toMatchObject({ status: WebErrorStatus.connectionAborted });
  });

  it("an abort while a deferral is open cancels and cleans up", async () => {
    const controller = new AbortController();
    const error = await failure(
      connect(
        good,
        {
          onServerCustomValidation: (args) => {
            args.getDeferral();
            setImmediate(() => controller.abort());
          },
        },
        controller.signal,
      ),
    );
    expect(error).toBeInstanceOf(OperationCanceledError);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });
});

describe("a server that never answers the TLS handshake", () => {
  it("is cut off by handshakeTimeoutMs with timeout", async () => {
    const silent = await startSilentServer();
    try {
      const pending = failure(
        openWebSocketTransport(`wss://127.0.0.1:${silent.port}/`, { handshakeTimeoutMs: 100 }),
      );
      const accepted = await silent.connections.next();
      expect(await pending).toMatchObject({ code: "ERR_TIMEOUT", status: WebErrorStatus.timeout });
      await closed(accepted);
    } finally {
      await silent.close();
    }
  });

  it("is cancelled by the signal with operationCanceled, leaving no listener", async () => {
    const silent = await startSilentServer();
    const controller = new AbortController();
    try {
      const pending = failure(
        openWebSocketTransport(
          `wss://127.0.0.1:${silent.port}/`,
          {},
          { signal: controller.signal },
        ),
      );
      const accepted = await silent.connections.next();
      // Wait for the ClientHello, so the abort lands in the TLS stage.
      await new Promise((resolve) => accepted.once("data", resolve));
      controller.abort();
      expect(await pending).toBeInstanceOf(OperationCanceledError);
      await closed(accepted);
      expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
    } finally {
      await silent.close();
    }
  });
});

describe("revocation (with CRLs)", () => {
  it("is not checked without a CRL: Node fetches none", async () => {
    const transport = await connect(revoked);
    expect(transport.serverCertificateErrors).toEqual([]);
    transport.socket.destroy();
  });

  it("fails a revoked certificate with certificateRevoked", async () => {
    const error = await failure(connect(revoked, { crl }));
    expect(error).toMatchObject({
      status: WebErrorStatus.certificateRevoked,
      hresult: HResult.WININET_E_SEC_CERT_REVOKED,
    });
  });

  it("passes a certificate the CRL does not list", async () => {
    const transport = await connect(good, { crl });
    expect(transport.serverCertificateErrors).toEqual([]);
    transport.socket.destroy();
  });

  it("lets an ignored revocation through, reported with severity fatal", async () => {
    const transport = await connect(revoked, {
      crl,
      ignorableServerCertificateErrors: [R.revoked],
    });
    expect(transport.serverCertificateErrors).toEqual([R.revoked]);
    expect(transport.serverCertificateErrorSeverity).toBe(SocketSslErrorSeverity.fatal);
    transport.socket.destroy();
  });

  it("does not let a certificate through on ignoring expired when revocation was masked", async () => {
    const error = await failure(
      connect(expired, { crl, ignorableServerCertificateErrors: [R.expired] }),
    );
    expect(error).toMatchObject({ status: WebErrorStatus.certificateContainsErrors });
  });
});

describe("client certificates", () => {
  it("presents a PEM client certificate the server requires", async () => {
    const transport = await connect(clientAuth, { clientCertificate: certs.client });
    const [serverSide] = [...clientAuth.connections.sockets] as tls.TLSSocket[];
    expect(serverSide?.getPeerCertificate().subject?.CN).toBe("netsockets client");
    transport.socket.destroy();
  });

  it("presents a PFX (PKCS#12) client certificate", async () => {
    const transport = await connect(clientAuth, {
      clientCertificate: { pfx: toPfx(certs.client) },
    });
    const subjects = [...clientAuth.connections.sockets].map(
      (s) => (s as tls.TLSSocket).getPeerCertificate().subject?.CN,
    );
    expect(subjects).toContain("netsockets client");
    transport.socket.destroy();
  });

  it("rejects an unusable key or certificate with InvalidArgumentError", async () => {
    const error = await failure(
      connect(good, { clientCertificate: { key: "not a key", cert: certs.client.cert } }),
    );
    expect(error).toMatchObject({ code: "ERR_INVALID_ARGUMENT" });
  });

  it("fails with connectionAborted when the server requires a certificate and none is given", async () => {
    const error = await failure(connect(clientAuth));
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect(error).toMatchObject({ status: WebErrorStatus.connectionAborted });
  });
});

describe("trust store", () => {
  it("adds a user CA to Node's roots and NODE_EXTRA_CA_CERTS instead of replacing them", async () => {
    const { execFile } = await import("node:child_process");
    const { mkdtemp, writeFile, rm } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    const path = await import("node:path");
    const { fileURLToPath } = await import("node:url");
    const { makeAuthority } = await import("../../../../tests/support/certs.js");
    const other = await makeAuthority("second CA");
    const b = await serve(await other.issue({ commonName: "127.0.0.1", ips: ["127.0.0.1"] }));
    const dir = await mkdtemp(path.join(tmpdir(), "netsockets-ca-"));
    const extra = path.join(dir, "extra.pem");
    await writeFile(extra, certs.ca.cert);
    const script = fileURLToPath(new URL("./fixtures/extra-ca-child.ts", import.meta.url));
    const root = fileURLToPath(new URL("../../../../", import.meta.url));
    try {
      const stdout = await new Promise<string>((resolve, reject) => {
        execFile(
          process.execPath,
          ["--import", "tsx", "--conditions=@netsockets/source", script],
          {
            cwd: root,
            env: {
              ...process.env,
              NODE_EXTRA_CA_CERTS: extra,
              PORT_A: String(good.port),
              PORT_B: String(b.port),
              CA_B_PEM: other.cert,
            },
          },
          (error, out) => (error ? reject(error) : resolve(out)),
        );
      });
      expect(JSON.parse(stdout.trim())).toEqual({
        extraOnly: "ok",
        extraWithUserCa: "ok",
        userCa: "ok",
        userCaMissing: String(WebErrorStatus.certificateIsInvalid),
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
