import * as http from "node:http";
import type * as net from "node:net";
import { HandshakeError, type NetSocketsError } from "@netsockets/errors";
import { abortError, type ConnectStage, connectError } from "./connect-errors.js";

/** How the server answered one HTTP request sent over an already connected socket. */
export type HttpOutcome =
  | {
      /** A `101` (upgrade) or any answer to `CONNECT`: Node handed the raw socket back. */
      readonly kind: "switched";
      readonly response: http.IncomingMessage;
      readonly socket: net.Socket;
      readonly head: Buffer;
    }
  | {
      /** Any other answer. Call {@link discardResponse} once its headers are read. */
      readonly kind: "response";
      readonly response: http.IncomingMessage;
      readonly socket: net.Socket;
    };

/** One request: method, target and headers (including `Host`). */
export interface HttpRequestSpec {
  readonly method: "GET" | "CONNECT";
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
}

const noop = (): void => {};

/**
 * Sends one HTTP/1.1 request over `socket` with Node's HTTP client (its llhttp parser and header
 * limits guard the response) and resolves with the answer's head. Rejects with the abort error
 * when `signal` fires (destroying the socket), with `HandshakeError` (`bad-response`) when the
 * answer is not valid HTTP or its head is too large, and with the mapped system error when the
 * socket fails or closes first.
 */
export function httpExchange(
  socket: net.Socket,
  spec: HttpRequestSpec,
  signal: AbortSignal,
  stage: ConnectStage,
): Promise<HttpOutcome> {
  if (signal.aborted) {
    socket.destroy();
    return Promise.reject(abortError(signal));
  }
  return new Promise((resolve, reject) => {
    let request: http.ClientRequest;
    const settle = (): void => {
      signal.removeEventListener("abort", onAbort);
      request.removeListener("upgrade", onSwitched);
      request.removeListener("connect", onSwitched);
      request.removeListener("response", onResponse);
      request.removeListener("error", onError);
    };
    const fail = (error: NetSocketsError): void => {
      settle();
      request.destroy();
      socket.destroy();
      reject(error);
    };
    const onAbort = (): void => fail(abortError(signal));
    const onError = (error: Error & { code?: string }): void => {
      if (typeof error.code === "string" && error.code.startsWith("HPE_")) {
        fail(
          new HandshakeError("bad-response", `invalid HTTP response: ${error.message}`, {
            cause: error,
          }),
        );
      } else fail(connectError(error, stage));
    };
    const onSwitched = (response: http.IncomingMessage, raw: net.Socket, head: Buffer): void => {
      settle();
      resolve({ kind: "switched", response, socket: raw, head });
    };
    const onResponse = (response: http.IncomingMessage): void => {
      settle();
      // A body still arriving when we destroy the socket must not become an unhandled error.
      response.on("error", noop);
      resolve({ kind: "response", response, socket });
    };
    try {
      request = http.request({
        method: spec.method,
        path: spec.path,
        headers: spec.headers,
        setHost: false,
        createConnection: () => socket,
      });
    } catch (error) {
      socket.destroy();
      reject(connectError(error, stage));
      return;
    }
    // Errors after we settled (the socket destroyed under a finished request) are expected.
    request.on("error", noop);
    request.once("upgrade", onSwitched);
    request.once("connect", onSwitched);
    request.once("response", onResponse);
    request.once("error", onError);
    signal.addEventListener("abort", onAbort, { once: true });
    request.end();
  });
}

/** Throws away a non-`101` answer and its connection. */
export function discardResponse(outcome: HttpOutcome): void {
  outcome.response.destroy();
  outcome.socket.destroy();
}
