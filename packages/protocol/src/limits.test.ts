import { describe, expect, it } from "vitest";
import { DEFAULT_MAX_FRAGMENTS, DEFAULT_MAX_MESSAGE_SIZE, resolveLimits } from "./limits.js";

describe("resolveLimits", () => {
  it("defaults to 64 MiB messages, frames as large as messages, 131072 fragments", () => {
    expect(resolveLimits()).toEqual({
      maxMessageSize: 64 * 1024 * 1024,
      maxFrameSize: 64 * 1024 * 1024,
      maxFragments: 131_072,
    });
    expect(DEFAULT_MAX_MESSAGE_SIZE).toBe(67_108_864);
    expect(DEFAULT_MAX_FRAGMENTS).toBe(131_072);
  });

  it("lets maxFrameSize follow a raised maxMessageSize unless it is set", () => {
    expect(resolveLimits({ maxMessageSize: 0xffffffff }).maxFrameSize).toBe(0xffffffff);
    expect(resolveLimits({ maxMessageSize: 100, maxFrameSize: 10 }).maxFrameSize).toBe(10);
  });
});
