import type * as net from "node:net";
import { HandshakeError, type NetSocketsError } from "@netsockets/errors";
import { offSocketBytes, onSocketBytes } from "../driver/socket-reads.js";
import type { ConnectCancellation } from "./connect-cancellation.js";
import { abortError, type ConnectStage, connectError } from "./connect-errors.js";
import {
  formatRequestHead,
  HeadReader,
  parseJoinedHeaders,
  parseStatusLine,
  setNotFlowing,
} from "./http-head.js";

/** The most bytes of one response head (status line and header lines): Node's default. */
export const MAX_RESPONSE_HEAD_BYTES = 16 * 1024;
/** The most header lines in one response head: Node's default `maxHeadersCount`. */
export const MAX_RESPONSE_HEADERS = 2000;

/** The head of the answer: what the handshake validation and the caller read. */
export interface HttpResponseHead {
  readonly statusCode: number;
  readonly statusMessage: string;
  /** `"1.0"` or `"1.1"`. */
  readonly httpVersion: string;
  /** Lower-case names, repeats joined as Node's `IncomingMessage.headers` joins them. */
  readonly headers: Record<string, string | string[]>;
}

/** How the server answered one HTTP request sent over an already connected socket. */
export type HttpOutcome =
  | {
      /** A `101` to `GET`, or any final answer to `CONNECT`: the socket is ours, paused. */
      readonly kind: "switched";
      readonly response: HttpResponseHead;
      readonly socket: net.Socket;
      /** Bytes received after the head (the next protocol's first bytes). */
      readonly head: Buffer;
    }
  | {
      /** Any other final answer. Call {@link discardResponse} once its head is read. */
      readonly kind: "response";
      readonly response: HttpResponseHead;
      readonly socket: net.Socket;
    };

/**
 * One request: method, target and headers (including `Host`), formatted and checked by
 * `formatRequestHead`; or the method and a head already formatted (the caller vouches for it).
 */
export type HttpRequestSpec =
  | {
      readonly method: "GET" | "CONNECT";
      readonly path: string;
      readonly headers: Readonly<Record<string, string>>;
    }
  | { readonly method: "GET" | "CONNECT"; readonly text: string };

/** What Node's HTTP client reported for a peer that closed before answering. */
function hangUp(): Error {
  return Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
}

/**
 * Sends one HTTP/1.1 request over `socket` and resolves with the answer's head. The request head
 * goes out in one `socket.write`; the answer is read with the strict reader of `http-head.ts`
 * (CRLF only, no obs-fold, token names, no controls in values, at most
 * {@link MAX_RESPONSE_HEAD_BYTES} bytes and {@link MAX_RESPONSE_HEADERS} lines). Interim `1xx`
 * answers other than `101` are skipped (RFC 9110 §15.2). No body is ever read: a `101` or a
 * `2xx` to `CONNECT` has none (RFC 9112 §6.3, RFC 9110 §9.3.6), and any other answer ends the
 * connection.
 *
 * Rejects with the abort error when `cancellation` aborts (destroying the socket), with
 * `HandshakeError` (`bad-response`) when the answer is not valid HTTP/1.x or its head is too
 * large, and with the mapped system error when the socket fails or closes first (a close before
 * the head is `connectionReset`, as Node's "socket hang up").
 */
export function httpExchange(
  socket: net.Socket,
  spec: HttpRequestSpec,
  cancellation: ConnectCancellation,
  stage: ConnectStage,
): Promise<HttpOutcome> {
  if (cancellation.aborted) {
    socket.destroy();
    return Promise.reject(abortError(cancellation));
  }
  let text: string;
  if ("text" in spec) text = spec.text;
  else {
    try {
      text = formatRequestHead(spec.method, spec.path, spec.headers);
    } catch (error) {
      socket.destroy();
      return Promise.reject(connectError(error, stage));
    }
  }
  return new Promise((resolve, reject) => {
    // The request goes out first: nothing can arrive or fail before this function returns (data,
    // errors and close come from the event loop), and the listeners below, the reader and its
    // closures are then made while the peer works on its answer (bench workload 6a).
    socket.write(text, "latin1");
    const reader = new HeadReader(MAX_RESPONSE_HEAD_BYTES);
    let seen = 0;
    const settle = (): void => {
      cancellation.unlisten(onAbort);
      offSocketBytes(socket, onData);
      socket.removeListener("error", onError);
      socket.removeListener("end", onEnd);
      socket.removeListener("close", onEnd);
    };
    const fail = (error: NetSocketsError): void => {
      settle();
      socket.destroy();
      reject(error);
    };
    const badResponse = (message: string): void =>
      fail(new HandshakeError("bad-response", `invalid HTTP response: ${message}`));
    const onAbort = (): void => fail(abortError(cancellation));
    const onError = (error: Error): void => fail(connectError(error, stage));
    const onEnd = (): void => fail(connectError(hangUp(), stage));
    const onData = (chunk: Buffer): void => {
      let bytes = chunk;
      for (;;) {
        // A quick refusal of what is not HTTP at all (an SSH banner, a TLS alert), before its
        // head would complete — or never complete.
        if (seen === 0 && bytes.length >= 5 && !startsWithHttp(bytes)) {
          badResponse("the answer does not start with HTTP/");
          return;
        }
        seen += bytes.length;
        const result = reader.push(bytes);
        if (result.kind === "more") return;
        if (result.kind === "error") {
          badResponse(result.message);
          return;
        }
        const parsed = parseStatusLine(result.text);
        if (parsed === null) {
          badResponse("a malformed status line");
          return;
        }
        const fields = parseJoinedHeaders(result.text, parsed.next, MAX_RESPONSE_HEADERS);
        if (!("headers" in fields)) {
          badResponse(fields.message);
          return;
        }
        const { statusCode } = parsed.status;
        if (statusCode < 200 && statusCode !== 101) {
          // An interim answer (100 Continue, 103 Early Hints): the final one follows.
          seen = 0;
          bytes = result.rest;
          if (bytes.length === 0) return;
          continue;
        }
        // The next protocol (TLS, WebSocket frames) reads from here; keep its bytes buffered
        // until its reader attaches (not flowing, not paused: as node:http hands sockets over).
        setNotFlowing(socket);
        settle();
        const { status } = parsed;
        const response: HttpResponseHead = {
          statusCode,
          statusMessage: status.statusMessage,
          httpVersion: status.httpVersion,
          headers: fields.headers,
        };
        if (spec.method === "CONNECT" || statusCode === 101) {
          resolve({ kind: "switched", response, socket, head: result.rest });
        } else {
          resolve({ kind: "response", response, socket });
        }
        return;
      }
    };
    onSocketBytes(socket, onData);
    socket.on("error", onError);
    socket.on("end", onEnd);
    socket.on("close", onEnd);
    cancellation.listen(onAbort);
  });
}

/** Whether `bytes` (at least 5 of them) start with `HTTP/`, compared without making a string. */
function startsWithHttp(bytes: Buffer): boolean {
  return (
    bytes[0] === 0x48 &&
    bytes[1] === 0x54 &&
    bytes[2] === 0x54 &&
    bytes[3] === 0x50 &&
    bytes[4] === 0x2f
  );
}

/** Throws away a non-`101` answer and its connection. */
export function discardResponse(outcome: HttpOutcome): void {
  outcome.socket.destroy();
}
