/**
 * `tsx src/profile-top.ts <file.cpuprofile> [count]`: the functions that took the most CPU in a
 * V8 profile (written by `pnpm bench --profile`), by self time, with their share of the samples.
 * A quick way to name the hot functions of a missed target without opening DevTools.
 */
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { pathToFileURL } from "node:url";

interface ProfileNode {
  readonly id: number;
  readonly callFrame: {
    readonly functionName: string;
    readonly url: string;
    readonly lineNumber: number;
  };
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Self time per function (name, file and line), largest first. */
export function topFunctions(profile: Profile): { name: string; ms: number; share: number }[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    const frame = byId.get(id)?.callFrame;
    if (frame === undefined) return;
    const file =
      frame.url === ""
        ? ""
        : ` ${relative(process.cwd(), frame.url.replace(/^file:\/\//, ""))}:${frame.lineNumber + 1}`;
    const key = `${frame.functionName || "(anonymous)"}${file}`;
    self.set(key, (self.get(key) ?? 0) + delta);
    total += delta;
  });
  return [...self.entries()]
    .map(([name, us]) => ({ name, ms: us / 1000, share: total === 0 ? 0 : us / total }))
    .sort((a, b) => b.ms - a.ms);
}

function main(): void {
  const [file, count = "15"] = process.argv.slice(2);
  if (file === undefined) {
    console.error("usage: tsx src/profile-top.ts <file.cpuprofile> [count]");
    process.exitCode = 1;
    return;
  }
  const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
  for (const row of topFunctions(profile).slice(0, Number(count))) {
    console.log(
      `${(row.share * 100).toFixed(1).padStart(5)} %  ${row.ms.toFixed(1).padStart(8)} ms  ${row.name}`,
    );
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href)
  main();
