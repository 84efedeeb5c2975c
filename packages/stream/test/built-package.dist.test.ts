import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";

// The ESM and CJS builds both work on their own: a listener and a client of each build exchange
// bytes over loopback and close cleanly.
// Typed from the source, loaded from dist by computed path, so typecheck works without a build.
type Api = typeof import("../src/index.js");
const esm = (await import(new URL("../dist/index.js", import.meta.url).href)) as Api;
const cjs = createRequire(import.meta.url)("../dist/index.cjs") as Api;

describe.each([
  ["ESM", esm],
  ["CJS", cjs],
])("the %s build", (_name, api) => {
  it("a client sends bytes to a listener's socket, which reads them to the end after the close", async () => {
    const listener = new api.StreamWebSocketListener();
    const received = new Promise<number[]>((resolve, reject) => {
      listener.addEventListener("connectionreceived", ({ socket }) => {
        void (async () => {
          const all: number[] = [];
          const buffer = new Uint8Array(64);
          for (;;) {
            const bytes = await socket.inputStream.readAsync(buffer, 64, 1 /* partial */);
            if (bytes.length === 0) break;
            all.push(...bytes);
          }
          resolve(all);
        })().catch(reject);
      });
    });
    await listener.bindEndpointAsync("127.0.0.1", 0);
    const socket = new api.StreamWebSocket({ proxy: false });
    await socket.connectAsync(`ws://127.0.0.1:${listener.information.localPort}/`);
    expect(await socket.outputStream.writeAsync(new Uint8Array([1, 2, 3]))).toBe(3);
    socket.close(1000);
    expect(await received).toEqual([1, 2, 3]);
    await listener.close({ timeoutMs: 1000 });
  });
});
