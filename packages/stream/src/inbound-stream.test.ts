import { InputStreamOptions } from "@netsockets/data";
import { describe, expect, it } from "vitest";
import { InboundStream } from "./inbound-stream.js";

function setup(highWaterMark = 10) {
  const flow = { paused: 0, resumed: 0 };
  const input = new InboundStream(
    { pause: () => flow.paused++, resume: () => flow.resumed++ },
    highWaterMark,
  );
  return { flow, input };
}

const bytes = (...values: number[]) => new Uint8Array(values);
const read = (input: InboundStream, count: number, partial = true, signal?: AbortSignal) =>
  input
    .readAsync(
      new Uint8Array(count),
      count,
      partial ? InputStreamOptions.partial : InputStreamOptions.none,
      { signal },
    )
    .then((result) => [...result]);

describe("InboundStream", () => {
  it("pauses the connection at the high-water mark and resumes at half of it", async () => {
    const { flow, input } = setup(10);
    input.push(bytes(1, 2, 3, 4, 5, 6));
    expect(flow.paused).toBe(0);
    input.push(bytes(7, 8, 9, 10));
    expect(flow.paused).toBe(1);
    expect(input.bufferedBytes).toBe(10);
    input.push(bytes(11)); // the batch in hand still arrives
    expect(flow.paused).toBe(1);
    expect(await read(input, 6)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(flow.resumed).toBe(1); // 5 left ≤ 10 / 2
    expect(await read(input, 5, false)).toEqual([7, 8, 9, 10, 11]);
  });

  it("partial reads take what is there (across pieces, up to count); none waits for count", async () => {
    const { input } = setup(100);
    input.push(bytes(1, 2));
    input.push(bytes(3, 4, 5));
    expect(await read(input, 4)).toEqual([1, 2, 3, 4]);
    const pending = read(input, 3, false);
    input.push(bytes(6));
    input.push(bytes(7, 8));
    expect(await pending).toEqual([5, 6, 7]);
    expect(await read(input, 10)).toEqual([8]);
  });

  it("a waiting read is filled straight from the next piece", async () => {
    const { input } = setup();
    const pending = read(input, 2);
    input.push(bytes(1, 2, 3));
    expect(await pending).toEqual([1, 2]);
    expect(input.bufferedBytes).toBe(1);
  });

  it("a clean end comes after the buffered bytes; then every read is empty", async () => {
    const { input } = setup();
    input.push(bytes(1));
    input.finish();
    input.push(bytes(2)); // ignored after the end
    expect(await read(input, 4)).toEqual([1]);
    expect(await read(input, 4)).toEqual([]);
    expect(await read(input, 4, false)).toEqual([]);
  });

  it("a none read waiting for more ends short at the end of the stream", async () => {
    const { input } = setup();
    const pending = read(input, 4, false);
    input.push(bytes(1, 2));
    input.finish();
    expect(await pending).toEqual([1, 2]);
  });

  it("a failure comes after the buffered bytes, repeats, and loses none of a partial fill", async () => {
    const { input } = setup();
    const error = new Error("lost");
    const pending = read(input, 4, false);
    input.push(bytes(1, 2));
    input.fail(error);
    input.finish(); // the first end wins
    await expect(pending).rejects.toBe(error);
    // The two bytes the failed read had taken come first.
    expect(await read(input, 4)).toEqual([1, 2]);
    await expect(read(input, 4)).rejects.toBe(error);
    await expect(read(input, 4)).rejects.toBe(error);
  });

  it("an aborted read rejects with OperationCanceledError / TimeoutError and gives its bytes back", async () => {
    const { input } = setup();
    const controller = new AbortController();
    const pending = read(input, 4, false, controller.signal);
    input.push(bytes(1));
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: "ERR_OPERATION_CANCELED" });
    input.push(bytes(2));
    expect(await read(input, 4)).toEqual([1, 2]);
    await expect(
      read(input, 1, true, AbortSignal.abort(new DOMException("t", "TimeoutError"))),
    ).rejects.toMatchObject({
      code: "ERR_TIMEOUT",
    });
  });

  it("checks its arguments and refuses a second read", async () => {
    const { input } = setup();
    await expect(
      input.readAsync(new Uint8Array(2), 3, InputStreamOptions.partial),
    ).rejects.toMatchObject({
      code: "ERR_INVALID_ARGUMENT",
    });
    const pending = read(input, 1);
    await expect(read(input, 1)).rejects.toMatchObject({ code: "ERR_CONCURRENT_OPERATION" });
    input.push(bytes(9));
    expect(await pending).toEqual([9]);
  });

  it("stop() keeps what is buffered, drops what arrives later, ends the stream and resumes", async () => {
    const { flow, input } = setup(2);
    input.push(bytes(1, 2));
    expect(flow.paused).toBe(1);
    input.stop();
    expect(flow.resumed).toBe(1);
    input.push(bytes(3));
    expect(await read(input, 4)).toEqual([1, 2]);
    expect(await read(input, 4)).toEqual([]);
  });

  it("close() rejects a pending read, drops everything and keeps the connection reading", async () => {
    const { flow, input } = setup(2);
    input.push(bytes(1, 2, 3));
    input.close();
    expect(input.bufferedBytes).toBe(0);
    expect(input.discarding).toBe(true);
    expect(flow.resumed).toBe(1);
    input.push(bytes(4, 5, 6));
    expect(input.bufferedBytes).toBe(0);
    await expect(read(input, 1)).rejects.toMatchObject({ code: "ERR_OBJECT_CLOSED" });
    const other = setup().input;
    const pending = read(other, 1);
    other.close();
    await expect(pending).rejects.toMatchObject({ code: "ERR_OBJECT_CLOSED" });
  });
});
