import { InputStreamOptions, PullInputStream } from "@netsockets/data";
import { describe, expect, it } from "vitest";
import { InboundBuffer } from "./inbound-buffer.js";

function setup(highWaterMark = 10) {
  const flow = { paused: 0, resumed: 0 };
  const buffer = new InboundBuffer(
    { pause: () => flow.paused++, resume: () => flow.resumed++ },
    highWaterMark,
  );
  return { flow, buffer, input: new PullInputStream(buffer) };
}

const bytes = (...values: number[]) => new Uint8Array(values);
const read = (input: PullInputStream, count: number, partial = true) =>
  input
    .readAsync(new Uint8Array(count), count, partial ? InputStreamOptions.partial : 0)
    .then((result) => [...result]);

describe("InboundBuffer", () => {
  it("pauses the connection at the high-water mark and resumes at half of it", async () => {
    const { flow, buffer, input } = setup(10);
    buffer.push(bytes(1, 2, 3, 4, 5, 6));
    expect(flow.paused).toBe(0);
    buffer.push(bytes(7, 8, 9, 10));
    expect(flow.paused).toBe(1);
    expect(buffer.bufferedBytes).toBe(10);
    buffer.push(bytes(11)); // the batch in hand still arrives
    expect(flow.paused).toBe(1);
    expect(await read(input, 6)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(flow.resumed).toBe(1); // 5 left ≤ 10 / 2
    expect(await read(input, 5, false)).toEqual([7, 8, 9, 10, 11]);
  });

  it("hands a waiting reader the next piece directly; the stream crosses piece boundaries", async () => {
    const { buffer, input } = setup();
    const pending = read(input, 4, false);
    buffer.push(bytes(1, 2));
    buffer.push(bytes(3, 4, 5));
    expect(await pending).toEqual([1, 2, 3, 4]);
    expect(await read(input, 4)).toEqual([5]);
  });

  it("a clean end comes after the buffered bytes; then every read is empty", async () => {
    const { buffer, input } = setup();
    buffer.push(bytes(1));
    buffer.finish();
    buffer.push(bytes(2)); // ignored after the end
    expect(await read(input, 4)).toEqual([1]);
    expect(await read(input, 4)).toEqual([]);
    expect(await read(input, 4)).toEqual([]);
  });

  it("a failure comes after the buffered bytes and repeats", async () => {
    const { buffer, input } = setup();
    const error = new Error("lost");
    buffer.push(bytes(1, 2));
    buffer.fail(error);
    buffer.finish(); // the first end wins
    expect(await read(input, 4)).toEqual([1, 2]);
    await expect(read(input, 4)).rejects.toBe(error);
    await expect(read(input, 4)).rejects.toBe(error);
  });

  it("a pending read settles when the end comes", async () => {
    const { buffer, input } = setup();
    const pending = read(input, 4);
    buffer.finish();
    expect(await pending).toEqual([]);
  });

  it("stop() keeps what is buffered, drops what arrives later, ends the stream and resumes", async () => {
    const { flow, buffer, input } = setup(2);
    buffer.push(bytes(1, 2));
    expect(flow.paused).toBe(1);
    buffer.stop();
    expect(flow.resumed).toBe(1);
    buffer.push(bytes(3));
    expect(await read(input, 4)).toEqual([1, 2]);
    expect(await read(input, 4)).toEqual([]);
  });

  it("closing the input stream drops everything and keeps the connection reading", () => {
    const { flow, buffer, input } = setup(2);
    buffer.push(bytes(1, 2, 3));
    input.close();
    expect(buffer.bufferedBytes).toBe(0);
    expect(buffer.discarding).toBe(true);
    expect(flow.resumed).toBe(1);
    buffer.push(bytes(4, 5, 6));
    expect(buffer.bufferedBytes).toBe(0);
  });
});
