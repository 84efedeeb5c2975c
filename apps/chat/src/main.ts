#!/usr/bin/env node
/**
 * The chat server's command line:
 *
 *     node apps/chat/dist/main.js [--port 8080] [--host 127.0.0.1]
 *
 * Prints `chat at http://HOST:PORT/` once it listens; SIGINT or SIGTERM closes every chat with
 * 1001 and exits 0. A bad command line exits 2.
 */
import { parseArgs } from "node:util";
import { startChatServer } from "./chat-server.js";

const usage = "usage: chat [--port 8080] [--host 127.0.0.1]";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string" },
      host: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help === true) {
    console.log(usage);
    return;
  }
  const port = Number(values.port ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`--port: not a port: ${values.port}`);
  }
  const server = await startChatServer({ port, host: values.host ?? "127.0.0.1" });
  console.log(`chat at ${server.url}`);
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
