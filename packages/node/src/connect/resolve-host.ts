import type { LookupAddress } from "node:dns";
import * as dns from "node:dns";
import * as net from "node:net";
import { NetworkError, TimeoutError } from "@netsockets/errors";
import type { ConnectCancellation } from "./connect-cancellation.js";
import { abortError, connectError } from "./connect-errors.js";
import type { LookupFunction } from "./connect-options.js";
import { DEFAULT_CONNECT_TIMEOUT_MS } from "./tcp-connect.js";

/** How many addresses of one name are tried before giving up (reference/uwp-api.md §17.1). */
export const MAX_ADDRESSES = 5;

/**
 * The addresses to try for `hostname`, in the resolver's order, at most {@link MAX_ADDRESSES}.
 * An IP literal is its own single address and is not looked up. Rejects with
 * `ERR_HOST_NOT_RESOLVED` when the name does not resolve (or resolves to nothing), with a
 * `TimeoutError` after `timeoutMs`, and with the abort error when `cancellation` aborts first; a lookup
 * that answers later is ignored (a lookup cannot be cancelled).
 */
export function resolveHost(
  hostname: string,
  lookup: LookupFunction = dns.lookup as LookupFunction,
  cancellation?: ConnectCancellation,
  timeoutMs = DEFAULT_CONNECT_TIMEOUT_MS,
): Promise<LookupAddress[]> {
  const family = net.isIP(hostname);
  if (family !== 0) return Promise.resolve([{ address: hostname, family }]);
  if (cancellation?.aborted) return Promise.reject(abortError(cancellation));
  return new Promise((resolve, reject) => {
    let done = false;
    const onAbort = (): void => finish(abortError(cancellation as ConnectCancellation));
    const timer = setTimeout(
      () => finish(new TimeoutError(`resolving ${hostname} timed out after ${timeoutMs} ms`)),
      timeoutMs,
    );
    const finish = (error: unknown, addresses?: LookupAddress[]): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      cancellation?.unlisten(onAbort);
      if (error !== null) reject(connectError(error, "dns"));
      else if (addresses === undefined || addresses.length === 0) {
        reject(new NetworkError("ERR_HOST_NOT_RESOLVED", `${hostname} has no address`));
      } else resolve(addresses.slice(0, MAX_ADDRESSES));
    };
    cancellation?.listen(onAbort);
    try {
      lookup(hostname, { all: true }, (error, addresses) => finish(error, addresses));
    } catch (error) {
      finish(error);
    }
  });
}
