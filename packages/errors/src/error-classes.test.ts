import vm from "node:vm";
import { describe, expect, it } from "vitest";
import {
  CertificateError,
  ConnectionClosedError,
  type ErrorCode,
  type ErrorCodeOf,
  errorCodes,
  HandshakeError,
  type HandshakeFailure,
  InvalidArgumentError,
  InvalidStateError,
  MessageTooBigError,
  NetSocketsError,
  NetworkError,
  OperationCanceledError,
  ProtocolError,
  TimeoutError,
  WebErrorStatus,
  WebSocketError,
  webErrorStatusName,
} from "./index.js";

type ClassName = (typeof errorCodes)[ErrorCode]["class"];

/**
 * The exact contract of every code: class, status, HRESULT, close code. Written out by hand, so a
 * change to `errorCodes` fails here until it is made on purpose.
 */
const contract: Record<ErrorCode, [ClassName, string, number, number | undefined]> = {
  WS_ERR_INVALID_OPCODE: ["ProtocolError", "unknown", 0x83760002, 1002],
  WS_ERR_UNEXPECTED_RSV: ["ProtocolError", "unknown", 0x83760002, 1002],
  WS_ERR_EXPECTED_MASK: ["ProtocolError", "unknown", 0x83760002, 1002],
  WS_ERR_UNEXPECTED_MASK: ["ProtocolError", "unknown", 0x83760002, 1002],
  WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH: ["ProtocolError", "unknown", 0x83760002, 1002],
  WS_ERR_EXPECTED_FIN: ["ProtocolError", "unknown", 0x83760002, 1002],
  WS_ERR_INVALID_CONTINUATION_FRAME: ["ProtocolError", "unknown", 0x83760002, 1002],
  WS_ERR_EXPECTED_CONTINUATION: ["ProtocolError", "unknown", 0x83760002, 1002],
  WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: ["ProtocolError", "unknown", 0x83760002, 1002],
  WS_ERR_INVALID_CLOSE_PAYLOAD: ["ProtocolError", "unknown", 0x83760002, 1002],
  WS_ERR_INVALID_CLOSE_CODE: ["ProtocolError", "unknown", 0x83760002, 1002],
  WS_ERR_INVALID_UTF8: ["ProtocolError", "unknown", 0x83760002, 1007],
  WS_ERR_UNSUPPORTED_DATA: ["ProtocolError", "unknown", 0x83760002, 1003],
  WS_ERR_MESSAGE_TOO_BIG: ["MessageTooBigError", "unknown", 0x83760002, 1009],
  WS_ERR_TOO_MANY_FRAGMENTS: ["ProtocolError", "unknown", 0x83760002, 1008],
  WS_ERR_EXTENSION_FAILED: ["ProtocolError", "unknown", 0x83760002, 1002],
  ERR_HANDSHAKE_BAD_REQUEST: ["HandshakeError", "badRequest", 0x83760002, undefined],
  ERR_HANDSHAKE_UNSUPPORTED_VERSION: ["HandshakeError", "badRequest", 0x83760005, undefined],
  ERR_HANDSHAKE_BAD_STATUS: ["HandshakeError", "unexpectedStatusCode", 0x80190001, undefined],
  ERR_HANDSHAKE_BAD_RESPONSE: [
    "HandshakeError",
    "errorHttpInvalidServerResponse",
    0x80072f78,
    undefined,
  ],
  ERR_HANDSHAKE_SUBPROTOCOL: [
    "HandshakeError",
    "errorHttpInvalidServerResponse",
    0x83760004,
    undefined,
  ],
  ERR_HANDSHAKE_EXTENSION: [
    "HandshakeError",
    "errorHttpInvalidServerResponse",
    0x83760003,
    undefined,
  ],
  ERR_HANDSHAKE_HEADERS_TOO_LARGE: [
    "HandshakeError",
    "errorHttpInvalidServerResponse",
    0x80072f78,
    undefined,
  ],
  ERR_HOST_NOT_RESOLVED: ["NetworkError", "hostNameNotResolved", 0x80072ee7, undefined],
  ERR_CANNOT_CONNECT: ["NetworkError", "cannotConnect", 0x80072efd, undefined],
  ERR_SERVER_UNREACHABLE: ["NetworkError", "serverUnreachable", 0x80072f84, undefined],
  ERR_CERTIFICATE: ["CertificateError", "certificateIsInvalid", 0x80072f0d, undefined],
  ERR_SERVER_CERTIFICATE_REJECTED: ["CertificateError", "unknown", 0x800c000e, undefined],
  ERR_REDIRECT: ["NetworkError", "redirectFailed", 0x80072f7c, undefined],
  ERR_CONNECTION_ABORTED: ["ConnectionClosedError", "connectionAborted", 0x80072efe, undefined],
  ERR_CONNECTION_RESET: ["ConnectionClosedError", "connectionReset", 0x80072eff, undefined],
  ERR_CONNECTION_CLOSED: ["ConnectionClosedError", "disconnected", 0x80000013, undefined],
  ERR_PEER_UNRESPONSIVE: ["ConnectionClosedError", "timeout", 0x80072ee2, undefined],
  ERR_TIMEOUT: ["TimeoutError", "timeout", 0x80072ee2, undefined],
  ERR_OPERATION_CANCELED: ["OperationCanceledError", "operationCanceled", 0x80072ef1, undefined],
  ERR_INVALID_ARGUMENT: ["InvalidArgumentError", "unknown", 0x80070057, undefined],
  ERR_INVALID_STATE: ["InvalidStateError", "unknown", 0x8000000e, undefined],
  ERR_OBJECT_CLOSED: ["InvalidStateError", "unknown", 0x80000013, undefined],
  ERR_CONCURRENT_OPERATION: ["InvalidStateError", "unknown", 0x800710dd, undefined],
  ERR_INVALID_URI: ["InvalidArgumentError", "unknown", 0x80070057, undefined],
  ERR_OUT_OF_BOUNDS: ["InvalidArgumentError", "unknown", 0x8000000b, undefined],
  ERR_INVALID_ENCODING: ["InvalidArgumentError", "unknown", 0x80070057, undefined],
};

const classes = {
  ProtocolError,
  MessageTooBigError,
  InvalidStateError,
  InvalidArgumentError,
  HandshakeError,
  ConnectionClosedError,
  TimeoutError,
  OperationCanceledError,
  NetworkError,
  CertificateError,
} as const;

const handshakeReasons: Record<ErrorCodeOf<"HandshakeError">, HandshakeFailure> = {
  ERR_HANDSHAKE_BAD_REQUEST: "bad-request",
  ERR_HANDSHAKE_UNSUPPORTED_VERSION: "unsupported-version",
  ERR_HANDSHAKE_BAD_STATUS: "bad-status",
  ERR_HANDSHAKE_BAD_RESPONSE: "bad-response",
  ERR_HANDSHAKE_SUBPROTOCOL: "subprotocol",
  ERR_HANDSHAKE_EXTENSION: "extension",
  ERR_HANDSHAKE_HEADERS_TOO_LARGE: "headers-too-large",
};

/** Makes an error with `code` through the public constructor of `className`. */
function make(code: ErrorCode, className: ClassName, cause: unknown): NetSocketsError {
  const message = `boom ${code}`;
  switch (className) {
    case "ProtocolError":
      return new ProtocolError(code as ErrorCodeOf<"ProtocolError">, message, { cause });
    case "MessageTooBigError":
      return new MessageTooBigError(1024, message, { cause });
    case "InvalidStateError":
      return new InvalidStateError(message, {
        code: code as ErrorCodeOf<"InvalidStateError">,
        cause,
      });
    case "InvalidArgumentError":
      return new InvalidArgumentError(message, {
        code: code as ErrorCodeOf<"InvalidArgumentError">,
        cause,
      });
    case "HandshakeError":
      return new HandshakeError(handshakeReasons[code as ErrorCodeOf<"HandshakeError">], message, {
        cause,
      });
    case "ConnectionClosedError":
      return new ConnectionClosedError(code as ErrorCodeOf<"ConnectionClosedError">, message, {
        cause,
      });
    case "TimeoutError":
      return new TimeoutError(message, { cause });
    case "OperationCanceledError":
      return new OperationCanceledError(message, { cause });
    case "NetworkError":
      return new NetworkError(code as ErrorCodeOf<"NetworkError">, message, { cause });
    case "CertificateError":
      return new CertificateError(message, {
        code: code as ErrorCodeOf<"CertificateError">,
        cause,
      });
  }
}

describe("errorCodes: the exact contract of every code", () => {
  it("lists exactly the pinned codes", () => {
    expect(Object.keys(errorCodes).sort()).toEqual(Object.keys(contract).sort());
  });

  it("is frozen, row by row", () => {
    expect(Object.isFrozen(errorCodes)).toBe(true);
    for (const row of Object.values(errorCodes)) expect(Object.isFrozen(row)).toBe(true);
  });

  for (const [code, [className, statusName, hresult, closeCode]] of Object.entries(contract) as [
    ErrorCode,
    (typeof contract)[ErrorCode],
  ][]) {
    it(`${code}: ${className}, ${statusName}, 0x${hresult.toString(16)}, close ${closeCode ?? "—"}`, () => {
      const row = errorCodes[code];
      expect(row.class).toBe(className);
      expect(webErrorStatusName(row.status)).toBe(statusName);
      expect(row.hresult).toBe(hresult);
      expect("closeCode" in row ? row.closeCode : undefined).toBe(closeCode);
      expect(row.meaning.length).toBeGreaterThan(10);

      const cause = new Error("underlying");
      const error = make(code, className, cause);
      const cls = classes[className];
      expect(error).toBeInstanceOf(cls);
      expect(error).toBeInstanceOf(NetSocketsError);
      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe(className);
      expect(String(error.stack).startsWith(`${className}: boom ${code}`)).toBe(true);
      expect(error.code).toBe(code);
      expect(webErrorStatusName(error.status)).toBe(statusName);
      expect(error.hresult).toBe(hresult);
      expect(error.number).toBe(hresult | 0);
      expect(error.cause).toBe(cause);
      if (error instanceof ProtocolError) expect(error.closeCode).toBe(closeCode);
      // getStatus reports the error's own status; its HRESULT alone says the same or unknown.
      expect(WebSocketError.getStatus(error)).toBe(error.status);
      expect([error.status, WebErrorStatus.unknown]).toContain(WebSocketError.getStatus(hresult));

      // isInstance: true for the class and its ancestors, false for every other class.
      expect(NetSocketsError.isInstance(error)).toBe(true);
      for (const [otherName, other] of Object.entries(classes)) {
        const expected =
          otherName === className ||
          (otherName === "ProtocolError" && className === "MessageTooBigError");
        expect(other.isInstance(error), `${otherName}.isInstance`).toBe(expected);
      }
    });
  }
});

describe("NetSocketsError", () => {
  it("has no cause property when none is given", () => {
    const error = new TimeoutError();
    expect("cause" in error).toBe(false);
    expect(error.message).toBe("the operation timed out");
  });

  it("keeps an explicit undefined cause", () => {
    expect("cause" in new TimeoutError("t", { cause: undefined })).toBe(true);
  });

  it("keeps its marker and name off the instance, so logs show only the useful fields", () => {
    const error = new NetworkError("ERR_CANNOT_CONNECT", "refused");
    expect(Object.keys(error)).toEqual(["code", "status", "hresult"]);
    expect(Object.getOwnPropertySymbols(error)).toEqual([]);
    expect(Object.hasOwn(error, "name")).toBe(false);
  });

  it("lets options.status override the row, and the HRESULT follow the status", () => {
    const expired = new CertificateError("expired", { status: WebErrorStatus.certificateExpired });
    expect(expired.status).toBe(WebErrorStatus.certificateExpired);
    expect(expired.hresult).toBe(0x80072f05);
    const redirect = new NetworkError("ERR_REDIRECT", "to https", {
      status: WebErrorStatus.httpToHttpsOnRedirection,
    });
    expect(redirect.hresult).toBe(0x80072f07);
    // A status without an HRESULT of its own keeps the row's.
    const odd = new NetworkError("ERR_CANNOT_CONNECT", "x", { status: WebErrorStatus.unknown });
    expect(odd.hresult).toBe(0x80072efd);
    // An explicit HRESULT wins.
    const explicit = new CertificateError("x", {
      status: WebErrorStatus.certificateIsInvalid,
      hresult: 0x80072f89,
    });
    expect(explicit.hresult).toBe(0x80072f89);
    expect(explicit.number).toBe(-2147012727);
  });

  it("isInstance never throws and is false for look-alikes without the marker", () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error("trap");
        },
      },
    );
    for (const value of [null, undefined, 0, "ProtocolError", {}, proxy, hostile, new Error()]) {
      expect(NetSocketsError.isInstance(value)).toBe(false);
      expect(ProtocolError.isInstance(value)).toBe(false);
    }
    const lookAlike = Object.assign(new Error("x"), { name: "ProtocolError", code: "WS_ERR_X" });
    expect(ProtocolError.isInstance(lookAlike)).toBe(false);
  });

  it("isInstance called detached answers false instead of throwing", () => {
    // TypeScript refuses the detached call (`this` must be a class); plain JS can still make it.
    const isInstance = ProtocolError.isInstance as (value: unknown) => boolean;
    expect(isInstance(new ProtocolError("WS_ERR_INVALID_OPCODE", "x"))).toBe(false);
  });
});

describe("recognised across duplicate installs", () => {
  // Another copy of the package has other classes, but the same Symbol.for marker (the global
  // symbol registry is shared by every realm) and the same lineage tags. A node:vm context is a
  // separate realm: its Error and Array are not ours, so instanceof fails and only the marker
  // can recognise the object.
  const foreign = vm.runInNewContext(`
    const marker = Symbol.for("netsockets.error");
    class ForeignProtocolError extends Error {}
    Object.defineProperty(ForeignProtocolError.prototype, marker, {
      value: Object.freeze(["NetSocketsError", "ProtocolError"]),
    });
    const error = new ForeignProtocolError("bad opcode");
    error.code = "WS_ERR_INVALID_OPCODE";
    error.status = 0;
    const timeout = new (class extends Error {})("late");
    Object.defineProperty(Object.getPrototypeOf(timeout), marker, {
      value: ["NetSocketsError", "TimeoutError"],
    });
    timeout.status = 7;
    ({ error, timeout });
  `) as { error: unknown; timeout: unknown };

  it("is not instanceof, but isInstance knows the class", () => {
    expect(foreign.error instanceof Error).toBe(false);
    expect(NetSocketsError.isInstance(foreign.error)).toBe(true);
    expect(ProtocolError.isInstance(foreign.error)).toBe(true);
    expect(MessageTooBigError.isInstance(foreign.error)).toBe(false);
    expect(TimeoutError.isInstance(foreign.error)).toBe(false);
    expect(TimeoutError.isInstance(foreign.timeout)).toBe(true);
    expect(ProtocolError.isInstance(foreign.timeout)).toBe(false);
  });

  it("getStatus reads the foreign error's status", () => {
    expect(WebSocketError.getStatus(foreign.timeout)).toBe(WebErrorStatus.timeout);
    expect(WebSocketError.getStatus(foreign.error)).toBe(WebErrorStatus.unknown);
    expect(WebSocketError.getStatus(new Error("wrapped", { cause: foreign.timeout }))).toBe(
      WebErrorStatus.timeout,
    );
  });
});

describe("the subclasses", () => {
  it("constructors refuse the codes of other classes (checked by typecheck)", () => {
    const misuse = [
      // @ts-expect-error a too-big message is always a MessageTooBigError
      () => new ProtocolError("WS_ERR_MESSAGE_TOO_BIG", "x"),
      // @ts-expect-error ERR_TIMEOUT belongs to TimeoutError
      () => new NetworkError("ERR_TIMEOUT", "x"),
      // @ts-expect-error ERR_INVALID_URI belongs to InvalidArgumentError
      () => new NetworkError("ERR_INVALID_URI", "x"),
      // @ts-expect-error ERR_OBJECT_CLOSED belongs to InvalidStateError
      () => new InvalidArgumentError("x", { code: "ERR_OBJECT_CLOSED" }),
      // @ts-expect-error a certificate rejection is a CertificateError, not a handshake failure
      () => new HandshakeError("certificate-rejected", "x"),
    ];
    expect(misuse).toHaveLength(5);
  });

  it("MessageTooBigError carries the limit and close code 1009", () => {
    const error = new MessageTooBigError(65536);
    expect(error.limit).toBe(65536);
    expect(error.closeCode).toBe(1009);
    expect(error.message).toBe("message exceeds maxMessageSize (65536 bytes)");
  });

  it("InvalidStateError / InvalidArgumentError default their codes", () => {
    expect(new InvalidStateError("x").code).toBe("ERR_INVALID_STATE");
    expect(new InvalidArgumentError("x").code).toBe("ERR_INVALID_ARGUMENT");
    expect(new CertificateError("x").code).toBe("ERR_CERTIFICATE");
  });

  it("ConnectionClosedError defaults to an unclean transport loss with 1006", () => {
    const lost = new ConnectionClosedError("ERR_CONNECTION_ABORTED", "lost");
    expect([lost.closeCode, lost.closeReason, lost.wasClean, lost.closedBy]).toEqual([
      1006,
      "",
      false,
      "transport",
    ]);
    const closed = new ConnectionClosedError("ERR_CONNECTION_CLOSED", "closed", {
      closeCode: 1000,
      closeReason: "bye",
      wasClean: true,
      closedBy: "remote",
    });
    expect([closed.closeCode, closed.closeReason, closed.wasClean, closed.closedBy]).toEqual([
      1000,
      "bye",
      true,
      "remote",
    ]);
  });

  it.each([
    [404, "notFound", 0x80190194],
    [407, "proxyAuthenticationRequired", 0x80190197],
    [503, "serviceUnavailable", 0x801901f7],
    [301, "movedPermanently", 0x8019012d],
    [306, "unexpectedRedirection", 0x80190003],
    [308, "unexpectedRedirection", 0x80190003],
    [418, "unexpectedClientError", 0x80190004],
    [429, "unexpectedClientError", 0x80190004],
    [511, "unexpectedServerError", 0x80190005],
    [200, "unexpectedStatusCode", 0x80190001],
    [101, "unexpectedStatusCode", 0x80190001],
  ])("HandshakeError bad-status %i → %s, 0x%s", (statusCode, statusName, hresult) => {
    const headers = { "content-type": "text/plain", "set-cookie": ["a=1", "b=2"] };
    const error = new HandshakeError("bad-status", `unexpected ${statusCode}`, {
      statusCode,
      headers,
    });
    expect(error.code).toBe("ERR_HANDSHAKE_BAD_STATUS");
    expect(error.reason).toBe("bad-status");
    expect(webErrorStatusName(error.status)).toBe(statusName);
    expect(error.hresult).toBe(hresult);
    expect(error.statusCode).toBe(statusCode);
    expect(error.headers).toBe(headers);
    expect(WebSocketError.getStatus(error.hresult ?? 0)).toBe(error.status);
  });

  it("HandshakeError keeps an explicit status and has empty headers by default", () => {
    const error = new HandshakeError("bad-status", "x", {
      statusCode: 404,
      status: WebErrorStatus.unexpectedClientError,
    });
    expect(error.status).toBe(WebErrorStatus.unexpectedClientError);
    expect(error.hresult).toBe(0x80190004);
    expect(new HandshakeError("bad-response", "x").headers).toEqual({});
    expect(new HandshakeError("bad-response", "x").statusCode).toBeUndefined();
  });
});
