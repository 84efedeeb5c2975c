import { abortable, linkSignal, throwIfAborted } from "./abortable.js";
import { concurrentOperation } from "./data-errors.js";

/**
 * The one asynchronous operation a `DataReader` or `DataWriter` may have in progress
 * (reference/uwp-api.md §15.3, §16.3: concurrent operations fail with
 * `HRESULT_FROM_WIN32(ERROR_INVALID_OPERATION)`). It links the caller's `AbortSignal` for the
 * duration of the operation only, and lets `close()` end a pending operation.
 */
export class OperationSlot {
  /** Aborts the pending operation; `null` when none is pending. */
  #controller: AbortController | null = null;
  /** Names the owner in error messages. */
  readonly #what: string;

  constructor(what: string) {
    this.#what = what;
  }

  /** Whether an operation is pending. */
  get busy(): boolean {
    return this.#controller !== null;
  }

  /**
   * Runs `work` as the pending operation. Rejects with `ERR_CONCURRENT_OPERATION` if another is
   * pending, and with the abort error as soon as the caller's signal aborts or {@link cancel} is
   * called. `work` gets the operation's signal: it passes it on to the stream and must not touch
   * its owner's state after an `await` once that signal has aborted.
   */
  async run<T>(
    userSignal: AbortSignal | undefined,
    work: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    if (this.#controller !== null) throw concurrentOperation(this.#what);
    throwIfAborted(userSignal);
    const controller = new AbortController();
    this.#controller = controller;
    const unlink = linkSignal(userSignal, controller);
    try {
      return await abortable(work(controller.signal), controller.signal);
    } finally {
      unlink();
      if (this.#controller === controller) this.#controller = null;
    }
  }

  /** Ends the pending operation, if any, rejecting it with `reason`. */
  cancel(reason: Error): void {
    const controller = this.#controller;
    this.#controller = null;
    controller?.abort(reason);
  }
}
