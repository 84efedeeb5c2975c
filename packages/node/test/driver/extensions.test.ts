import { Connection, type Extension, type ExtensionFrameInfo } from "@netsockets/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { createDriver, nodeConnectionOptions, UpgradeServer } from "../../src/index.js";
import { openTestTransport, Recorder, text } from "./harness.js";

// The driver's side of the extension contract (packages/protocol/src/extension.ts).

const servers: UpgradeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close({ timeoutMs: 500 })));
});

/**
 * A small asynchronous extension on RSV1: every byte is flipped (XOR 0xff), each encode and
 * decode answering a turn of the event loop later, as zlib does. `hold` makes the next encodes
 * wait until `release()`.
 */
class FlipExtension implements Extension {
  readonly name = "x-flip";
  readonly rsvBits = 4;
  closeCalls = 0;
  /** Whether an encode or decode had not settled when `close()` ran. */
  closedWhileBusy = false;
  #busy = 0;
  #held: (() => void)[] = [];
  #holding = false;

  decode(chunk: Uint8Array, _info: ExtensionFrameInfo): Promise<Uint8Array> {
    return this.#later(() => flip(chunk));
  }

  encode(chunk: Uint8Array): Promise<{ data: Uint8Array; rsv: number }> {
    return this.#later(() => ({ data: flip(chunk), rsv: 4 }));
  }

  close(): void {
    this.closeCalls++;
    if (this.#busy > 0) this.closedWhileBusy = true;
  }

  /** Holds every later encode/decode until {@link FlipExtension.release}. */
  hold(): void {
    this.#holding = true;
  }

  release(): void {
    this.#holding = false;
    for (const go of this.#held.splice(0)) go();
  }

  get busy(): number {
    return this.#busy;
  }

  #later<T>(work: () => T): Promise<T> {
    this.#busy++;
    return new Promise<T>((resolve) => {
      const go = () =>
        setImmediate(() => {
          this.#busy--;
          resolve(work());
        });
      if (this.#holding) this.#held.push(go);
      else go();
    });
  }
}

function flip(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = (bytes[i] as number) ^ 0xff;
  return out;
}

/** A server whose connections run the driver with a FlipExtension, echoing every message. */
async function flipServer() {
  const accepted: { extension: FlipExtension; recorder: Recorder; done: Promise<void> }[] = [];
  const server = new UpgradeServer({
    onConnection: (upgrade) => {
      const extension = new FlipExtension();
      const recorder = new Recorder();
      const driver = upgrade.start(
        new Connection(nodeConnectionOptions("server", { extensions: [extension] })),
        recorder,
      );
      recorder.onMessage = (m) => {
        (m.binary ? driver.sendBinary(m.data) : driver.sendText(m.data)).catch(() => {});
      };
      accepted.push({ extension, recorder, done: driver.done });
    },
  });
  servers.push(server);
  const { port } = await server.listen({ host: "127.0.0.1", port: 0 });
  return { port, accepted };
}

async function flipClient(port: number) {
  const transport = await openTestTransport(`ws://127.0.0.1:${port}`);
  const extension = new FlipExtension();
  const recorder = new Recorder();
  const driver = createDriver(
    transport.socket,
    new Connection(nodeConnectionOptions("client", { extensions: [extension] })),
    recorder,
    { head: transport.head },
  );
  return { driver, recorder, extension, socket: transport.socket };
}

describe("an asynchronous extension", () => {
  it("round-trips messages both ways: a decode that nextEvents() starts is awaited", async () => {
    const { port, accepted } = await flipServer();
    const client = await flipClient(port);
    await client.driver.sendText("hello");
    await client.driver.sendBinary(new Uint8Array([1, 2, 3]));
    await client.driver.sendText("é".repeat(1000), { fin: false });
    await client.driver.sendText("!");
    await client.recorder.received(3);
    expect(client.recorder.messages.map((m) => (m.binary ? [...m.data] : text(m.data)))).toEqual([
      "hello",
      [1, 2, 3],
      `${"é".repeat(1000)}!`,
    ]);
    expect(accepted[0]?.recorder.messages).toHaveLength(3);
  });
});
