import { describe, expect, it } from "vitest";
import { copyBytes } from "./copy-bytes.js";

describe("copyBytes", () => {
  it("copies a Node Buffer (whose slice() would be a view) into a plain Uint8Array", () => {
    const source = Buffer.from([1, 2, 3, 4]);
    const copy = copyBytes(source, 1, 3);
    expect(copy.constructor).toBe(Uint8Array);
    expect([...copy]).toEqual([2, 3]);
    copy[0] = 9;
    expect([...source]).toEqual([1, 2, 3, 4]);
  });

  it("copies a Uint8Array view, whole by default", () => {
    const backing = new Uint8Array([0, 5, 6, 7]);
    const copy = copyBytes(backing.subarray(1));
    expect(copy).toEqual(new Uint8Array([5, 6, 7]));
    copy[0] = 0;
    expect(backing[1]).toBe(5);
  });
});
