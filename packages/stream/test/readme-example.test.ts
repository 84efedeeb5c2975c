// The examples of README.md, verbatim between the region markers (readme.test.ts checks that),
// followed by assertions on what their comments claim. Test-only code stays outside the regions.
import { expect, it } from "vitest";
import { clearProxyEnvironment } from "../../../tests/support/servers.js";

// The examples talk to 127.0.0.1: a proxy set in the machine's environment must not take them.
clearProxyEnvironment();

// #region readme
import { createHash } from "node:crypto";
import { InputStreamOptions } from "@netsockets/data";
import { StreamWebSocket, StreamWebSocketListener } from "@netsockets/stream";

/** A server that hashes whatever a client streams to it, and a client that uploads `total` bytes. */
export async function uploadAndHash(total: number) {
  const listener = new StreamWebSocketListener();
  const digest = new Promise<string>((resolve, reject) => {
    listener.addEventListener("connectionreceived", async ({ socket }) => {
      const hash = createHash("sha256");
      const buffer = new Uint8Array(256 * 1024);
      try {
        for (;;) {
          // Resolves as soon as some bytes are there; an empty result is the end of the stream.
          const bytes = await socket.inputStream.readAsync(
            buffer,
            buffer.length,
            InputStreamOptions.partial,
          );
          if (bytes.length === 0) break;
          hash.update(bytes);
        }
        resolve(hash.digest("hex"));
      } catch (error) {
        reject(error); // connectionAborted / connectionReset after a loss
      }
    });
  });
  await listener.bindEndpointAsync("127.0.0.1", 0);

  const socket = new StreamWebSocket();
  let closed = 0;
  socket.addEventListener("closed", ({ code }) => {
    closed = code; // 1000: the server answered our close
  });
  await socket.connectAsync(`ws://127.0.0.1:${listener.information.localPort}/`);
  const chunk = new Uint8Array(1024 * 1024).fill(42);
  for (let sent = 0; sent < total; sent += chunk.length) {
    // One binary message per write, resolved once its bytes are in the kernel: a reader that
    // falls behind slows this loop down through TCP, and memory stays flat on both sides.
    await socket.outputStream.writeAsync(chunk.subarray(0, Math.min(chunk.length, total - sent)));
  }
  socket.close(1000, "done"); // the server reads the rest, then the end of the stream
  const serverHash = await digest;
  await listener.close();
  return { serverHash, closed };
}
// #endregion readme

it("runs the README example: 8 MiB + 1 byte uploaded, hashed by the server", async () => {
  const total = 8 * 1024 * 1024 + 1;
  const { serverHash, closed } = await uploadAndHash(total);
  expect(serverHash).toBe(
    createHash("sha256").update(new Uint8Array(total).fill(42)).digest("hex"),
  );
  expect(closed).toBe(1000);
});
