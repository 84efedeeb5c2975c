import { X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  ChainValidationResult,
  SocketSslErrorSeverity,
  severityOf,
} from "./chain-validation-result.js";
import {
  customValidationDecision,
  Deferral,
  WebSocketServerCustomValidationRequestedEventArgs,
} from "./server-custom-validation.js";

// Any parsable certificate will do: the args only carry it.
const pem = (await import("node:tls")).rootCertificates[0] as string;

function args(): WebSocketServerCustomValidationRequestedEventArgs {
  return new WebSocketServerCustomValidationRequestedEventArgs({
    serverCertificate: new X509Certificate(pem),
    serverIntermediateCertificates: [],
    serverCertificateErrors: [ChainValidationResult.untrusted],
    serverCertificateErrorSeverity: SocketSslErrorSeverity.ignorable,
  });
}

describe("WebSocketServerCustomValidationRequestedEventArgs", () => {
  it("accepts when nobody rejects, and freezes the error list", async () => {
    const a = args();
    expect(Object.isFrozen(a.serverCertificateErrors)).toBe(true);
    expect(await customValidationDecision(a)).toBe(false);
  });

  it("waits for every deferral before deciding", async () => {
    const a = args();
    const d1 = a.getDeferral();
    const d2 = a.getDeferral();
    let decided: boolean | undefined;
    const decision = customValidationDecision(a).then((r) => {
      decided = r;
    });
    d1.complete();
    await Promise.resolve();
    expect(decided).toBeUndefined();
    a.reject();
    d2.complete();
    await decision;
    expect(decided).toBe(true);
  });

  it("a deferral completes once; close() is idempotent", () => {
    let runs = 0;
    const d = new Deferral(() => runs++);
    d.complete();
    expect(() => d.complete()).toThrow(expect.objectContaining({ code: "ERR_INVALID_STATE" }));
    d.close();
    expect(runs).toBe(1);
  });
});

describe("severityOf", () => {
  it("is none, ignorable or fatal", () => {
    const R = ChainValidationResult;
    expect(severityOf([])).toBe(SocketSslErrorSeverity.none);
    expect(severityOf([R.untrusted, R.expired, R.invalidName, R.incompleteChain])).toBe(
      SocketSslErrorSeverity.ignorable,
    );
    expect(severityOf([R.expired, R.revoked])).toBe(SocketSslErrorSeverity.fatal);
    expect(severityOf([R.invalidSignature])).toBe(SocketSslErrorSeverity.fatal);
  });

  it("has the WinRT values", () => {
    expect(ChainValidationResult).toMatchObject({
      success: 0,
      untrusted: 1,
      revoked: 2,
      expired: 3,
      incompleteChain: 4,
      invalidName: 7,
      otherErrors: 13,
    });
    expect(Object.isFrozen(ChainValidationResult)).toBe(true);
    expect(SocketSslErrorSeverity).toEqual({ none: 0, ignorable: 1, fatal: 2 });
  });
});
