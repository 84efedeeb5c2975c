/**
 * The netsockets demo: starts a local echo server (`ws://` and `wss://`, with a self-signed
 * certificate made at start and trusted by pinning its SHA-256), then runs every sample of the
 * Windows Runtime WebSocket reference against it, printing what the samples' `Debug.WriteLine`
 * calls print. Everything it opens is closed before {@link runDemo} resolves.
 */

import { startLocalEchoServer } from "./local-echo-server.js";
import {
  cancelledConnectSample,
  errorSample,
  type Log,
  messageWebSocketSample,
  streamWebSocketSample,
} from "./samples.js";
import { makeSelfSignedCertificate } from "./self-signed-certificate.js";
import { refusingUrl, startSilentServer } from "./silent-server.js";

export type { Log } from "./samples.js";

/** The reference's connect timeout example: cancel after 5 s (§17.1). */
export const DEFAULT_CANCEL_AFTER_MS = 5_000;

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** Where lines go (default `console.log`). */
  readonly log?: Log;
  /** When the hanging connect is cancelled, in ms (default 5000, as the reference). */
  readonly cancelAfterMs?: number;
}

/** Runs the demo; resolves once every sample ran and everything is closed. */
export async function runDemo(options: DemoOptions = {}): Promise<void> {
  const log = options.log ?? ((line: string) => console.log(line));
  const cancelAfterMs = options.cancelAfterMs ?? DEFAULT_CANCEL_AFTER_MS;

  const certificate = await makeSelfSignedCertificate();
  log(`Generated a self-signed certificate for localhost, SHA-256 ${certificate.sha256}`);
  const server = await startLocalEchoServer(certificate);
  const silent = await startSilentServer();
  try {
    log(`Echo server listening on ${server.url} and ${server.tlsUrl}`);

    log("");
    log("-- MessageWebSocket over wss:// (reference §4, §10)");
    await messageWebSocketSample(server.tlsUrl, certificate.sha256, log);

    log("");
    log("-- StreamWebSocket over ws:// (reference §8)");
    await streamWebSocketSample(server.url, undefined, log);

    log("");
    log("-- StreamWebSocket over wss:// (reference §8, §10)");
    await streamWebSocketSample(server.tlsUrl, certificate.sha256, log);

    log("");
    log("-- A connect cancelled by the app (reference §17.1)");
    await cancelledConnectSample(silent.url, cancelAfterMs, log);

    log("");
    log("-- Errors as WebErrorStatus (reference §11)");
    await errorSample(await refusingUrl(), log);
    await errorSample(`${server.url}missing`, log);
  } finally {
    await silent.close();
    await server.close();
    log("");
    log("Echo server closed.");
  }
}
