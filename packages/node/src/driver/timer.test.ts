import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Timer } from "./timer.js";

/**
 * The faked clock, passed explicitly: the tests then do not depend on which globals a fake-timer
 * setup fakes (Vitest 4 fakes `performance` too; older setups faked only `Date`).
 */
const fakeNow = (): number => Date.now();

describe("Timer", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("fires once after its delay, then is inactive", () => {
    let fired = 0;
    const timer = new Timer(() => fired++, fakeNow);
    timer.start(100);
    expect(timer.active).toBe(true);
    vi.advanceTimersByTime(99);
    expect(fired).toBe(0);
    vi.advanceTimersByTime(1);
    expect(fired).toBe(1);
    expect(timer.active).toBe(false);
    vi.advanceTimersByTime(1000);
    expect(fired).toBe(1);
  });

  it("does nothing when it expires disarmed, and a re-arm counts from the re-arm", () => {
    let fired = 0;
    const timer = new Timer(() => fired++, fakeNow);
    timer.start(100);
    vi.advanceTimersByTime(50);
    timer.disarm();
    expect(timer.active).toBe(false);
    vi.advanceTimersByTime(100);
    expect(fired).toBe(0);
    timer.start(100);
    vi.advanceTimersByTime(60);
    timer.disarm();
    timer.start(100);
    vi.advanceTimersByTime(99);
    expect(fired).toBe(0);
    vi.advanceTimersByTime(1);
    expect(fired).toBe(1);
  });

  it("reuses one Timeout across re-arms with the same delay", () => {
    const timer = new Timer(() => {}, fakeNow);
    timer.start(100);
    expect(vi.getTimerCount()).toBe(1);
    for (let i = 0; i < 10; i++) {
      timer.disarm();
      timer.start(100);
    }
    expect(vi.getTimerCount()).toBe(1);
    timer.clear();
    expect(vi.getTimerCount()).toBe(0);
  });

  it("refresh() restarts an armed countdown and ignores a disarmed timer", () => {
    let fired = 0;
    const timer = new Timer(() => fired++, fakeNow);
    timer.start(100);
    vi.advanceTimersByTime(80);
    timer.refresh();
    vi.advanceTimersByTime(80);
    expect(fired).toBe(0);
    vi.advanceTimersByTime(20);
    expect(fired).toBe(1);
    timer.refresh();
    vi.advanceTimersByTime(200);
    expect(fired).toBe(1);
  });

  it("treats a delay of 0 or Infinity as off", () => {
    let fired = 0;
    const timer = new Timer(() => fired++, fakeNow);
    timer.start(0);
    timer.start(Number.POSITIVE_INFINITY);
    expect(timer.active).toBe(false);
    vi.advanceTimersByTime(10_000);
    expect(fired).toBe(0);
  });

  it("re-arms lazily: the pending Timeout waits for the moved deadline", () => {
    let fired = 0;
    const timer = new Timer(() => fired++, fakeNow);
    timer.start(100);
    vi.advanceTimersByTime(90);
    // Once per message in a driver: no Timeout is made or moved.
    for (let i = 0; i < 5; i++) timer.start(100);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(10);
    // The first Timeout fired at 100 and found the deadline at 190: one new Timeout waits.
    expect([fired, vi.getTimerCount(), timer.active]).toEqual([0, 1, true]);
    vi.advanceTimersByTime(89);
    expect(fired).toBe(0);
    vi.advanceTimersByTime(1);
    expect(fired).toBe(1);
  });

  it("a shorter delay than the pending Timeout's fires on time", () => {
    let fired = 0;
    const timer = new Timer(() => fired++, fakeNow);
    timer.start(1000);
    timer.start(100);
    vi.advanceTimersByTime(99);
    expect(fired).toBe(0);
    vi.advanceTimersByTime(1);
    expect(fired).toBe(1);
    vi.advanceTimersByTime(2000);
    expect([fired, vi.getTimerCount()]).toEqual([1, 0]);
  });
});
