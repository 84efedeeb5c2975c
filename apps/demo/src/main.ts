#!/usr/bin/env node
/**
 * `pnpm demo` (or `node apps/demo/dist/main.js`): runs every sample of the reference against a
 * local echo server and exits 0. `NETSOCKETS_DEMO_CANCEL_MS` shortens the 5 s cancellation (the
 * tests use it). The process is not ended with `process.exit`: it ends by itself once every
 * socket, listener and timer is closed, so a leaked handle shows up as a demo that never ends.
 */
import { DEFAULT_CANCEL_AFTER_MS, runDemo } from "./demo.js";

function cancelAfterMs(value: string | undefined): number {
  if (value === undefined || value === "") return DEFAULT_CANCEL_AFTER_MS;
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 0) {
    throw new Error(`NETSOCKETS_DEMO_CANCEL_MS: not a number of milliseconds: ${value}`);
  }
  return ms;
}

try {
  await runDemo({ cancelAfterMs: cancelAfterMs(process.env.NETSOCKETS_DEMO_CANCEL_MS) });
} catch (error) {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
}
