import { spawn } from "node:child_process";
import type { ChildSpec } from "./child.js";
import { benchRoot } from "./discover.js";
import { fromSource, moduleArgs, packageConditions } from "./source-mode.js";
import type { ChildResult } from "./types.js";

/** The child entry as TypeScript, relative to the bench folder (the children's working directory). */
export const childEntry = "src/harness/child.ts";

/** Variables that switch ws's native helpers off; children only get them from `env`. */
const wsSwitches = ["WS_NO_BUFFER_UTIL", "WS_NO_UTF_8_VALIDATE"];

/** Options of one child run. */
export interface RunChildOptions {
  /** Extra environment (the implementation's). */
  readonly env?: Readonly<Record<string, string>> | undefined;
  /**
   * Run the compiled bench (`build/`, which `compileBench()` must have written) under plain node
   * instead of the TypeScript under tsx. Default: compiled unless `NETSOCKETS_BENCH_SOURCE=1`.
   */
  readonly compiled?: boolean | undefined;
  /** When set, the child writes a V8 CPU profile there (`--cpu-prof`), named `profileName`. */
  readonly profileDir?: string | undefined;
  readonly profileName?: string | undefined;
}

/** The argv (after `node`) that runs `spec` in a child. */
export function childArgs(spec: ChildSpec, options: RunChildOptions = {}): string[] {
  const args = [...packageConditions];
  if (options.profileDir !== undefined) {
    args.push("--cpu-prof", `--cpu-prof-dir=${options.profileDir}`);
    if (options.profileName !== undefined) args.push(`--cpu-prof-name=${options.profileName}`);
  }
  args.push(...moduleArgs(childEntry, options.compiled ?? !fromSource), JSON.stringify(spec));
  return args;
}

/**
 * Runs `spec` in a fresh `node` process in the bench folder and returns the JSON line it printed.
 * Rejects with the child's stderr when it exits non-zero or prints no result.
 */
export function runChild(spec: ChildSpec, options: RunChildOptions = {}): Promise<ChildResult> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of wsSwitches) delete env[name];
  Object.assign(env, options.env);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, childArgs(spec, options), {
      cwd: benchRoot,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      const stdout = Buffer.concat(out).toString("utf8");
      const line = stdout
        .split("\n")
        .reverse()
        .find((l) => l.startsWith("{"));
      if (code !== 0 || line === undefined) {
        const stderr = Buffer.concat(err).toString("utf8").trim();
        reject(
          new Error(
            `${spec.workload} / ${spec.implementation}: child exited with ${signal ?? code}\n${stderr}`,
          ),
        );
        return;
      }
      resolve(JSON.parse(line) as ChildResult);
    });
  });
}
