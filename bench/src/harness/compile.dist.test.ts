/**
 * The path `pnpm bench` takes: the bench compiled to `build/` and run by plain node against the
 * packages' built `dist/` (this file runs in `test:dist`, after the build).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { buildDir, compilableFiles, compileBench } from "./compile.js";
import { benchRoot } from "./discover.js";
import { childArgs, runChild } from "./run-child.js";
import { compiledPath } from "./source-mode.js";

describe("the compiled bench", () => {
  let files: string[] = [];
  beforeAll(async () => {
    files = await compilableFiles();
    expect(await compileBench()).toBe(files.length);
  });

  it("has one module per source file and none for the tests", () => {
    expect(files).toContain("src/network/peer.ts");
    expect(files).toContain("probes/bulk-cpu.ts");
    expect(files.some((f) => f.endsWith(".test.ts"))).toBe(false);
    for (const file of files) {
      expect(existsSync(join(benchRoot, compiledPath(file))), file).toBe(true);
    }
  });

  it("starts children and server ends without tsx", async () => {
    const spec = { file: "src/network/network.bench.ts", workload: "w", implementation: "i" };
    expect(childArgs({ ...spec, mode: "quick" }, { compiled: true })).toEqual([
      "build/src/harness/child.js",
      JSON.stringify({ ...spec, mode: "quick" }),
    ]);
    // A compiled module decides by its own file name: this one starts compiled server ends.
    const peerProcess = (await import(
      pathToFileURL(join(buildDir, "src", "network", "peer-process.js")).href
    )) as typeof import("../network/peer-process.js");
    expect(peerProcess.peerArgs({ impl: "ws", role: "echo" }, {})).toEqual([
      "--expose-gc",
      "build/src/network/peer.js",
      JSON.stringify({ impl: "ws", role: "echo" }),
    ]);
    // Diagnostic flags and the profile go before the module.
    expect(
      peerProcess.peerArgs(
        { impl: "ws", role: "sink" },
        {
          NETSOCKETS_BENCH_PEER_FLAGS: " --perf-basic-prof  --import /tmp/p.mjs ",
          NETSOCKETS_BENCH_PEER_PROFILE: "/tmp/prof",
        },
      ),
    ).toEqual([
      "--expose-gc",
      "--perf-basic-prof",
      "--import",
      "/tmp/p.mjs",
      "--cpu-prof",
      "--cpu-prof-dir=/tmp/prof",
      "build/src/network/peer.js",
      JSON.stringify({ impl: "ws", role: "sink" }),
    ]);
  });

  it("runs a network child, client and server end compiled, to a figure", async () => {
    const result = await runChild(
      {
        file: "src/network/network.bench.ts",
        workload: "net-latency-echo",
        implementation: "netsockets MessageWebSocket",
        mode: "quick",
      },
      { compiled: true },
    );
    expect(result).toMatchObject({ suite: "network", workload: "net-latency-echo", clock: "wall" });
    expect(result.value).toBe(result.wallRate);
    expect(result.value).toBeGreaterThan(0);
  });
});
