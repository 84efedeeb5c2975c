// The example of README.md, verbatim between the region markers (the last test checks that),
// followed by assertions on what its comments claim. It imports the package by its own name, as
// a user would.
import { readFileSync } from "node:fs";
import { expect, it, vi } from "vitest";

// The example talks to 127.0.0.1: a proxy set in the machine's environment must not take it.
for (const name of ["HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"]) {
  delete process.env[name];
}
const logged = vi.spyOn(console, "log").mockImplementation(() => {});

// #region readme
import {
  DataWriter,
  InputStreamOptions,
  MessageWebSocket,
  MessageWebSocketListener,
  SocketMessageType,
  StreamWebSocket,
  StreamWebSocketListener,
  WebSocketError,
  webErrorStatusName,
} from "netsockets";

// A message server: every message goes back with its type.
const messages = new MessageWebSocketListener();
messages.addEventListener("connectionreceived", ({ socket }) => {
  socket.addEventListener("messagereceived", (args) => {
    const reader = args.getDataReader();
    void socket.sendAsync(reader.readBuffer(reader.unconsumedBufferLength), {
      messageType: args.messageType,
    });
  });
});
await messages.bindEndpointAsync("127.0.0.1", "0"); // "0": a free port
const messageUrl = `ws://127.0.0.1:${messages.information.localPort}/`;

// A MessageWebSocket client, as in the WinRT samples: handlers first, then connectAsync.
const client = new MessageWebSocket();
client.control.messageType = SocketMessageType.utf8;
const echoed = new Promise<string>((resolve) => {
  client.addEventListener("messagereceived", (args) => {
    const reader = args.getDataReader();
    resolve(reader.readString(reader.unconsumedBufferLength));
  });
});
await client.connectAsync(messageUrl);
const writer = new DataWriter(client.outputStream);
writer.writeString("Hello, World!");
await writer.storeAsync(); // one UTF-8 message
writer.detachStream();
console.log("message:", await echoed); // message: Hello, World!
client.close(1000, "done");

// A stream server that echoes bytes, and a StreamWebSocket client.
const streams = new StreamWebSocketListener();
streams.addEventListener("connectionreceived", async ({ socket }) => {
  const buffer = new Uint8Array(64 * 1024);
  for (;;) {
    const bytes = await socket.inputStream.readAsync(
      buffer,
      buffer.length,
      InputStreamOptions.partial,
    );
    if (bytes.length === 0) break; // the end of the stream: the client closed
    await socket.outputStream.writeAsync(bytes.slice());
  }
});
await streams.bindEndpointAsync("127.0.0.1", "0");
const streamClient = new StreamWebSocket();
await streamClient.connectAsync(`ws://127.0.0.1:${streams.information.localPort}/`);
await streamClient.outputStream.writeAsync(Uint8Array.of(1, 2, 3));
const back = await streamClient.inputStream.readAsync(
  new Uint8Array(16),
  16,
  InputStreamOptions.partial,
);
console.log("stream:", back); // stream: Uint8Array(3) [ 1, 2, 3 ] (a first section of what came back)
streamClient.close(1000, "done");

await messages.close();
await streams.close();

// Failures carry a WebErrorStatus: nothing listens on messageUrl any more.
try {
  await new MessageWebSocket().connectAsync(messageUrl);
} catch (error) {
  console.log("error:", webErrorStatusName(WebSocketError.getStatus(error))); // error: cannotConnect
}
// #endregion readme

it("echoes a message and a section of bytes, then reports cannotConnect", () => {
  expect(logged.mock.calls[0]).toEqual(["message:", "Hello, World!"]);
  const [label, bytes] = logged.mock.calls[1] ?? [];
  expect(label).toBe("stream:");
  // partial: at least one byte, a prefix of what was sent
  expect((bytes as Uint8Array).length).toBeGreaterThan(0);
  expect([...(bytes as Uint8Array)]).toEqual([1, 2, 3].slice(0, (bytes as Uint8Array).length));
  expect(logged.mock.calls[2]).toEqual(["error:", "cannotConnect"]);
  expect(logged.mock.calls).toHaveLength(3);
});

it("README.md shows this example verbatim", () => {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  const source = readFileSync(new URL(import.meta.url), "utf8");
  const start = "// #region readme\n";
  const example = source
    .slice(source.indexOf(start) + start.length, source.indexOf("// #endregion readme"))
    .trimEnd();
  expect(example.length).toBeGreaterThan(1000);
  expect(readme).toContain(`\`\`\`ts\n${example}\n\`\`\``);
});
