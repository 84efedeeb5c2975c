// The DataReader / DataWriter example of README.md, verbatim between the region markers
// (readme.test.ts checks that), run against a local echo server.
import { afterAll, beforeAll, expect, it } from "vitest";
import { clearProxyEnvironment } from "../../../tests/support/servers.js";
import { StreamWebSocket as Client } from "../src/index.js";
import { echo, startServer, type TestServer } from "./helpers.js";

// The example talks to 127.0.0.1: a proxy set in the machine's environment must not take it.
clearProxyEnvironment();

// #region readme-data
import { DataReader, DataWriter, InputStreamOptions } from "@netsockets/data";
import type { StreamWebSocket } from "@netsockets/stream";

/** Sends "Hello, World!" as one binary message and reads the first section of what comes back. */
export async function helloWithDataWriter(socket: StreamWebSocket) {
  const writer = new DataWriter(socket.outputStream);
  writer.writeBytes(new TextEncoder().encode("Hello, World!"));
  await writer.storeAsync(); // one binary message
  writer.detachStream(); // give the stream back to the socket

  const reader = new DataReader(socket.inputStream);
  reader.inputStreamOptions = InputStreamOptions.partial;
  await reader.loadAsync(256); // 1–256 bytes as soon as some arrive; 0 at the end of the stream
  const section = new Uint8Array(reader.unconsumedBufferLength);
  reader.readBytes(section);
  reader.detachStream(); // the socket's inputStream is free for the next reader
  return section;
}
// #endregion readme-data

let server: TestServer;
beforeAll(async () => {
  server = await startServer(echo);
});
afterAll(() => server.listener.close({ timeoutMs: 1000 }));

it("runs the README DataReader / DataWriter example against an echo server", async () => {
  const socket = new Client();
  await socket.connectAsync(server.url);
  const expected = new TextEncoder().encode("Hello, World!");
  const section = await helloWithDataWriter(socket);
  // partial: at least one byte, a prefix of what the echo sends back
  expect(section.length).toBeGreaterThan(0);
  expect([...section]).toEqual([...expected.subarray(0, section.length)]);
  // The stream is usable again after detachStream: read the rest, then the end of the stream.
  const rest = new Uint8Array(expected.length);
  let got = section.length;
  while (got < expected.length) {
    const bytes = await socket.inputStream.readAsync(
      rest.subarray(got),
      expected.length - got,
      InputStreamOptions.partial,
    );
    expect(bytes.length).toBeGreaterThan(0);
    rest.set(bytes, got);
    got += bytes.length;
  }
  expect([...rest.subarray(section.length)]).toEqual([...expected.subarray(section.length)]);
  const closed = new Promise<number>((resolve) => {
    socket.addEventListener("closed", ({ code }) => resolve(code));
  });
  socket.close(1000, "done");
  expect(await closed).toBe(1000);
});
