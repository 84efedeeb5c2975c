import { getEventListeners } from "node:events";
import { TimeoutError } from "@netsockets/errors";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ConnectCancellation } from "./connect-cancellation.js";
import { abortError } from "./connect-errors.js";

function timeouts(): number {
  return process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
}

describe("ConnectCancellation", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("takes an already aborted signal's reason without listening to it", () => {
    const reason = new Error("stop");
    const signal = AbortSignal.abort(reason);
    const cancellation = new ConnectCancellation(signal);
    expect(cancellation.aborted).toBe(true);
    expect(cancellation.reason).toBe(reason);
    expect(getEventListeners(signal, "abort")).toHaveLength(0);
  });

  it("aborts with the caller's signal, calls the listening stage once, and release() unhooks", () => {
    const controller = new AbortController();
    const cancellation = new ConnectCancellation(controller.signal);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(1);
    const stage = vi.fn();
    cancellation.listen(stage);
    controller.abort("why");
    expect(stage).toHaveBeenCalledTimes(1);
    expect(cancellation.aborted).toBe(true);
    expect(cancellation.reason).toBe("why");
    cancellation.abort("later");
    expect(cancellation.reason).toBe("why");
    expect(stage).toHaveBeenCalledTimes(1);
    cancellation.release();
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });

  it("release() before any abort removes the listener on the caller's signal", () => {
    const controller = new AbortController();
    const cancellation = new ConnectCancellation(controller.signal);
    cancellation.release();
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
    controller.abort();
    expect(cancellation.aborted).toBe(false);
  });

  it("calls no stage that unlistened, and refuses a second listener", () => {
    const cancellation = new ConnectCancellation();
    const first = vi.fn();
    cancellation.listen(first);
    expect(() => cancellation.listen(() => undefined)).toThrow("already listening");
    cancellation.unlisten(first);
    const second = vi.fn();
    cancellation.listen(second);
    cancellation.abort(new Error("closed"));
    expect(first).not.toHaveBeenCalled();
    expect(second).toHaveBeenCalledTimes(1);
  });

  it("the handshake deadline aborts with a TimeoutError that abortError passes on", () => {
    vi.useFakeTimers();
    const cancellation = new ConnectCancellation();
    const stage = vi.fn();
    cancellation.listen(stage);
    cancellation.startDeadline(1000);
    vi.advanceTimersByTime(999);
    expect(cancellation.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(stage).toHaveBeenCalledTimes(1);
    expect(cancellation.reason).toBeInstanceOf(TimeoutError);
    expect(abortError(cancellation)).toBe(cancellation.reason);
    expect((cancellation.reason as Error).message).toContain("within 1000 ms");
  });

  it("clearDeadline() and release() leave no timer", () => {
    const before = timeouts();
    const cancellation = new ConnectCancellation();
    cancellation.startDeadline(60_000);
    expect(timeouts()).toBe(before + 1);
    cancellation.clearDeadline();
    expect(timeouts()).toBe(before);
    cancellation.startDeadline(60_000);
    cancellation.release();
    expect(timeouts()).toBe(before);
    cancellation.startDeadline(60_000);
    cancellation.abort(new Error("closed"));
    expect(timeouts()).toBe(before);
    // An aborted connect arms no deadline.
    cancellation.startDeadline(60_000);
    expect(timeouts()).toBe(before);
  });
});
