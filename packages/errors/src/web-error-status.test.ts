import { describe, expect, it } from "vitest";
import {
  isWebErrorStatus,
  WebErrorStatus,
  webErrorStatusFromHttpStatus,
  webErrorStatusName,
} from "./web-error-status.js";

describe("WebErrorStatus", () => {
  it("has the 55 members of Windows.Web.WebErrorStatus: 24 non-HTTP and 31 HTTP mirrors", () => {
    const values = Object.values(WebErrorStatus);
    expect(values).toHaveLength(55);
    expect(values.filter((v) => v < 300)).toEqual(Array.from({ length: 24 }, (_, i) => i));
    expect(values.filter((v) => v >= 300 && v < 400)).toEqual([300, 301, 302, 303, 304, 305, 307]);
    expect(values.filter((v) => v >= 400 && v < 500)).toEqual(
      Array.from({ length: 18 }, (_, i) => 400 + i),
    );
    expect(values.filter((v) => v >= 500)).toEqual([500, 501, 502, 503, 504, 505]);
  });

  it("is frozen", () => {
    expect(Object.isFrozen(WebErrorStatus)).toBe(true);
  });

  it("names a member from its value", () => {
    expect(webErrorStatusName(14)).toBe("cannotConnect");
    expect(webErrorStatusName(404)).toBe("notFound");
    expect(webErrorStatusName(306)).toBeUndefined();
    expect(webErrorStatusName(308)).toBeUndefined();
    expect(isWebErrorStatus(7)).toBe(true);
    expect(isWebErrorStatus("7")).toBe(false);
  });
});

describe("webErrorStatusFromHttpStatus", () => {
  it("gives the mirroring member for every HTTP member value", () => {
    for (const value of Object.values(WebErrorStatus).filter((v) => v >= 300)) {
      expect(webErrorStatusFromHttpStatus(value)).toBe(value);
    }
  });

  it.each([
    [306, "unexpectedRedirection"],
    [308, "unexpectedRedirection"],
    [399, "unexpectedRedirection"],
    [418, "unexpectedClientError"],
    [426, "unexpectedClientError"],
    [499, "unexpectedClientError"],
    [506, "unexpectedServerError"],
    [599, "unexpectedServerError"],
    [600, "unexpectedStatusCode"],
    [200, "unexpectedStatusCode"],
    [101, "unexpectedStatusCode"],
    [14, "unexpectedStatusCode"],
    [0, "unexpectedStatusCode"],
    [404.5, "unexpectedStatusCode"],
  ])("%d → %s", (statusCode, name) => {
    expect(webErrorStatusName(webErrorStatusFromHttpStatus(statusCode))).toBe(name);
  });
});
