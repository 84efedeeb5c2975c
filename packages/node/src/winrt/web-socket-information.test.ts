import * as net from "node:net";
import { describe, expect, it } from "vitest";
import { ChainValidationResult, SocketSslErrorSeverity } from "./chain-validation-result.js";
import {
  type ConnectedInformation,
  connectionFacts,
  recordConnection,
  WebSocketInformation,
} from "./web-socket-information.js";

const DEFLATE = Object.freeze({
  serverNoContextTakeover: false,
  clientNoContextTakeover: false,
  serverMaxWindowBits: 15,
  clientMaxWindowBits: 15,
});

describe("connectionFacts", () => {
  it("keeps the information's fields only (not a transport's socket or buffers), lists frozen copies", () => {
    const errors: ChainValidationResult[] = [ChainValidationResult.expired];
    const transport = {
      socket: new net.Socket(),
      head: new Uint8Array(8),
      responseHeaders: { upgrade: "websocket" },
      localAddress: "127.0.0.1",
      protocol: "chat",
      serverCertificate: null,
      serverCertificateErrors: errors,
      serverCertificateErrorSeverity: SocketSslErrorSeverity.ignorable,
      serverIntermediateCertificates: [],
    } satisfies ConnectedInformation & Record<string, unknown>;
    const facts = connectionFacts(transport);
    expect(facts).toEqual({
      localAddress: "127.0.0.1",
      protocol: "chat",
      serverCertificate: null,
      serverCertificateErrors: [ChainValidationResult.expired],
      serverCertificateErrorSeverity: SocketSslErrorSeverity.ignorable,
      serverIntermediateCertificates: [],
      perMessageDeflate: null,
    });
    expect(facts.serverCertificateErrors).not.toBe(errors);
    expect(Object.isFrozen(facts.serverCertificateErrors)).toBe(true);
    errors.push(ChainValidationResult.untrusted);
    expect(facts.serverCertificateErrors).toEqual([ChainValidationResult.expired]);
    transport.socket.destroy();

    const information = new WebSocketInformation({ bandwidthStatistics: () => undefined });
    recordConnection(information, facts);
    expect(information.localAddress).toBe("127.0.0.1");
    expect(information.protocol).toBe("chat");
    expect(information.serverCertificateErrors).toEqual([ChainValidationResult.expired]);
  });

  it("shares one frozen object between connections with equal plain facts, and only those", () => {
    const plain = (localAddress: string, protocol: string | null): ConnectedInformation => ({
      localAddress,
      protocol,
      serverCertificate: null,
      serverCertificateErrors: [],
      serverCertificateErrorSeverity: SocketSslErrorSeverity.none,
      serverIntermediateCertificates: [],
    });
    const first = connectionFacts(plain("127.0.0.1", null));
    expect(Object.isFrozen(first)).toBe(true);
    expect(connectionFacts(plain("127.0.0.1", null))).toBe(first);
    const chat = connectionFacts(plain("127.0.0.1", "chat"));
    expect(chat).not.toBe(first);
    expect(chat.protocol).toBe("chat");
    const other = connectionFacts(plain("::1", "chat"));
    expect(other.localAddress).toBe("::1");
    // Facts with a certificate error or an extension are never shared.
    const withErrors = {
      ...plain("::1", "chat"),
      serverCertificateErrors: [ChainValidationResult.expired],
      serverCertificateErrorSeverity: SocketSslErrorSeverity.ignorable,
    };
    expect(connectionFacts(withErrors)).not.toBe(connectionFacts(withErrors));
    const deflate = { ...plain("::1", "chat"), perMessageDeflate: DEFLATE };
    const facts = connectionFacts(deflate);
    expect(facts.perMessageDeflate).toBe(DEFLATE);
    expect(connectionFacts(deflate)).not.toBe(facts);
    expect(connectionFacts(plain("::1", "chat"))).toBe(other);
  });
});
