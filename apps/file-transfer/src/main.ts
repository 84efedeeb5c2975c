#!/usr/bin/env node
/**
 * `node dist/main.js send FILE ws://HOST:PORT/` · `node dist/main.js receive --port P --dir D`
 * (see cli.ts). SIGINT/SIGTERM stop a receiver gracefully.
 */
import { runCli } from "./cli.js";

const stop = new AbortController();
process.once("SIGINT", () => stop.abort());
process.once("SIGTERM", () => stop.abort());

runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  signal: stop.signal,
}).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
