/**
 * A process-wide bound on concurrent zlib jobs (one job = one compress or decompress step of one
 * connection). Node runs zlib work on the libuv thread pool; thousands of connections each with
 * a job in flight fragment the native heap and starve DNS and file I/O (ws#1202, which added
 * ws's `concurrencyLimit` of 10). Jobs beyond the limit wait in a FIFO.
 *
 * A job whose owner closed while it waited is dropped when its turn comes, so a mass disconnect
 * leaves nothing behind in the queue (ws#1617).
 */

/** Default number of zlib jobs that may run at once in the process (as ws). */
export const DEFAULT_ZLIB_CONCURRENCY = 10;

interface Job {
  readonly run: (done: () => void) => void;
  readonly owner: { readonly closed: boolean };
  readonly drop: (() => void) | undefined;
}

let limit = DEFAULT_ZLIB_CONCURRENCY;
let running = 0;
let queue: Job[] = [];
let head = 0;

/**
 * Sets the process-wide zlib concurrency (default {@link DEFAULT_ZLIB_CONCURRENCY}); jobs
 * already running finish. Returns the previous value.
 */
export function setZlibConcurrency(value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`zlib concurrency must be a positive integer, got ${value}`);
  }
  const previous = limit;
  limit = value;
  drain();
  return previous;
}

/** Jobs running and waiting now (for tests and monitoring). */
export function zlibJobCounts(): { readonly running: number; readonly queued: number } {
  return { running, queued: queue.length - head };
}

/**
 * Runs `run` now or when a slot frees up; `run` must call `done` exactly once when its zlib
 * work is over. Skipped if `owner.closed` is true by its turn: then `drop` is called instead.
 */
export function scheduleZlibJob(
  owner: { readonly closed: boolean },
  run: (done: () => void) => void,
  drop?: () => void,
): void {
  if (running < limit && head === queue.length) {
    start({ run, owner, drop });
    return;
  }
  queue.push({ run, owner, drop });
  drain();
}

function start(job: Job): void {
  running++;
  let finished = false;
  job.run(() => {
    if (finished) return;
    finished = true;
    running--;
    drain();
  });
}

function drain(): void {
  while (running < limit && head < queue.length) {
    const job = queue[head++] as Job;
    if (!job.owner.closed) start(job);
    else job.drop?.();
  }
  if (head === queue.length) {
    queue = [];
    head = 0;
  } else if (head > 1024 && head * 2 > queue.length) {
    queue = queue.slice(head);
    head = 0;
  }
}
