/**
 * Finds the Chromium the browser test drives — Debian's `chromium` package at /usr/bin/chromium —
 * and installs it with apt when it is missing and we are root (a fresh CI container). Otherwise
 * it says what to install: the caller fails in CI and skips loudly elsewhere.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

/** Where Debian's `chromium` package puts the browser. */
export const CHROMIUM_PATH = "/usr/bin/chromium";

/** The flags the browser test runs Chromium with. */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
  "--headless",
  "--disable-gpu",
  "--disable-quic",
  "--disable-sync",
];

/** The install command run as root. */
export const APT_INSTALL = "apt-get update && apt-get install -y chromium";

/** Whether Chromium is there, and if not, why and what to do. */
export type ChromiumStatus =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: string };

/** The environment {@link ensureChromium} looks at (injectable for its own test). */
export interface ChromiumEnvironment {
  readonly path: string;
  readonly exists: (path: string) => boolean;
  readonly isRoot: boolean;
  /** Runs a shell command, throwing on failure. */
  readonly run: (command: string) => void;
}

const realEnvironment: ChromiumEnvironment = {
  path: CHROMIUM_PATH,
  exists: existsSync,
  isRoot: process.platform === "linux" && process.getuid?.() === 0,
  run: (command) => {
    execFileSync("sh", ["-c", command], {
      stdio: "inherit",
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
      timeout: 15 * 60_000,
    });
  },
};

/** Returns whether Chromium is usable, installing it with apt first when possible. */
export function ensureChromium(env: ChromiumEnvironment = realEnvironment): ChromiumStatus {
  const howTo =
    "install Debian's chromium package: `sudo apt-get update && sudo apt-get install -y chromium` " +
    `(the test needs the browser at ${env.path})`;
  if (env.exists(env.path)) return { ok: true };
  if (!env.isRoot) return { ok: false, reason: `Chromium is missing; ${howTo}` };
  if (!env.exists("/usr/bin/apt-get")) {
    return { ok: false, reason: `Chromium is missing and there is no apt-get; ${howTo}` };
  }
  console.log(`chat browser test: ${env.path} is missing; installing chromium with apt-get…`);
  try {
    env.run(APT_INSTALL);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return { ok: false, reason: `apt-get could not install chromium (${why}); ${howTo}` };
  }
  return env.exists(env.path)
    ? { ok: true }
    : { ok: false, reason: `apt-get ran but ${env.path} is still missing; ${howTo}` };
}
