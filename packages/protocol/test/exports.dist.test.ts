/**
 * The built package (dist/) resolves through `exports` for ESM and CJS, the testing subpath
 * included, and the two entries share one Connection class in ESM. Run by `test:dist` after
 * `build`.
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const packageDir = fileURLToPath(new URL("..", import.meta.url));
const node = (args: string[]) =>
  execFileSync(process.execPath, args, { cwd: packageDir, encoding: "utf8" }).trim();

const script = `
  const pair = testing.connectPair({ onServerEvent: testing.echoHandler() });
  pair.client.sendText("hi");
  pair.exchange();
  const event = pair.clientEvents[0];
  console.log(JSON.stringify([event.type, new TextDecoder().decode(event.data), typeof core.Connection]));
`;

it("imports . and ./testing as ESM", () => {
  const out = node([
    "--input-type=module",
    "-e",
    `import * as core from "@netsockets/protocol"; import * as testing from "@netsockets/protocol/testing"; ${script}`,
  ]);
  expect(JSON.parse(out)).toEqual(["data", "hi", "function"]);
});

it("requires . and ./testing as CJS", () => {
  const out = node([
    "-e",
    `const core = require("@netsockets/protocol"); const testing = require("@netsockets/protocol/testing"); ${script}`,
  ]);
  expect(JSON.parse(out)).toEqual(["data", "hi", "function"]);
});
