// The example of README.md, verbatim between the region markers (readme.test.ts checks that),
// followed by assertions on what its comments claim.
// #region readme
import { PassThrough } from "node:stream";
import { DataReader, DataWriter, fromReadable, fromWritable } from "@netsockets/data";

/** Writes a record into a pipe (standing in for a socket) and reads it back. */
export async function roundTrip(pipe = new PassThrough()) {
  const writer = new DataWriter(fromWritable(pipe)); // big-endian, UTF-8 by default
  const name = "Zoë";
  writer.writeUInt32(writer.measureString(name)); // 4 bytes = 4 UTF-8 code units
  writer.writeString(name);
  writer.writeInt32(-42);
  writer.writeDateTime(new Date("2020-03-14T15:26:35Z")); // 100-ns ticks since 1601
  await writer.storeAsync(); // one writeAsync with all 20 bytes
  writer.close(); // closes the output stream too, which ends the pipe

  const reader = new DataReader(fromReadable(pipe));
  await reader.loadAsync(4); // waits for 4 bytes (InputStreamOptions.none)
  const length = reader.readUInt32();
  await reader.loadAsync(length + 12);
  const text = reader.readString(length); // "Zoë"
  const value = reader.readInt32(); // -42
  const when = reader.readDateTime(); // 2020-03-14T15:26:35.000Z
  const more = await reader.loadAsync(1); // 0: the stream has ended
  reader.close();
  return { text, value, when, more };
}

// #endregion readme

import { expect, it } from "vitest";

it("does what the README example says", async () => {
  const pipe = new PassThrough();
  const wire: Buffer[] = [];
  pipe.on("data", (chunk: Buffer) => wire.push(chunk));
  pipe.pause();
  const result = await roundTrip(pipe);
  expect(result).toEqual({
    text: "Zoë",
    value: -42,
    when: new Date("2020-03-14T15:26:35Z"),
    more: 0,
  });
  expect(Buffer.concat(wire).toString("hex")).toBe("000000045a6fc3abffffffd601d5fa14f2608780");
});
