import { describe, expect, it } from "vitest";
import { CloseCode, isReceivableCloseCode, isSendableCloseCode } from "./close-code.js";

describe("CloseCode", () => {
  it("has the RFC 6455 §7.4.1 and IANA values, frozen", () => {
    expect(CloseCode).toEqual({
      normalClosure: 1000,
      goingAway: 1001,
      protocolError: 1002,
      unsupportedData: 1003,
      reserved: 1004,
      noStatusReceived: 1005,
      abnormalClosure: 1006,
      invalidFramePayloadData: 1007,
      policyViolation: 1008,
      messageTooBig: 1009,
      mandatoryExtension: 1010,
      internalError: 1011,
      serviceRestart: 1012,
      tryAgainLater: 1013,
      badGateway: 1014,
      tlsHandshake: 1015,
    });
    expect(Object.isFrozen(CloseCode)).toBe(true);
  });
});

describe.each([
  ["isSendableCloseCode", isSendableCloseCode],
  ["isReceivableCloseCode", isReceivableCloseCode],
])("%s", (_name, allowed) => {
  it("allows exactly 1000–1003, 1007–1014 and 3000–4999 over 0–65535", () => {
    const accepted: number[] = [];
    for (let code = 0; code <= 0xffff; code++) if (allowed(code)) accepted.push(code);
    const expected = [
      1000,
      1001,
      1002,
      1003,
      1007,
      1008,
      1009,
      1010,
      1011,
      1012,
      1013,
      1014,
      ...Array.from({ length: 2000 }, (_, i) => 3000 + i),
    ];
    expect(accepted).toEqual(expected);
  });

  it.each([
    [1004, "reserved"],
    [1005, "no status: never on the wire"],
    [1006, "abnormal closure: never on the wire"],
    [1015, "TLS failure: never on the wire"],
    [1016, "unassigned"],
    [2999, "unassigned"],
    [999, "unused"],
    [5000, "out of range"],
    [-1000, "negative"],
    [1000.5, "not an integer"],
    [Number.NaN, "NaN"],
  ])("refuses %d (%s)", (code) => {
    expect(allowed(code)).toBe(false);
  });
});
