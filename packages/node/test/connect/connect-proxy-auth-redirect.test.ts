import type { LookupAddress } from "node:dns";
import { getEventListeners } from "node:events";
import {
  HandshakeError,
  NetworkError,
  OperationCanceledError,
  WebErrorStatus,
} from "@netsockets/errors";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeCertificates, type TestCertificates } from "../../../../tests/support/certs.js";
import { startProxy, type TestProxy } from "../../../../tests/support/proxy.js";
import {
  basicMatches,
  clearProxyEnvironment,
  closed,
  requireBasicAuth,
  respond,
  type SilentServer,
  startSilentServer,
  startWsServer,
  type WsTestServer,
} from "../../../../tests/support/servers.js";
import type { LookupFunction } from "../../src/connect/connect-options.js";
import { openWebSocketTransport } from "../../src/connect/open-websocket-transport.js";
import { PasswordCredential } from "../../src/winrt/password-credential.js";

clearProxyEnvironment();

/** Every name → 127.0.0.1 (never real DNS); records what was asked. */
function loopbackLookup(): LookupFunction & { calls: string[] } {
  const calls: string[] = [];
  const lookup = ((hostname, _options, callback) => {
    calls.push(hostname);
    const list: LookupAddress[] = [{ address: "127.0.0.1", family: 4 }];
    queueMicrotask(() => callback(null, list));
  }) as LookupFunction & { calls: string[] };
  lookup.calls = calls;
  return lookup;
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error("expected the connect to fail");
    },
    (error: unknown) => error,
  );
}

const alice = new PasswordCredential("test", "alice", "s3cret: wörd");
let certs: TestCertificates;
let plain: WsTestServer;
let secure: WsTestServer;
let authServer: WsTestServer;
let redirector: WsTestServer;
let secureRedirector: WsTestServer;
let openProxy: TestProxy;
let authProxy: TestProxy;
let silent: SilentServer;

beforeAll(async () => {
  certs = await makeCertificates();
  plain = await startWsServer();
  secure = await startWsServer({ tls: certs.server });
  authServer = await startWsServer({ intercept: requireBasicAuth(alice.userName, alice.password) });
  // GET /go?to=<Location>[&status=301] answers with a redirect; anything else upgrades.
  const redirect = (
    request: import("node:http").IncomingMessage,
    socket: import("node:net").Socket,
  ) => {
    const url = new URL(request.url ?? "/", "http://x");
    if (url.pathname !== "/go") return "upgrade" as const;
    const to = url.searchParams.get("to");
    respond(
      socket,
      Number(url.searchParams.get("status") ?? 302),
      to === null ? {} : { location: to },
    );
    return "handled" as const;
  };
  redirector = await startWsServer({ intercept: redirect });
  secureRedirector = await startWsServer({ tls: certs.server, intercept: redirect });
  openProxy = await startProxy();
  authProxy = await startProxy({ userName: "proxy-user", password: "proxy-pass" });
  silent = await startSilentServer();
});

afterAll(async () => {
  for (const s of [plain, secure, authServer, redirector, secureRedirector]) await s.close();
  await openProxy.close();
  await authProxy.close();
  await silent.close();
});

describe("HTTP CONNECT proxy", () => {
  it("tunnels ws:// through an explicit proxy", async () => {
    const transport = await openWebSocketTransport(`ws://127.0.0.1:${plain.port}/via-proxy`, {
      proxy: openProxy.url,
    });
    transport.socket.destroy();
    expect(openProxy.connects.at(-1)).toBe(`127.0.0.1:${plain.port}`);
    expect(plain.requests.at(-1)?.url).toBe("/via-proxy");
  });

  it("runs wss:// TLS end to end through the tunnel, the name checked against the target", async () => {
    const lookup = loopbackLookup();
    const before = openProxy.connects.length;
    const transport = await openWebSocketTransport(`wss://127.0.0.1:${secure.port}/`, {
      proxy: new URL(openProxy.url),
      ca: certs.ca.cert,
      lookup,
    });
    expect(transport.serverCertificate?.subject).toContain("CN=localhost");
    expect(transport.serverCertificateErrors).toEqual([]);
    expect(openProxy.connects.slice(before)).toEqual([`127.0.0.1:${secure.port}`]);
    transport.socket.destroy();
  });

  it("lets the proxy resolve the target name (no local lookup of the target)", async () => {
    const lookup = loopbackLookup();
    const proxyByName = `http://proxy.test:${openProxy.port}`;
    const transport = await openWebSocketTransport(`ws://127.0.0.1:${plain.port}/`, {
      proxy: proxyByName,
      lookup,
    });
    transport.socket.destroy();
    expect(lookup.calls).toEqual(["proxy.test"]);
  });

  it("fails a 407 without proxyCredential with proxyAuthenticationRequired", async () => {
    const error = await failure(
      openWebSocketTransport(`ws://127.0.0.1:${plain.port}/`, { proxy: authProxy.url }),
    );
    expect(error).toBeInstanceOf(HandshakeError);
    expect(error).toMatchObject({
      statusCode: 407,
      status: WebErrorStatus.proxyAuthenticationRequired,
    });
    expect((error as HandshakeError).headers["proxy-authenticate"]).toMatch(/^Basic/);
  });

  it("answers a 407 with proxyCredential on a new connection", async () => {
    const before = authProxy.authorizations.length;
    const transport = await openWebSocketTransport(`wss://127.0.0.1:${secure.port}/`, {
      proxy: authProxy.url,
      proxyCredential: new PasswordCredential("proxy", "proxy-user", "proxy-pass"),
      ca: certs.ca.cert,
    });
    transport.socket.destroy();
    const sent = authProxy.authorizations.slice(before);
    expect(sent).toHaveLength(2);
    expect(sent[0]).toBeUndefined();
    expect(basicMatches(sent[1], "proxy-user", "proxy-pass")).toBe(true);
  });

  it("takes the proxy credential from the proxy URL", async () => {
    const url = new URL(authProxy.url);
    url.username = "proxy-user";
    url.password = "proxy-pass";
    const transport = await openWebSocketTransport(`ws://127.0.0.1:${plain.port}/`, {
      proxy: url,
    });
    transport.socket.destroy();
  });

  it("gives up after one retry with a wrong proxyCredential", async () => {
    const before = authProxy.authorizations.length;
    const error = await failure(
      openWebSocketTransport(`ws://127.0.0.1:${plain.port}/`, {
        proxy: authProxy.url,
        proxyCredential: new PasswordCredential("proxy", "proxy-user", "wrong"),
      }),
    );
    expect(error).toMatchObject({ status: WebErrorStatus.proxyAuthenticationRequired });
    expect(authProxy.authorizations.length - before).toBe(2);
  });

  it("reads HTTP_PROXY / HTTPS_PROXY and honours NO_PROXY and proxy: false", async () => {
    const count = () => openProxy.connects.length;
    let before = count();
    (
      await openWebSocketTransport(`ws://127.0.0.1:${plain.port}/`, {
        env: { HTTP_PROXY: openProxy.url },
      })
    ).socket.destroy();
    expect(count() - before).toBe(1);
    before = count();
    (
      await openWebSocketTransport(`wss://127.0.0.1:${secure.port}/`, {
        env: { https_proxy: openProxy.url, HTTP_PROXY: "http://127.0.0.1:1" },
        ca: certs.ca.cert,
      })
    ).socket.destroy();
    expect(count() - before).toBe(1);
    before = count();
    (
      await openWebSocketTransport(`ws://127.0.0.1:${plain.port}/`, {
        env: { HTTP_PROXY: openProxy.url, NO_PROXY: "example.com, 127.0.0.1" },
      })
    ).socket.destroy();
    (
      await openWebSocketTransport(`ws://127.0.0.1:${plain.port}/`, {
        env: { HTTP_PROXY: openProxy.url },
        proxy: false,
      })
    ).socket.destroy();
    expect(count() - before).toBe(0);
  });

  it("maps a proxy that cannot reach the target to the proxy's HTTP status", async () => {
    const error = await failure(
      openWebSocketTransport("ws://127.0.0.1:1/", { proxy: openProxy.url }),
    );
    expect(error).toBeInstanceOf(HandshakeError);
    expect(error).toMatchObject({ statusCode: 500, status: WebErrorStatus.internalServerError });
  });

  it("cancels during the CONNECT exchange and leaves nothing behind", async () => {
    const controller = new AbortController();
    const pending = failure(
      openWebSocketTransport(
        `ws://127.0.0.1:${plain.port}/`,
        { proxy: `http://127.0.0.1:${silent.port}` },
        { signal: controller.signal },
      ),
    );
    const accepted = await silent.connections.next();
    controller.abort();
    expect(await pending).toBeInstanceOf(OperationCanceledError);
    await closed(accepted);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });
});

describe("HTTP Basic authentication to the server", () => {
  it("answers a 401 Basic challenge with serverCredential on a new connection", async () => {
    const before = authServer.requests.length;
    const transport = await openWebSocketTransport(`ws://127.0.0.1:${authServer.port}/`, {
      serverCredential: alice,
    });
    transport.socket.destroy();
    const requests = authServer.requests.slice(before);
    expect(requests).toHaveLength(2);
    expect(requests[0]?.headers.authorization).toBeUndefined();
    expect(basicMatches(requests[1]?.headers.authorization, alice.userName, alice.password)).toBe(
      true,
    );
  });

  it("fails a 401 without a credential with unauthorized, keeping the challenge", async () => {
    const error = await failure(openWebSocketTransport(`ws://127.0.0.1:${authServer.port}/`));
    expect(error).toBeInstanceOf(HandshakeError);
    expect(error).toMatchObject({ statusCode: 401, status: WebErrorStatus.unauthorized });
    expect((error as HandshakeError).headers["www-authenticate"]).toContain("Basic");
  });

  it("retries only once with a wrong credential", async () => {
    const before = authServer.requests.length;
    const error = await failure(
      openWebSocketTransport(`ws://127.0.0.1:${authServer.port}/`, {
        serverCredential: new PasswordCredential("test", "alice", "nope"),
      }),
    );
    expect(error).toMatchObject({ status: WebErrorStatus.unauthorized });
    expect(authServer.requests.length - before).toBe(2);
  });

  it("refuses a user name with a colon before connecting (RFC 7617)", async () => {
    const before = authServer.requests.length;
    const error = await failure(
      openWebSocketTransport(`ws://127.0.0.1:${authServer.port}/`, {
        serverCredential: new PasswordCredential("test", "a:b", "c"),
      }),
    );
    expect(error).toMatchObject({ code: "ERR_INVALID_ARGUMENT" });
    expect(authServer.requests.length).toBe(before);
  });

  it("does not answer a challenge that is not Basic", async () => {
    const digestOnly = await startWsServer({
      intercept: (_request, socket) => {
        respond(socket, 401, { "www-authenticate": 'Digest realm="x", qop="auth, basic"' });
        return "handled";
      },
    });
    try {
      const error = await failure(
        openWebSocketTransport(`ws://127.0.0.1:${digestOnly.port}/`, { serverCredential: alice }),
      );
      expect(error).toMatchObject({ status: WebErrorStatus.unauthorized });
      expect(digestOnly.requests).toHaveLength(1);
    } finally {
      await digestOnly.close();
    }
  });
});

describe("redirects", () => {
  const go = (server: WsTestServer, to: string, status = 302, scheme = "ws") =>
    `${scheme}://127.0.0.1:${server.port}/go?status=${status}&to=${encodeURIComponent(to)}`;

  it("are not followed by default: the 3xx is the error, with its Location", async () => {
    const error = await failure(openWebSocketTransport(go(redirector, "/final")));
    expect(error).toBeInstanceOf(HandshakeError);
    expect(error).toMatchObject({ statusCode: 302, status: WebErrorStatus.found });
    expect((error as HandshakeError).headers.location).toBe("/final");
  });

  it("follows a relative redirect on the same host, keeping Authorization and Cookie", async () => {
    const transport = await openWebSocketTransport(go(redirector, "/final?x=1", 307), {
      followRedirects: 3,
      requestHeaders: { authorization: "Bearer t", cookie: "a=b", "x-other": "1" },
    });
    transport.socket.destroy();
    expect(transport.uri.href).toBe(`ws://127.0.0.1:${redirector.port}/final?x=1`);
    const last = redirector.requests.at(-1);
    expect(last?.url).toBe("/final?x=1");
    expect(last?.headers.authorization).toBe("Bearer t");
    expect(last?.headers.cookie).toBe("a=b");
  });

  it("drops Authorization and Cookie when the host changes (peers.md S16)", async () => {
    const transport = await openWebSocketTransport(
      go(redirector, `ws://localhost:${plain.port}/elsewhere`, 301),
      {
        followRedirects: 1,
        lookup: loopbackLookup(),
        requestHeaders: { Authorization: "Bearer t", Cookie: "a=b", "x-other": "1" },
      },
    );
    transport.socket.destroy();
    const last = plain.requests.at(-1);
    expect(last?.url).toBe("/elsewhere");
    expect(last?.headers.host).toBe(`localhost:${plain.port}`);
    expect(last?.headers.authorization).toBeUndefined();
    expect(last?.headers.cookie).toBeUndefined();
    expect(last?.headers["x-other"]).toBe("1");
  });

  it("does not send serverCredential to another host", async () => {
    const error = await failure(
      openWebSocketTransport(go(redirector, `ws://localhost:${authServer.port}/`), {
        followRedirects: 1,
        lookup: loopbackLookup(),
        serverCredential: alice,
      }),
    );
    expect(error).toMatchObject({ status: WebErrorStatus.unauthorized });
    expect(authServer.requests.at(-1)?.headers.authorization).toBeUndefined();
  });

  it("fails with redirectFailed beyond the limit", async () => {
    const before = redirector.requests.length;
    const loop = `/go?to=${encodeURIComponent("/go?to=%2Fgo")}`;
    const error = await failure(
      openWebSocketTransport(`ws://127.0.0.1:${redirector.port}${loop}`, { followRedirects: 2 }),
    );
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toMatchObject({ code: "ERR_REDIRECT", status: WebErrorStatus.redirectFailed });
    expect(redirector.requests.length - before).toBe(3);
  });

  it.each([
    ["no Location", undefined],
    ["a non-WebSocket scheme", "ftp://127.0.0.1/x"],
    ["credentials in the Location", "ws://u:p@127.0.0.1/x"],
  ])("fails a redirect with %s with redirectFailed", async (_name, to) => {
    const url = to === undefined ? `ws://127.0.0.1:${redirector.port}/go` : go(redirector, to);
    const error = await failure(openWebSocketTransport(url, { followRedirects: 1 }));
    expect(error).toMatchObject({ code: "ERR_REDIRECT", status: WebErrorStatus.redirectFailed });
  });

  it("refuses wss: → ws: with httpsToHttpOnRedirection", async () => {
    const error = await failure(
      openWebSocketTransport(go(secureRedirector, `ws://127.0.0.1:${plain.port}/`, 302, "wss"), {
        followRedirects: 1,
        ca: certs.ca.cert,
      }),
    );
    expect(error).toMatchObject({
      code: "ERR_REDIRECT",
      status: WebErrorStatus.httpsToHttpOnRedirection,
    });
  });

  it("follows ws: → wss: (http: and https: locations map to ws: and wss:)", async () => {
    const transport = await openWebSocketTransport(
      go(redirector, `https://localhost:${secure.port}/secured`),
      { followRedirects: 1, ca: certs.ca.cert, lookup: loopbackLookup() },
    );
    expect(transport.uri.href).toBe(`wss://localhost:${secure.port}/secured`);
    expect(transport.serverCertificate).not.toBeNull();
    transport.socket.destroy();
  });
});
