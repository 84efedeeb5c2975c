import { describe, expect, it } from "vitest";
import { InputStreamOptions } from "./input-stream-options.js";
import { type ChunkSource, PullInputStream } from "./pull-input-stream.js";

/** A ChunkSource handing out scripted chunks, recording the `max` of every pull. */
function scripted(chunks: Array<Uint8Array | Error | null>): ChunkSource & {
  maxes: number[];
  released: boolean;
} {
  return {
    maxes: [],
    released: false,
    async pull(max) {
      this.maxes.push(max);
      const next = chunks.shift() ?? null;
      if (next instanceof Error) throw next;
      return next;
    },
    release() {
      this.released = true;
    },
  };
}

const read = (input: PullInputStream, count: number, options: number = InputStreamOptions.none) =>
  input.readAsync(new Uint8Array(count), count, options).then((bytes) => [...bytes]);

describe("PullInputStream", () => {
  it("asks for what the read still needs and keeps the rest of a larger chunk", async () => {
    const source = scripted([new Uint8Array([1, 2, 3, 4, 5]), new Uint8Array([6])]);
    const input = new PullInputStream(source);
    expect(await read(input, 2)).toEqual([1, 2]);
    expect(await read(input, 4)).toEqual([3, 4, 5, 6]);
    expect(source.maxes).toEqual([2, 1]);
    expect(await read(input, 4)).toEqual([]);
    expect(await read(input, 4)).toEqual([]);
  });

  it("partial stops after the first bytes; none gathers across chunks and skips empty ones", async () => {
    const source = scripted([
      new Uint8Array([1]),
      new Uint8Array(0),
      new Uint8Array([2]),
      new Uint8Array([3]),
    ]);
    const input = new PullInputStream(source);
    expect(await read(input, 3, InputStreamOptions.partial)).toEqual([1]);
    expect(await read(input, 2)).toEqual([2, 3]);
  });

  it("repeats the source's failure, after the bytes that came before it", async () => {
    const failure = new Error("source failed");
    const input = new PullInputStream(scripted([new Uint8Array([1]), failure]));
    await expect(read(input, 2)).rejects.toBe(failure);
    expect(await read(input, 1)).toEqual([1]);
    await expect(read(input, 1)).rejects.toBe(failure);
  });

  it("close() releases the source once", () => {
    const source = scripted([]);
    const input = new PullInputStream(source);
    input.close();
    input.close();
    expect(source.released).toBe(true);
  });

  it("works with using", () => {
    const source = scripted([]);
    {
      using input = new PullInputStream(source);
      expect(input).toBeInstanceOf(PullInputStream);
    }
    expect(source.released).toBe(true);
  });
});
