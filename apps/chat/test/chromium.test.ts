import { describe, expect, it } from "vitest";
import { APT_INSTALL, type ChromiumEnvironment, ensureChromium } from "./chromium.js";

/** A fake machine: `files` exist; `run` records commands and may "install" the browser. */
function machine(files: string[], isRoot: boolean, installs = true) {
  const present = new Set(files);
  const ran: string[] = [];
  const env: ChromiumEnvironment = {
    path: "/usr/bin/chromium",
    exists: (path) => present.has(path),
    isRoot,
    run: (command) => {
      ran.push(command);
      if (!installs) throw new Error("E: Unable to locate package chromium");
      present.add("/usr/bin/chromium");
    },
  };
  return { env, ran };
}

describe("ensureChromium", () => {
  it("uses an installed browser as it is", () => {
    const { env, ran } = machine(["/usr/bin/chromium"], false);
    expect(ensureChromium(env)).toEqual({ ok: true });
    expect(ran).toEqual([]);
  });

  it("installs it with apt-get when missing and root", () => {
    const { env, ran } = machine(["/usr/bin/apt-get"], true);
    expect(ensureChromium(env)).toEqual({ ok: true });
    expect(ran).toEqual([APT_INSTALL]);
    expect(APT_INSTALL).toBe("apt-get update && apt-get install -y chromium");
  });

  it("says what to install when not root", () => {
    const { env, ran } = machine(["/usr/bin/apt-get"], false);
    const status = ensureChromium(env);
    expect(status.ok).toBe(false);
    expect(!status.ok && status.reason).toContain("sudo apt-get install -y chromium");
    expect(ran).toEqual([]);
  });

  it("reports a failed install with the instruction", () => {
    const { env } = machine(["/usr/bin/apt-get"], true, false);
    const status = ensureChromium(env);
    expect(!status.ok && status.reason).toMatch(
      /apt-get could not install chromium .*Unable to locate/,
    );
  });

  it("without apt-get it does not try", () => {
    const { env, ran } = machine([], true);
    expect(ensureChromium(env).ok).toBe(false);
    expect(ran).toEqual([]);
  });
});
