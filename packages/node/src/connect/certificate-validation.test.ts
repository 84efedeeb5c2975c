import * as tls from "node:tls";
import { WebErrorStatus } from "@netsockets/errors";
import { describe, expect, it } from "vitest";
import { ChainValidationResult } from "../winrt/chain-validation-result.js";
import {
  decisiveError,
  parseAnchors,
  splitPem,
  statusOfCertificateError,
  UNIGNORABLE,
} from "./certificate-validation.js";

const R = ChainValidationResult;
const S = WebErrorStatus;

describe("statusOfCertificateError", () => {
  it.each([
    [R.untrusted, S.certificateIsInvalid],
    [R.incompleteChain, S.certificateIsInvalid],
    [R.expired, S.certificateExpired],
    [R.invalidName, S.certificateCommonNameIsIncorrect],
    [R.revoked, S.certificateRevoked],
    [R.invalidSignature, S.certificateContainsErrors],
    [R.wrongUsage, S.certificateContainsErrors],
    [R.invalidCertificateAuthorityPolicy, S.certificateContainsErrors],
    [R.basicConstraintsError, S.certificateContainsErrors],
    [R.unknownCriticalExtension, S.certificateContainsErrors],
    [R.revocationInformationMissing, S.certificateContainsErrors],
    [R.revocationFailure, S.certificateContainsErrors],
    [R.otherErrors, S.certificateContainsErrors],
  ])("ChainValidationResult %i → WebErrorStatus %i", (error, status) => {
    expect(statusOfCertificateError(error)).toBe(status);
  });
});

describe("decisiveError", () => {
  it("names the most serious error: broken, then trust, then dates, then name", () => {
    expect(decisiveError([R.invalidName, R.expired])).toBe(R.expired);
    expect(decisiveError([R.invalidName, R.expired, R.untrusted])).toBe(R.untrusted);
    expect(decisiveError([R.untrusted, R.revoked])).toBe(R.revoked);
    expect(decisiveError([R.invalidName])).toBe(R.invalidName);
  });
});

describe("never ignorable", () => {
  it("are the broken-certificate results", () => {
    expect([...UNIGNORABLE].sort((a, b) => a - b)).toEqual([
      R.success,
      R.invalidSignature,
      R.basicConstraintsError,
      R.unknownCriticalExtension,
      R.otherErrors,
    ]);
  });
});

describe("trust anchors", () => {
  it("parses Node's bundled roots and splits PEM bundles", () => {
    expect(parseAnchors(undefined).length).toBeGreaterThanOrEqual(tls.rootCertificates.length);
    const bundle = tls.rootCertificates.slice(0, 3).join("\n");
    expect(splitPem(bundle)).toHaveLength(3);
    expect(parseAnchors(["garbage", ...splitPem(bundle)])).toHaveLength(3);
  });
});
