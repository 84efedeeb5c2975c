/**
 * The progress display on stderr: on a TTY one line redrawn in place (`\r` + erase to the end of
 * the line), at most 10 times a second; otherwise a plain line at every 10 % step, so a log file
 * gets eleven lines, not thousands.
 */

/** Where the progress goes: `process.stderr` or a test double. */
export interface ProgressOutput {
  write(text: string): unknown;
  readonly isTTY?: boolean | undefined;
}

const KiB = 1024;
const MiB = KiB * 1024;
const GiB = MiB * 1024;

/** `512 B`, `1.5 KiB`, `256.0 MiB`, `1.02 GiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < KiB) return `${bytes} B`;
  if (bytes < MiB) return `${(bytes / KiB).toFixed(1)} KiB`;
  if (bytes < GiB) return `${(bytes / MiB).toFixed(1)} MiB`;
  return `${(bytes / GiB).toFixed(2)} GiB`;
}

/** `0:07`, `12:34`, `1:02:03`; `--:--` when unknown. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "--:--";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/** What one progress line shows. */
export interface ProgressSnapshot {
  readonly label: string;
  readonly done: number;
  readonly total: number;
  /** Seconds since the start. */
  readonly elapsed: number;
}

/**
 * One progress line: `label [#####-----]  42.0%  107.5 MiB / 256.0 MiB  85.3 MiB/s  ETA 0:02`.
 * The rate is the average since the start (steady for a bulk copy, and no jitter in a log); the
 * ETA is the rest at that rate. `width` is the bar's width (0: no bar).
 */
export function formatProgress(snapshot: ProgressSnapshot, width = 24): string {
  const { label, done, total, elapsed } = snapshot;
  const fraction = total === 0 ? 1 : Math.min(1, done / total);
  const rate = elapsed > 0 ? done / elapsed : 0;
  const eta = done >= total ? 0 : rate > 0 ? (total - done) / rate : Number.NaN;
  const filled = Math.round(fraction * width);
  const bar = width > 0 ? ` [${"#".repeat(filled)}${"-".repeat(width - filled)}]` : "";
  const percent = `${(fraction * 100).toFixed(1)}%`.padStart(6);
  return `${label}${bar} ${percent}  ${formatBytes(done)} / ${formatBytes(total)}  ${formatBytes(
    Math.round(rate),
  )}/s  ETA ${formatDuration(eta)}`;
}

/**
 * A progress bar over {@link formatProgress}. Call {@link update} as bytes move (cheap: it
 * throttles itself) and {@link finish} once at the end.
 */
export class ProgressBar {
  readonly #out: ProgressOutput;
  readonly #label: string;
  readonly #total: number;
  readonly #now: () => number;
  readonly #start: number;
  #lastDraw = Number.NEGATIVE_INFINITY;
  #lastStep = -1;
  #done = 0;
  #finished = false;

  /** `now` is a clock in milliseconds (injected by tests). */
  constructor(
    out: ProgressOutput,
    label: string,
    total: number,
    now: () => number = () => performance.now(),
  ) {
    this.#out = out;
    this.#label = label;
    this.#total = total;
    this.#now = now;
    this.#start = now();
  }

  /** `done` bytes so far. */
  update(done: number): void {
    this.#done = done;
    if (this.#finished) return;
    if (this.#out.isTTY === true) {
      const t = this.#now();
      if (t - this.#lastDraw < 100) return;
      this.#lastDraw = t;
      this.#out.write(`\r${this.#line()}\u001b[K`);
      return;
    }
    const step = this.#total === 0 ? 10 : Math.floor((done / this.#total) * 10);
    if (step > this.#lastStep && step < 10) {
      this.#lastStep = step;
      this.#out.write(`${this.#line()}\n`);
    }
  }

  /** The last line (100 % when all arrived) and, on a TTY, the newline that keeps it. */
  finish(done = this.#done): void {
    if (this.#finished) return;
    this.#done = done;
    this.#finished = true;
    this.#out.write(this.#out.isTTY === true ? `\r${this.#line()}\u001b[K\n` : `${this.#line()}\n`);
  }

  #line(): string {
    return formatProgress({
      label: this.#label,
      done: this.#done,
      total: this.#total,
      elapsed: (this.#now() - this.#start) / 1000,
    });
  }
}
