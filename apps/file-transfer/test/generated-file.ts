import { createHash } from "node:crypto";
import { open } from "node:fs/promises";

const BLOCK = 1024 * 1024;

/**
 * Writes `size` bytes of deterministic pseudo-random content to `path`, streamed block by block
 * (never more than 1 MiB in memory): a 1 MiB xorshift32 block made from `seed`, each copy
 * stamped with its index in its first 8 bytes so blocks differ. Resolves with the SHA-256 (hex)
 * of what was written, computed as it was generated.
 */
export async function writeGeneratedFile(
  path: string,
  size: number,
  seed: number,
): Promise<string> {
  const base = new Uint8Array(BLOCK);
  const words = new Uint32Array(base.buffer);
  let x = seed | 0 || 1;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x >>> 0;
  }
  const view = new DataView(base.buffer);
  const hash = createHash("sha256");
  const handle = await open(path, "w");
  try {
    for (let offset = 0, index = 0; offset < size; index++) {
      view.setFloat64(0, index);
      const block = base.subarray(0, Math.min(BLOCK, size - offset));
      hash.update(block);
      let written = 0;
      while (written < block.length) {
        written += (await handle.write(block, written, block.length - written)).bytesWritten;
      }
      offset += block.length;
    }
  } finally {
    await handle.close();
  }
  return hash.digest("hex");
}

/** SHA-256 (hex) of a file, streamed. */
export async function hashOfFile(path: string): Promise<string> {
  const hash = createHash("sha256");
  const handle = await open(path, "r");
  try {
    for await (const chunk of handle.createReadStream({ highWaterMark: BLOCK })) hash.update(chunk);
  } finally {
    await handle.close().catch(() => {});
  }
  return hash.digest("hex");
}
