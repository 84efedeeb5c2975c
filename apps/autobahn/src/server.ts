#!/usr/bin/env node
/**
 * The echo server for Autobahn's `fuzzingclient` (reference/peers.md §4.5):
 *
 *     node apps/autobahn/dist/server.js --port 9002 [--host 0.0.0.0] [--partial] [--deflate]
 *
 * A `MessageWebSocketListener` whose sockets echo every message with its type, with the suite's
 * limits. Prints `listening ws://HOST:PORT/`; SIGINT/SIGTERM close gracefully (1001).
 */
import { parseArgs } from "node:util";
import { MessageWebSocketListener, MessageWebSocketReceiveMode } from "netsockets";
import { echoEveryMessage, SUITE_MAX_FRAGMENTS, SUITE_MAX_MESSAGE_SIZE } from "./driver.js";

const usage = "usage: server [--port 9002] [--host 127.0.0.1] [--partial] [--deflate]";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "9002" },
      host: { type: "string", default: "127.0.0.1" },
      partial: { type: "boolean", default: false },
      deflate: { type: "boolean", default: false },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help === true) {
    console.log(usage);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`--port: not a port: ${values.port}`);
  }
  const listener = new MessageWebSocketListener({
    maxMessageSize: SUITE_MAX_MESSAGE_SIZE,
    maxFragments: SUITE_MAX_FRAGMENTS,
    perMessageDeflate: values.deflate,
    receiveMode: values.partial
      ? MessageWebSocketReceiveMode.partialMessage
      : MessageWebSocketReceiveMode.fullMessage,
  });
  listener.addEventListener("connectionreceived", ({ socket }) => {
    echoEveryMessage(socket);
  });
  await listener.bindEndpointAsync(values.host, port);
  const host = values.host.includes(":") ? `[${values.host}]` : values.host;
  console.log(`listening ws://${host}:${listener.information.localPort}/`);
  const stop = () => {
    listener.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  console.error(usage);
  process.exit(2);
});
