import type { X509Certificate } from "node:crypto";
import { InvalidStateError } from "@netsockets/errors";
import type { ChainValidationResult, SocketSslErrorSeverity } from "./chain-validation-result.js";

/**
 * `Windows.Foundation.Deferral`: handed out by `getDeferral()` so an event handler can finish
 * its work asynchronously. Call {@link Deferral.complete} exactly once when done.
 */
export class Deferral {
  #onComplete: (() => void) | undefined;

  /** @param onComplete Runs on the first `complete()`. */
  constructor(onComplete: () => void) {
    this.#onComplete = onComplete;
  }

  /**
   * Signals that the deferred work is finished. A second call is a programming error and throws
   * `InvalidStateError`, as in WinRT.
   */
  complete(): void {
    const done = this.#onComplete;
    if (done === undefined) throw new InvalidStateError("the deferral is already complete");
    this.#onComplete = undefined;
    done();
  }

  /** Same as {@link Deferral.complete}, except that it does nothing once completed (`IClosable`). */
  close(): void {
    if (this.#onComplete !== undefined) this.complete();
  }

  /** `using` support: completes the deferral if it is still open. */
  [Symbol.dispose](): void {
    this.close();
  }
}

/** What the TLS layer found, handed to {@link WebSocketServerCustomValidationRequestedEventArgs}. */
export interface ServerCertificateInfo {
  /** The certificate the server offered. */
  readonly serverCertificate: X509Certificate;
  /** The intermediate certificates of the chain (the server certificate excluded). */
  readonly serverIntermediateCertificates: readonly X509Certificate[];
  /** Errors found by the default validation (all of them ignorable, or the hook would not run). */
  readonly serverCertificateErrors: readonly ChainValidationResult[];
  /** Severity of those errors. */
  readonly serverCertificateErrorSeverity: SocketSslErrorSeverity;
}

let waitForDecision: (args: WebSocketServerCustomValidationRequestedEventArgs) => Promise<boolean>;

/**
 * The argument of the `servercustomvalidationrequested` event (reference/uwp-api.md §10). It
 * runs after the default validation succeeded (honouring `ignorableServerCertificateErrors`).
 * There is no accept method: if no handler calls {@link reject}, the connection proceeds. A
 * handler that checks asynchronously takes a {@link getDeferral} and completes it when it has
 * decided, whether it accepts or rejects.
 *
 * @example
 * ```ts
 * onServerCustomValidation(args) {
 *   const deferral = args.getDeferral();
 *   isPinned(args.serverCertificate).then((ok) => {
 *     if (!ok) args.reject();
 *     deferral.complete();
 *   });
 * }
 * ```
 */
export class WebSocketServerCustomValidationRequestedEventArgs {
  /** The certificate the server offered. */
  readonly serverCertificate: X509Certificate;
  /** The intermediate certificates the server sent (its own certificate excluded). */
  readonly serverIntermediateCertificates: readonly X509Certificate[];
  /** Errors found so far by the default validation. */
  readonly serverCertificateErrors: readonly ChainValidationResult[];
  /** Severity of those errors. */
  readonly serverCertificateErrorSeverity: SocketSslErrorSeverity;
  #rejected = false;
  #open = 0;
  #settled: (() => void) | undefined;

  constructor(info: ServerCertificateInfo) {
    this.serverCertificate = info.serverCertificate;
    this.serverIntermediateCertificates = Object.freeze([...info.serverIntermediateCertificates]);
    this.serverCertificateErrors = Object.freeze([...info.serverCertificateErrors]);
    this.serverCertificateErrorSeverity = info.serverCertificateErrorSeverity;
  }

  /** Rejects the server: the connect fails with `ERR_SERVER_CERTIFICATE_REJECTED` (`INET_E_SECURITY_PROBLEM`). */
  reject(): void {
    this.#rejected = true;
  }

  /** Delays the decision until the returned deferral is completed. */
  getDeferral(): Deferral {
    this.#open++;
    return new Deferral(() => {
      this.#open--;
      if (this.#open === 0) this.#settled?.();
    });
  }

  static {
    // Read by the connect code through {@link customValidationDecision}; not public API.
    waitForDecision = (args) =>
      args.#open === 0
        ? Promise.resolve(args.#rejected)
        : new Promise<boolean>((resolve) => {
            args.#settled = () => resolve(args.#rejected);
          });
  }
}

/**
 * Resolves once every deferral taken from `args` is complete, with whether a handler rejected the
 * server. Internal to @netsockets/node.
 */
export function customValidationDecision(
  args: WebSocketServerCustomValidationRequestedEventArgs,
): Promise<boolean> {
  return waitForDecision(args);
}
