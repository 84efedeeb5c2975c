import { type ChildProcess, fork } from "node:child_process";
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import { StreamWebSocket } from "../src/index.js";

/** What the forked receiver reports. */
export interface ReceiverResult {
  readonly bytes: number;
  readonly sha256: string;
  /** Peak RSS growth of the receiving process during the transfer, in bytes. */
  readonly rssGrowth: number;
  readonly closedCode: number | null;
}

const CHILD = fileURLToPath(new URL("./fixtures/receiver-child.ts", import.meta.url));

/** Size of one write: one binary message. */
export const WRITE_SIZE = 1024 * 1024;

/**
 * The transfer's content: 1 MiB blocks of seeded pseudo-random bytes, each stamped with its
 * index in the first 8 bytes, so a lost, repeated or reordered block changes the hash.
 */
export class BlockSource {
  readonly #base: Uint8Array;
  constructor(seed: number) {
    this.#base = new Uint8Array(WRITE_SIZE);
    let x = seed | 0 || 1;
    const words = new Uint32Array(this.#base.buffer);
    for (let i = 0; i < words.length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      words[i] = x >>> 0;
    }
  }
  /** Block `index` (a fresh copy: the caller may hand it to writeAsync). */
  block(index: number): Uint8Array {
    const block = this.#base.slice();
    new DataView(block.buffer).setFloat64(0, index);
    return block;
  }
}

/**
 * Sends `totalBytes` to a forked receiver through a StreamWebSocket (this process is the client,
 * the sender), closes cleanly, and returns both hashes and the receiver's peak RSS growth.
 */
export async function transferToChild(
  totalBytes: number,
  options: { pauseEvery?: number; pauseMs?: number; seed?: number } = {},
): Promise<{ sentSha256: string; received: ReceiverResult }> {
  const child = fork(CHILD, [String(options.pauseEvery ?? 0), String(options.pauseMs ?? 0)], {
    execArgv: ["--import", "tsx", "--conditions=@netsockets/source", "--expose-gc"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  try {
    const ready = await nextMessage<{ port: number; maxRssKiB: number }>(child, "ready");
    const done = nextMessage<{
      bytes: number;
      sha256: string;
      maxRssKiB: number;
      closedCode: number | null;
    }>(child, "done");
    const socket = new StreamWebSocket({ proxy: false });
    await socket.connectAsync(`ws://127.0.0.1:${ready.port}/`);
    const source = new BlockSource(options.seed ?? 7);
    const hash = createHash("sha256");
    let sent = 0;
    for (let index = 0; sent < totalBytes; index++) {
      const block = source.block(index);
      const bytes = sent + block.length > totalBytes ? block.subarray(0, totalBytes - sent) : block;
      hash.update(bytes);
      await socket.outputStream.writeAsync(bytes);
      sent += bytes.length;
    }
    socket.close(1000, "all sent");
    const result = await done;
    return {
      sentSha256: hash.digest("hex"),
      received: {
        bytes: result.bytes,
        sha256: result.sha256,
        rssGrowth: (result.maxRssKiB - ready.maxRssKiB) * 1024,
        closedCode: result.closedCode,
      },
    };
  } finally {
    child.send("exit");
    await new Promise((resolve) => {
      if (child.exitCode !== null) resolve(undefined);
      else child.once("exit", resolve);
    });
  }
}

function nextMessage<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: { type?: string }) => {
      if (message?.type === type) {
        cleanup();
        resolve(message as T);
      } else if (message?.type === "error") {
        cleanup();
        reject(new Error(`receiver failed: ${JSON.stringify(message)}`));
      }
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`receiver exited with ${code} before "${type}"`));
    };
    const cleanup = () => {
      child.off("message", onMessage);
      child.off("exit", onExit);
    };
    child.on("message", onMessage);
    child.on("exit", onExit);
  });
}
