import { createHash } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import type { UpgradeServer } from "../../src/index.js";
import { connectClient, echo, startServer } from "./harness.js";

// Long transfers (run with `pnpm test:soak`): 1 GiB through our client and server, echoed back,
// with the application respecting backpressure; content and order checked by hash.

const servers: UpgradeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close({ timeoutMs: 1000 })));
});

describe("soak", () => {
  it("1 GiB echoed in 1 MiB messages arrives intact and in order", async () => {
    const started = await startServer({
      limits: { maxMessageSize: 2 * 1024 * 1024 },
      setup: (peer) => {
        echo(peer);
        const reply = peer.recorder.onMessage;
        // Keep nothing: the recorder would otherwise retain the whole gigabyte.
        peer.recorder.onMessage = (message) => {
          reply?.(message);
          peer.recorder.messages.length = 0;
          peer.recorder.pieces.length = 0;
        };
      },
    });
    servers.push(started.server);
    const client = await connectClient(`ws://127.0.0.1:${started.port}`, {
      limits: { maxMessageSize: 2 * 1024 * 1024 },
    });
    const count = 1024;
    const size = 1024 * 1024;
    const sent = createHash("sha256");
    const got = createHash("sha256");
    let received = 0;
    const allBack = new Promise<void>((resolve) => {
      client.recorder.onMessage = (message) => {
        got.update(message.data);
        received++;
        client.recorder.messages.length = 0;
        client.recorder.pieces.length = 0;
        if (received === count) resolve();
      };
    });
    const started0 = performance.now();
    for (let i = 0; i < count; i++) {
      const chunk = new Uint8Array(size);
      new DataView(chunk.buffer).setUint32(0, i);
      chunk.fill(i & 0xff, 4);
      sent.update(chunk);
      const done = client.driver.sendBinary(chunk);
      if (!client.driver.writable) await done;
    }
    await allBack;
    const seconds = (performance.now() - started0) / 1000;
    console.log(
      `soak: 1 GiB echoed in ${seconds.toFixed(1)} s (${(2048 / seconds).toFixed(0)} MiB/s both ways)`,
    );
    expect(got.digest("hex")).toBe(sent.digest("hex"));
    client.driver.close(1000);
    expect((await client.recorder.ended).kind).toBe("close");
  }, 600_000);
});
