import { describe, expect, it } from "vitest";
import { formatBytes, formatDuration, formatProgress, ProgressBar } from "./progress.js";

const MiB = 1024 * 1024;

describe("formatting", () => {
  it("bytes and durations", () => {
    expect([0, 1023, 1536, 256 * MiB, 1.5 * 1024 * MiB].map(formatBytes)).toEqual([
      "0 B",
      "1023 B",
      "1.5 KiB",
      "256.0 MiB",
      "1.50 GiB",
    ]);
    expect([0, 7.4, 754, 3723, Number.NaN, Number.POSITIVE_INFINITY].map(formatDuration)).toEqual([
      "0:00",
      "0:07",
      "12:34",
      "1:02:03",
      "--:--",
      "--:--",
    ]);
  });

  it("a line with bar, percentage, amounts, average rate and ETA", () => {
    expect(formatProgress({ label: "send", done: 64 * MiB, total: 256 * MiB, elapsed: 2 }, 8)).toBe(
      "send [##------]  25.0%  64.0 MiB / 256.0 MiB  32.0 MiB/s  ETA 0:06",
    );
    expect(formatProgress({ label: "x", done: 0, total: 10, elapsed: 0 }, 0)).toBe(
      "x   0.0%  0 B / 10 B  0 B/s  ETA --:--",
    );
    expect(formatProgress({ label: "x", done: 0, total: 0, elapsed: 1 }, 4)).toBe(
      "x [####] 100.0%  0 B / 0 B  0 B/s  ETA 0:00",
    );
  });
});

describe("ProgressBar", () => {
  const output = (isTTY: boolean) => {
    const writes: string[] = [];
    return { writes, out: { isTTY, write: (s: string) => writes.push(s) } };
  };

  it("without a TTY: one plain line per 10 % step, then the final line", () => {
    const { writes, out } = output(false);
    let t = 0;
    const bar = new ProgressBar(out, "send", 1000, () => t);
    for (let done = 0; done <= 1000; done += 10) {
      t += 10;
      bar.update(done);
    }
    bar.finish(1000);
    expect(writes.length).toBe(11); // 0 %, 10 % … 90 %, and the final 100 %
    expect(writes.every((w) => w.endsWith("\n") && !w.includes("\r"))).toBe(true);
    expect(writes.at(-1)).toContain("100.0%");
  });

  it("on a TTY: one line redrawn in place at most every 100 ms, kept by a final newline", () => {
    const { writes, out } = output(true);
    let t = 0;
    const bar = new ProgressBar(out, "send", 1000, () => t);
    for (let done = 0; done <= 1000; done += 10) {
      t += 20; // 101 updates over 2 s → about 20 redraws
      bar.update(done);
    }
    bar.finish();
    expect(writes.length).toBeGreaterThanOrEqual(20);
    expect(writes.length).toBeLessThanOrEqual(22);
    expect(writes.every((w) => w.startsWith("\r") && w.includes("\u001b[K"))).toBe(true);
    expect(writes.at(-1)?.endsWith("\n")).toBe(true);
    bar.update(5); // after finish: nothing more
    expect(writes.at(-1)).toContain("100.0%");
  });
});
