// The quick start of the repository README, verbatim between the region markers (the last test
// checks that), followed by assertions on what it prints. It imports the facade by its name.
import { readFileSync } from "node:fs";
import { expect, it, vi } from "vitest";

// The example talks to 127.0.0.1: a proxy set in the machine's environment must not take it.
for (const name of ["HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"]) {
  delete process.env[name];
}
const lines: string[] = [];
let sawClosed: () => void = () => {};
const closedPrinted = new Promise<void>((resolve) => {
  sawClosed = resolve;
});
vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => {
  lines.push(args.join(" "));
  if (args[0] === "closed:") sawClosed();
});

// #region readme
import {
  DataWriter,
  MessageWebSocket,
  MessageWebSocketListener,
  SocketMessageType,
  WebSocketError,
  webErrorStatusName,
} from "netsockets";

const server = new MessageWebSocketListener();
server.addEventListener("connectionreceived", ({ socket }) => {
  socket.addEventListener("messagereceived", (args) => {
    const reader = args.getDataReader();
    void socket.sendAsync(reader.readBuffer(reader.unconsumedBufferLength), {
      messageType: args.messageType,
    });
  });
});
await server.bindEndpointAsync("127.0.0.1", "0"); // "0" picks a free port
const url = `ws://127.0.0.1:${server.information.localPort}/`;

const socket = new MessageWebSocket();
socket.control.messageType = SocketMessageType.utf8;
socket.addEventListener("messagereceived", (args) => {
  const reader = args.getDataReader();
  console.log("received:", reader.readString(reader.unconsumedBufferLength));
  socket.close(1000, "done");
});
socket.addEventListener("closed", (args) => console.log("closed:", args.code)); // the peer's close frame
try {
  await socket.connectAsync(url, { signal: AbortSignal.timeout(10_000) });
  const writer = new DataWriter(socket.outputStream);
  writer.writeString("Hello, World!");
  await writer.storeAsync();
} catch (error) {
  console.log("failed:", webErrorStatusName(WebSocketError.getStatus(error)));
}
// #endregion readme

it("echoes the message, then closes cleanly", async () => {
  await closedPrinted;
  expect(lines).toEqual(["received: Hello, World!", "closed: 1000"]);
  await server.close();
});

it("is the code the README shows", () => {
  const source = readFileSync(new URL(import.meta.url), "utf8");
  const region = /\/\/ #region readme\n([\s\S]*?)\/\/ #endregion readme/.exec(source)?.[1];
  const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");
  expect(region).toBeDefined();
  expect(readme).toContain(`\`\`\`ts\n${region}\`\`\``);
});
