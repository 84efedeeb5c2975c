import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";

const CHILD = fileURLToPath(new URL("./fixtures/receiver-child.ts", import.meta.url));

/** Forks the receiver fixture (from source, through tsx). */
export function forkReceiver(dir: string, killAfter = 0): ChildProcess {
  return fork(CHILD, [dir, String(killAfter)], {
    execArgv: ["--import", "tsx", "--conditions=@netsockets/source"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
}

/** The child's next IPC message of `type`; rejects if it exits first. */
export function nextMessage<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: { type?: string }) => {
      if (message?.type !== type) return;
      cleanup();
      resolve(message as T);
    };
    const onExit = (code: number | null, signal: string | null) => {
      cleanup();
      reject(new Error(`receiver exited (${code ?? signal}) before "${type}"`));
    };
    const cleanup = () => {
      child.off("message", onMessage);
      child.off("exit", onExit);
    };
    child.on("message", onMessage);
    child.on("exit", onExit);
  });
}

/** Resolves once `child` has exited. */
export function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
}
