import { expect, it } from "vitest";
import { autobahnCases, selectCases } from "./autobahn-cases.js";

const rows = autobahnCases;

it("has one row per Autobahn case of groups 1–7, 9 and 10 (301 cases)", () => {
  expect(rows).toHaveLength(301);
  const perGroup = new Map<string, number>();
  for (const { id } of rows) {
    const group = id.split(".")[0] as string;
    perGroup.set(group, (perGroup.get(group) ?? 0) + 1);
  }
  expect(Object.fromEntries(perGroup)).toEqual({
    "1": 16,
    "2": 11,
    "3": 7,
    "4": 10,
    "5": 20,
    "6": 145,
    "7": 37,
    "9": 54,
    "10": 1,
  });
  expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
});

it("selects cases with Autobahn's patterns", () => {
  expect(selectCases(["6.4.*"]).map((c) => c.id)).toEqual(["6.4.1", "6.4.2", "6.4.3", "6.4.4"]);
  expect(selectCases(["9.*"], ["9.1.*", "9.2.*", "9.3.*", "9.4.*", "9.5.*", "9.6.*"])).toHaveLength(
    12,
  );
  expect(selectCases(["1.1.1", "10.*"]).map((c) => c.id)).toEqual(["1.1.1", "10.1.1"]);
});

it("reconstructs Autobahn's UTF-8 vectors (spot checks against case6_x_x.py)", () => {
  const payload = (id: string) => {
    const step = selectCases([id])[0]?.build().steps[0];
    return step?.kind === "send" ? Buffer.from(step.frames[0]?.payload ?? []).toString("hex") : "";
  };
  expect(payload("6.5.4")).toBe(Buffer.from("hello\u{24b62}world").toString("hex"));
  expect(payload("6.12.8")).toHaveLength(63 * 2); // 0x80 … 0xbe
  expect(payload("6.13.1")).toHaveLength(31 * 4); // c0 20 … de 20
  expect(payload("6.22.3")).toBe("f09fbfbe"); // f0 8f … is overlong and skipped
  expect(payload("6.22.34")).toBe("f48fbfbf");
  expect(selectCases(["6.22.*"])).toHaveLength(34);
});
