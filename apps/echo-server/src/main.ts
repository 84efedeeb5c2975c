#!/usr/bin/env node
/**
 * The echo server's command line:
 *
 *     node apps/echo-server/dist/main.js --port 9002 [--host 127.0.0.1]
 *         [--tls-port 9443 --cert cert.pem --key key.pem] [--protocol NAME]… [--partial] [--deflate]
 *
 * Prints `listening ws://HOST:PORT/` (and `listening wss://HOST:PORT/`) once ready; SIGINT or
 * SIGTERM closes every connection with 1001 and exits 0.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { startEchoServer } from "./echo-server.js";

const usage = `usage: echo-server [--port 9002] [--host 127.0.0.1]
                   [--tls-port 9443 --cert cert.pem --key key.pem]
                   [--protocol NAME]... [--partial] [--deflate]`;

function port(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65_535) throw new Error(`${name}: not a port: ${value}`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string" },
      host: { type: "string" },
      "tls-port": { type: "string" },
      cert: { type: "string" },
      key: { type: "string" },
      protocol: { type: "string", multiple: true },
      partial: { type: "boolean" },
      deflate: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help === true) {
    console.log(usage);
    return;
  }
  const wantsTls = values["tls-port"] !== undefined;
  if (wantsTls && (values.cert === undefined || values.key === undefined)) {
    throw new Error("--tls-port needs --cert and --key");
  }
  const server = await startEchoServer({
    port: port(values.port, "--port", 9002),
    host: values.host ?? "127.0.0.1",
    supportedProtocols: values.protocol ?? [],
    partial: values.partial === true,
    deflate: values.deflate === true,
    ...(wantsTls
      ? {
          tls: {
            port: port(values["tls-port"], "--tls-port", 9443),
            cert: readFileSync(values.cert as string),
            key: readFileSync(values.key as string),
          },
        }
      : {}),
  });
  console.log(`listening ${server.url}`);
  if (server.tlsUrl !== undefined) console.log(`listening ${server.tlsUrl}`);

  const stop = (signal: string) => {
    console.log(`${signal}: closing`);
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", () => stop("SIGINT"));
  process.once("SIGTERM", () => stop("SIGTERM"));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  console.error(usage);
  process.exit(2);
});
