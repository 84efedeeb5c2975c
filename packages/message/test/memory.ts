import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";

/** What the partial-memory child reports. */
export interface MemoryReport {
  readonly baseline: number;
  readonly peak: number;
  readonly received: number;
  readonly sections: number;
  readonly checksumOk: boolean;
}

/** Runs test/fixtures/partial-memory.ts in a fresh Node process for a message of `bytes`. */
export function runPartialMemoryChild(bytes: number): Promise<MemoryReport> {
  const script = fileURLToPath(new URL("./fixtures/partial-memory.ts", import.meta.url));
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "--conditions=@netsockets/source", script, String(bytes)],
      { cwd: fileURLToPath(new URL("..", import.meta.url)), maxBuffer: 1 << 20 },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`${error.message}\n${stderr}`));
          return;
        }
        resolve(JSON.parse(stdout.trim().split("\n").at(-1) as string) as MemoryReport);
      },
    );
  });
}
