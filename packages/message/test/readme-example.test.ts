// The example of README.md, verbatim between the region markers (readme.test.ts checks that),
// followed by assertions on what its comments claim.
import { expect, it, vi } from "vitest";

const logged = vi.spyOn(console, "log").mockImplementation(() => {});

// #region readme
import { DataWriter } from "@netsockets/data";
import { MessageWebSocket, MessageWebSocketListener, SocketMessageType } from "@netsockets/message";

// A server: echo every message with its type.
const listener = new MessageWebSocketListener();
listener.addEventListener("connectionreceived", ({ socket }) => {
  socket.addEventListener("messagereceived", (args) => {
    const reader = args.getDataReader(); // throws if the connection failed
    void socket.sendAsync(reader.readBuffer(reader.unconsumedBufferLength), {
      messageType: args.messageType,
    });
  });
});
await listener.bindEndpointAsync("127.0.0.1", "0");
const url = `ws://127.0.0.1:${listener.information.localPort}/`;

// A client. Consumers start before connectAsync: a messagereceived listener, or a loop.
const socket = new MessageWebSocket();
socket.control.messageType = SocketMessageType.utf8;
const replies = (async () => {
  const texts: string[] = [];
  for await (const args of socket) {
    const reader = args.getDataReader();
    texts.push(reader.readString(reader.unconsumedBufferLength));
  }
  return texts; // the loop ends with the closing handshake
})();
socket.addEventListener("closed", (args) => console.log("closed", args.code, args.reason));
await socket.connectAsync(url);

const writer = new DataWriter(socket.outputStream);
writer.writeString("hello");
await writer.storeAsync(); // one message of control.messageType per store
writer.detachStream();
await socket.sendAsync("world"); // resolves once the bytes reached the kernel

socket.close(1000, "done");
console.log(await replies); // [ 'hello', 'world' ]
await listener.close();
// #endregion readme

it("did what the README example says", async () => {
  const calls = [...logged.mock.calls];
  logged.mockRestore();
  expect(await replies).toEqual(["hello", "world"]);
  expect(calls).toEqual([["closed", 1000, ""], [["hello", "world"]]]);
  expect(listener.information.localPort).toBeNull();
});
