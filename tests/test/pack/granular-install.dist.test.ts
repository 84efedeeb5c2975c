// Granular installs really work (issue #7): scripts/pack-test.mjs packs every library package
// with `pnpm pack`, installs the tarballs with npm (offline, tarballs only) into three empty
// projects and runs a loopback echo from an .mjs and a .cjs file in each — @netsockets/data
// alone, @netsockets/message alone, and the facade — then typechecks an .mts and a .cts consumer
// of the facade. It needs every package's dist/, hence a *.dist.test.ts.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const script = fileURLToPath(new URL("../../../scripts/pack-test.mjs", import.meta.url));

it("packed tarballs install alone and echo from ESM and CJS", async () => {
  const child = spawn(process.execPath, [script]);
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
  console.log(stdout); // the phase timings, for the CI log
  expect(stderr).toBe("");
  expect(code).toBe(0);
  expect(stdout).toMatch(/^packed 7 packages: /m);
  for (const project of ["data", "message", "facade"]) {
    for (const kind of ["mjs", "cjs"]) {
      expect(stdout).toContain(`${project}: echo.${kind} ok ${project} ${kind}`);
    }
  }
  expect(stdout).toMatch(/^data: npm installed @netsockets\/data, @netsockets\/errors \(/m);
  expect(stdout).toContain(
    "facade: types.mts and types.cts typecheck against the packed declarations",
  );
  expect(stdout).toMatch(/^pack test: ok in [\d.]+ s$/m);
});
