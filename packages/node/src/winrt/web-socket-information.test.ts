import * as net from "node:net";
import { describe, expect, it } from "vitest";
import { ChainValidationResult, SocketSslErrorSeverity } from "./chain-validation-result.js";
import {
  type ConnectedInformation,
  connectionFacts,
  recordConnection,
  WebSocketInformation,
} from "./web-socket-information.js";

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
});
