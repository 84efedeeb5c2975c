import { describe, expect, it } from "vitest";
import {
  CertificateError,
  ConnectionClosedError,
  fromAbortReason,
  fromSystemError,
  NetworkError,
  OperationCanceledError,
  ProtocolError,
  TimeoutError,
  WebErrorStatus,
  WebSocketError,
  webErrorStatusName,
} from "./index.js";

function nodeError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:9`), { code, syscall: "connect" });
}

describe("fromSystemError", () => {
  it.each([
    ["ENOTFOUND", NetworkError, "ERR_HOST_NOT_RESOLVED", "hostNameNotResolved", 0x80072ee7],
    ["ECONNREFUSED", NetworkError, "ERR_CANNOT_CONNECT", "cannotConnect", 0x80072efd],
    ["ENETUNREACH", NetworkError, "ERR_SERVER_UNREACHABLE", "serverUnreachable", 0x80072f84],
    ["CERT_HAS_EXPIRED", CertificateError, "ERR_CERTIFICATE", "certificateExpired", 0x80072f05],
    [
      "ERR_TLS_CERT_ALTNAME_INVALID",
      CertificateError,
      "ERR_CERTIFICATE",
      "certificateCommonNameIsIncorrect",
      0x80072f06,
    ],
    ["CERT_REVOKED", CertificateError, "ERR_CERTIFICATE", "certificateRevoked", 0x80072f8a],
    [
      "CERT_SIGNATURE_FAILURE",
      CertificateError,
      "ERR_CERTIFICATE",
      "certificateContainsErrors",
      0x80072f17,
    ],
    [
      "DEPTH_ZERO_SELF_SIGNED_CERT",
      CertificateError,
      "ERR_CERTIFICATE",
      "certificateIsInvalid",
      0x80072f0d,
    ],
    ["ETIMEDOUT", TimeoutError, "ERR_TIMEOUT", "timeout", 0x80072ee2],
    ["ECONNRESET", ConnectionClosedError, "ERR_CONNECTION_RESET", "connectionReset", 0x80072eff],
    ["EPIPE", ConnectionClosedError, "ERR_CONNECTION_ABORTED", "connectionAborted", 0x80072efe],
  ] as const)("%s → %o %s (%s)", (code, cls, errorCode, statusName, hresult) => {
    const original = nodeError(code);
    const error = fromSystemError(original, { operation: "connectAsync ws://127.0.0.1:9/" });
    expect(error).toBeInstanceOf(cls);
    expect(cls.isInstance(error)).toBe(true);
    expect(error.code).toBe(errorCode);
    expect(webErrorStatusName(error.status)).toBe(statusName);
    expect(error.hresult).toBe(hresult);
    expect(error.cause).toBe(original);
    expect(error.message).toBe(`connectAsync ws://127.0.0.1:9/: connect ${code} 127.0.0.1:9`);
    expect(WebSocketError.getStatus(error)).toBe(WebSocketError.getStatus(original));
  });

  it("maps redirect, disconnect and cancel HRESULTs to their classes", () => {
    const redirect = fromSystemError(0x80072f08);
    expect(redirect).toBeInstanceOf(NetworkError);
    expect([redirect.code, redirect.status]).toEqual([
      "ERR_REDIRECT",
      WebErrorStatus.httpsToHttpOnRedirection,
    ]);
    expect(redirect.message).toBe("HRESULT 0x80072f08");
    const lost = fromSystemError(0x80072f83);
    expect(lost).toBeInstanceOf(ConnectionClosedError);
    expect([lost.code, lost.status]).toEqual([
      "ERR_CONNECTION_ABORTED",
      WebErrorStatus.disconnected,
    ]);
    expect(fromSystemError(0x80004004)).toBeInstanceOf(OperationCanceledError);
  });

  it("falls back by phase: cannot connect while connecting, aborted once connected", () => {
    const tls = nodeError("ERR_SSL_WRONG_VERSION_NUMBER");
    const connecting = fromSystemError(tls);
    expect(connecting).toBeInstanceOf(NetworkError);
    expect(connecting.code).toBe("ERR_CANNOT_CONNECT");
    const connected = fromSystemError(tls, { phase: "connected" });
    expect(connected).toBeInstanceOf(ConnectionClosedError);
    expect(connected.code).toBe("ERR_CONNECTION_ABORTED");
    expect((connected as ConnectionClosedError).closeCode).toBe(1006);
    expect((connected as ConnectionClosedError).closedBy).toBe("transport");
  });

  it("returns a netsockets error unchanged", () => {
    const ours = new ProtocolError("WS_ERR_INVALID_UTF8", "bad utf-8");
    expect(fromSystemError(ours)).toBe(ours);
  });

  it("turns aborts into TimeoutError / OperationCanceledError", () => {
    expect(fromSystemError(new DOMException("late", "TimeoutError"))).toBeInstanceOf(TimeoutError);
    expect(fromSystemError(new DOMException("stop", "AbortError"))).toBeInstanceOf(
      OperationCanceledError,
    );
  });

  it("never throws on odd input, and describes it", () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(fromSystemError(proxy).message).toBe("unknown error");
    expect(fromSystemError(null).message).toBe("null");
    expect(fromSystemError({ message: 42 }).message).toBe("[object Object]");
  });
});

describe("fromAbortReason", () => {
  it("a timeout reason → TimeoutError with the reason as cause", () => {
    const reason = new DOMException("signal timed out", "TimeoutError");
    const error = fromAbortReason(reason, { operation: "loadAsync" });
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.cause).toBe(reason);
    expect(error.message).toBe("loadAsync: the operation timed out");
    expect(error.status).toBe(WebErrorStatus.timeout);
  });

  it("anything else → OperationCanceledError", () => {
    for (const reason of [
      new DOMException("aborted", "AbortError"),
      "stop",
      undefined,
      nodeError("ECONNRESET"),
    ]) {
      const error = fromAbortReason(reason);
      expect(error).toBeInstanceOf(OperationCanceledError);
      expect(error.cause).toBe(reason);
      expect(error.message).toBe("the operation was cancelled");
    }
  });
});
