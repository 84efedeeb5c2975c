#!/usr/bin/env node
/**
 * The Autobahn client driver's command line (reference/peers.md §4.4):
 *
 *     node apps/autobahn/dist/client.js --url ws://127.0.0.1:9001 --agent netsockets
 *         [--cases 1-10,15] [--partial] [--deflate] [--ca ca.pem]
 *
 * Runs against `wstest -m fuzzingserver`; prints one line per case and exits 0 once
 * `/updateReports` is done (the verdicts are in the suite's report, not here).
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { runSuite } from "./driver.js";

const usage =
  "usage: client [--url ws://127.0.0.1:9001] [--agent netsockets] [--cases 1-10] [--partial] [--deflate] [--ca ca.pem]";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      url: { type: "string", default: "ws://127.0.0.1:9001" },
      agent: { type: "string", default: "netsockets" },
      cases: { type: "string" },
      partial: { type: "boolean", default: false },
      deflate: { type: "boolean", default: false },
      ca: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help === true) {
    console.log(usage);
    return;
  }
  const started = performance.now();
  const result = await runSuite({
    url: values.url,
    agent: values.agent,
    partial: values.partial,
    deflate: values.deflate,
    ...(values.cases === undefined ? {} : { cases: values.cases }),
    ...(values.ca === undefined ? {} : { ca: readFileSync(values.ca) }),
    onCase: (outcome, count) => {
      const end =
        outcome.error === null ? `closed ${outcome.closeCode}` : `ended: ${outcome.error}`;
      console.log(`case ${outcome.case}/${count}: echoed ${outcome.echoed}, ${end}`);
    },
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    `ran ${result.outcomes.length} of ${result.count} cases in ${seconds} s; reports updated for ${values.agent}`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  console.error(usage);
  process.exit(1);
});
