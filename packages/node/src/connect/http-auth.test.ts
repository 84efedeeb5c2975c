import { describe, expect, it } from "vitest";
import { PasswordCredential } from "../winrt/password-credential.js";
import { basicAuthorization, offersBasic } from "./http-auth.js";

describe("basicAuthorization", () => {
  it("encodes user:password as UTF-8 base64 (RFC 7617 example)", () => {
    expect(basicAuthorization(new PasswordCredential("", "Aladdin", "open sesame"))).toBe(
      "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==",
    );
    expect(basicAuthorization(new PasswordCredential("", "test", "123£"))).toBe(
      "Basic dGVzdDoxMjPCow==",
    );
  });

  it("refuses a colon in the user name and control characters", () => {
    expect(() => basicAuthorization(new PasswordCredential("", "a:b", "c"))).toThrow(/colon/);
    expect(() => basicAuthorization(new PasswordCredential("", "a", "b\r\nX: y"))).toThrow();
  });
});

describe("offersBasic", () => {
  it.each([
    ['Basic realm="x"', true],
    ["basic", true],
    ['Newauth realm="apps", type=1, title="Login", Basic realm="simple"', true],
    ['Digest realm="x", qop="auth, basic"', false],
    ['Digest realm="a \\" , Basic b"', false],
    ["Bearer, Basic", true],
    ["Negotiate abc==", false],
    ["Basicx realm=1", false],
    ["realm=basic", false],
    ["", false],
  ])("%j → %s", (header, expected) => {
    expect(offersBasic(header)).toBe(expected);
  });

  it("looks at every header line and is linear on hostile input", () => {
    expect(offersBasic(["Digest a=b", "Basic"])).toBe(true);
    expect(offersBasic(undefined)).toBe(false);
    const hostile = `a="${"\\\\".repeat(100_000)}`;
    const started = performance.now();
    expect(offersBasic(`${hostile}, ${",".repeat(100_000)} x=y`)).toBe(false);
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});
