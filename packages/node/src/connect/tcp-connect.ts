import type { LookupAddress } from "node:dns";
import * as net from "node:net";
import { type NetSocketsError, TimeoutError } from "@netsockets/errors";
import { connectReadingDirectly } from "../driver/socket-reads.js";
import type { ConnectCancellation } from "./connect-cancellation.js";
import { abortError, connectError } from "./connect-errors.js";
import type { CreateConnection } from "./connect-options.js";

/** Default timeout of one TCP connect attempt (reference/uwp-api.md §17.1). */
export const DEFAULT_CONNECT_TIMEOUT_MS = 60_000;

/** Options of {@link connectTcp}. */
export interface TcpConnectOptions {
  readonly port: number;
  readonly createConnection?: CreateConnection | undefined;
  readonly connectTimeoutMs?: number | undefined;
  /** TCP_NODELAY on connect (default `true`); `null`: left to the caller. */
  readonly noDelay?: boolean | null | undefined;
  readonly cancellation?: ConnectCancellation | undefined;
  /**
   * Read with Node's `onread` instead of `'data'` (see `driver/socket-reads.ts`): for a plain
   * connection whose bytes go to this package's readers only. Ignored with `createConnection`.
   */
  readonly directReads?: boolean | undefined;
}

/**
 * Connects to the first of `addresses` that accepts, trying them in order, each attempt with its
 * own timeout (reference/uwp-api.md §17.1: "tries up to 5 IP addresses, each with the 60 s
 * default"). A failed attempt's socket is destroyed before the next starts. When all fail, the
 * error of the last attempt is thrown. An abort stops at once and leaves no socket, timer or listener.
 */
export async function connectTcp(
  addresses: readonly LookupAddress[],
  options: TcpConnectOptions,
): Promise<net.Socket> {
  const failures: NetSocketsError[] = [];
  for (const { address, family } of addresses) {
    try {
      return await connectTcpAddress(address, family, options);
    } catch (error) {
      const failure = error as NetSocketsError;
      if (options.cancellation?.aborted) throw failure;
      failures.push(failure);
    }
  }
  // The last failure decides the status, as on Windows after its last address.
  throw failures[failures.length - 1] ?? connectError(new Error("no address to connect to"), "tcp");
}

/**
 * Connects to one address (an attempt of {@link connectTcp}; alone for an IP literal, which
 * needs no loop) within `connectTimeoutMs`. A failure destroys the socket; an abort stops at
 * once; either way no timer or listener is left.
 */
export function connectTcpAddress(
  address: string,
  family: number,
  options: TcpConnectOptions,
): Promise<net.Socket> {
  const { cancellation } = options;
  if (cancellation?.aborted) return Promise.reject(abortError(cancellation));
  const timeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const create = options.createConnection ?? net.createConnection;
  return new Promise((resolve, reject) => {
    let socket: net.Socket;
    const cleanup = (): void => {
      clearTimeout(timer);
      cancellation?.unlisten(onAbort);
      socket.removeListener("connect", onConnect);
      socket.removeListener("error", onError);
    };
    const fail = (error: NetSocketsError): void => {
      cleanup();
      socket.destroy();
      reject(error);
    };
    const onConnect = (): void => {
      cleanup();
      if (options.noDelay !== null) socket.setNoDelay(options.noDelay ?? true);
      resolve(socket);
    };
    const onError = (error: Error): void => fail(connectError(error, "tcp"));
    const onAbort = (): void => fail(abortError(cancellation as ConnectCancellation));
    const timer = setTimeout(
      () => fail(new TimeoutError(`connecting to ${address} timed out after ${timeoutMs} ms`)),
      timeoutMs,
    );
    try {
      const target = { host: address, port: options.port, family };
      socket =
        options.directReads === true && options.createConnection === undefined
          ? connectReadingDirectly(target)
          : create(target);
    } catch (error) {
      clearTimeout(timer);
      reject(connectError(error, "tcp"));
      return;
    }
    // cleanup() removes both on every path: plain listeners, no once-wrappers to make and find.
    socket.on("connect", onConnect);
    socket.on("error", onError);
    cancellation?.listen(onAbort);
  });
}
