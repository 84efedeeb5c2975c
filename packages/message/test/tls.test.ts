import { once } from "node:events";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";
import { HResult, WebErrorStatus, WebSocketError } from "@netsockets/errors";
import {
  ChainValidationResult,
  SocketSslErrorSeverity,
  type WebSocketServerCustomValidationRequestedEventArgs,
} from "@netsockets/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeCertificates, type TestCertificates } from "../../../tests/support/certs.js";
import { MessageWebSocket, MessageWebSocketListener } from "../src/index.js";
import { Collector, echo, startServer, type TestServer } from "./helpers.js";

let certs: TestCertificates;
let trusted: TestServer;
let selfSigned: TestServer;

beforeAll(async () => {
  certs = await makeCertificates();
  trusted = await startServer(echo, { serverCertificate: certs.server }, "wss");
  selfSigned = await startServer(echo, { serverCertificate: certs.selfSigned }, "wss");
});
afterAll(async () => {
  await trusted.listener.close({ timeoutMs: 500 });
  await selfSigned.listener.close({ timeoutMs: 500 });
});

describe("wss:// between MessageWebSocket and MessageWebSocketListener", () => {
  it("echoes over TLS and reports the server certificate", async () => {
    const socket = new MessageWebSocket({ ca: certs.ca.cert });
    const received = new Collector(socket);
    await socket.connectAsync(trusted.url);
    await socket.sendAsync("secure");
    await socket.sendAsync(new Uint8Array(200_000).fill(3));
    await received.waitFor(2);
    expect(received.texts()[0]).toBe("secure");
    expect(received.messages[1]?.data.length).toBe(200_000);
    const { information } = socket;
    expect(information.serverCertificate?.subject).toContain("CN=localhost");
    expect(information.serverCertificateErrors).toEqual([]);
    expect(information.serverCertificateErrorSeverity).toBe(SocketSslErrorSeverity.none);
    expect(information.bandwidthStatistics.inboundBitsPerSecond).toBeGreaterThan(0n);
    socket.close(1000, "");
    expect((await received.closed).code).toBe(1000);
    // Information stays readable after close.
    expect(information.serverCertificate).not.toBeNull();
    expect(information.localAddress).toBe("127.0.0.1");
  });

  it("an untrusted certificate fails the connect; ignorableServerCertificateErrors admits it", async () => {
    const socket = new MessageWebSocket();
    const error = await socket.connectAsync(selfSigned.url).catch((e: unknown) => e);
    expect(WebSocketError.getStatus(error)).toBe(WebErrorStatus.certificateIsInvalid);
    socket.control.ignorableServerCertificateErrors.push(ChainValidationResult.untrusted);
    await socket.connectAsync(selfSigned.url);
    expect(socket.information.serverCertificateErrors).toEqual([ChainValidationResult.untrusted]);
    expect(socket.information.serverCertificateErrorSeverity).toBe(
      SocketSslErrorSeverity.ignorable,
    );
    socket.close();
  });

  it("servercustomvalidationrequested: reject() with a deferral fails with INET_E_SECURITY_PROBLEM", async () => {
    const socket = new MessageWebSocket({ ca: certs.ca.cert });
    let seen = 0;
    const rejecting = (args: WebSocketServerCustomValidationRequestedEventArgs) => {
      seen++;
      expect((args as { target?: unknown }).target).toBe(socket);
      expect(args.serverCertificate.subject).toContain("CN=localhost");
      const deferral = args.getDeferral();
      setImmediate(() => {
        args.reject();
        deferral.complete();
      });
    };
    socket.addEventListener("servercustomvalidationrequested", rejecting);
    const error = await socket.connectAsync(trusted.url).catch((e: unknown) => e);
    expect(seen).toBe(1);
    expect(error).toMatchObject({
      code: "ERR_SERVER_CERTIFICATE_REJECTED",
      hresult: HResult.INET_E_SECURITY_PROBLEM,
    });
    // Reusable after the failed connect: without the rejecting listener it connects.
    socket.removeEventListener("servercustomvalidationrequested", rejecting);
    await socket.connectAsync(trusted.url);
    expect(seen).toBe(1);
    socket.close();
  });

  it("servercustomvalidationrequested: a listener that does not reject lets the connect proceed", async () => {
    const socket = new MessageWebSocket({ ca: certs.ca.cert });
    let pinned = false;
    socket.onservercustomvalidationrequested = (args) => {
      pinned = args.serverCertificate.fingerprint256.length > 0;
    };
    await socket.connectAsync(trusted.url);
    expect(pinned).toBe(true);
    socket.close();
  });
});

describe("clientCertificate (mutual TLS through handleUpgrade on an https server)", () => {
  it("presents the client certificate; without it the server refuses the TLS handshake", async () => {
    const listener = new MessageWebSocketListener();
    const subjects: string[] = [];
    listener.addEventListener("connectionreceived", ({ socket, request }) => {
      const tlsSocket = request.request.socket as TLSSocket;
      subjects.push(tlsSocket.getPeerX509Certificate()?.subject ?? "none");
      echo(socket);
    });
    const https = createServer({
      key: certs.server.key,
      cert: certs.server.cert,
      ca: certs.ca.cert,
      requestCert: true,
      rejectUnauthorized: true,
    });
    https.on("upgrade", (req, socket, head) => listener.handleUpgrade(req, socket, head));
    https.listen(0, "127.0.0.1");
    await once(https, "listening");
    const url = `wss://127.0.0.1:${(https.address() as AddressInfo).port}/`;
    try {
      const anonymous = new MessageWebSocket({ ca: certs.ca.cert });
      await expect(anonymous.connectAsync(url)).rejects.toBeInstanceOf(Error);
      const socket = new MessageWebSocket({
        ca: certs.ca.cert,
        clientCertificate: { key: certs.client.key, cert: certs.client.cert },
      });
      const received = new Collector(socket);
      await socket.connectAsync(url);
      await socket.sendAsync("mutual");
      await received.waitFor(1);
      expect(received.texts()).toEqual(["mutual"]);
      expect(subjects).toHaveLength(1);
      expect(subjects[0]).not.toBe("none");
      socket.close();
      await received.closed;
    } finally {
      await listener.close({ timeoutMs: 500 });
      https.closeAllConnections();
      await new Promise((resolve) => https.close(resolve));
    }
  });
});
