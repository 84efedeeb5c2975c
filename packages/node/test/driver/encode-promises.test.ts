import { ConnectionClosedError } from "@netsockets/errors";
import { Connection, type Extension, type RsvBits } from "@netsockets/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { nodeConnectionOptions, UpgradeServer } from "../../src/index.js";
import { connectClient, Recorder, text, until } from "./harness.js";

// Send promises over an asynchronous extension (permessage-deflate's encode runs on zlib's thread
// pool): a send resolves only once ITS frame reached the kernel — not when earlier bytes did —
// and a send whose frame an encode failure dropped rejects with the error of the 1011 close.

const servers: UpgradeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close({ timeoutMs: 500 })));
});

/** An encode the test settles by hand: `resolve()` passes the bytes through, `reject()` fails. */
interface HeldEncode {
  readonly chunk: Uint8Array;
  resolve(): void;
  reject(error: Error): void;
}

/**
 * RSV1 extension whose every encode waits for the test (one {@link HeldEncode} per call, in call
 * order); a sync `decode` that passes bytes through, so a peer with it reads what we send.
 */
class HandEncoder implements Extension {
  readonly name = "x-hand";
  readonly rsvBits = 4 as const;
  readonly encodes: HeldEncode[] = [];

  decode(chunk: Uint8Array): Uint8Array {
    return chunk;
  }

  encode(chunk: Uint8Array): Promise<{ data: Uint8Array; rsv: RsvBits }> {
    return new Promise((resolve, reject) => {
      this.encodes.push({
        chunk,
        resolve: () => resolve({ data: chunk, rsv: 4 }),
        reject,
      });
    });
  }
}

/** A pass-through RSV1 decoder for the server side (it never encodes). */
const passThrough: Extension = { name: "x-hand", rsvBits: 4, decode: (chunk) => chunk };

async function setup() {
  const recorders: Recorder[] = [];
  const server = new UpgradeServer({
    onConnection: (upgrade) => {
      const recorder = new Recorder();
      upgrade.start(
        new Connection(nodeConnectionOptions("server", { extensions: [passThrough] })),
        recorder,
      );
      recorders.push(recorder);
    },
  });
  servers.push(server);
  const { port } = await server.listen({ host: "127.0.0.1", port: 0 });
  const extension = new HandEncoder();
  const { driver, recorder } = await connectClient(`ws://127.0.0.1:${port}`, {
    extensions: [extension],
  });
  await until(() => recorders.length === 1);
  return { driver, extension, recorder, peer: recorders[0] as Recorder };
}

/** The state of a promise, observed without waiting for it. */
function track(promise: Promise<void>) {
  const state = {
    settled: "pending" as "pending" | "resolved" | "rejected",
    error: undefined as unknown,
  };
  promise.then(
    () => {
      state.settled = "resolved";
    },
    (error: unknown) => {
      state.settled = "rejected";
      state.error = error;
    },
  );
  return state;
}

describe("send promises behind an asynchronous encode", () => {
  it("resolve only once their own frame is written, not when earlier bytes are", async () => {
    const { driver, extension, peer } = await setup();
    const first = track(driver.sendText("first"));
    const second = track(driver.sendText("second"));
    // The second send waits behind the first encode: only one encode has started.
    expect(extension.encodes).toHaveLength(1);
    extension.encodes[0]?.resolve();
    await peer.received(1);
    // The first frame reached the kernel (the peer read it); the second is still encoding.
    await until(() => first.settled !== "pending");
    expect(first.settled).toBe("resolved");
    await until(() => extension.encodes.length === 2);
    expect(second.settled).toBe("pending");
    extension.encodes[1]?.resolve();
    await until(() => second.settled !== "pending");
    expect(second.settled).toBe("resolved");
    await peer.received(2);
    expect(peer.messages.map((m) => text(m.data))).toEqual(["first", "second"]);
  });

  it("reject with the 1011 close when their encode fails, and so do the sends behind it", async () => {
    const { driver, extension, recorder, peer } = await setup();
    const failing = track(driver.sendText("doomed"));
    const behind = track(driver.sendText("behind"));
    extension.encodes[0]?.reject(new Error("encoder broke"));
    const ending = await recorder.ended;
    expect(ending).toMatchObject({ kind: "close", info: { code: 1011, closedBy: "local" } });
    await until(() => failing.settled !== "pending" && behind.settled !== "pending");
    for (const send of [failing, behind]) {
      expect(send.settled).toBe("rejected");
      expect(send.error).toBeInstanceOf(ConnectionClosedError);
      expect(send.error).toMatchObject({ code: "ERR_CONNECTION_CLOSED", closeCode: 1011 });
    }
    // Nothing of either message went out; the peer saw the 1011 close.
    expect(peer.messages).toHaveLength(0);
    expect(await peer.ended).toMatchObject({ kind: "close", info: { code: 1011 } });
    // The encode behind the failed one never started.
    expect(extension.encodes).toHaveLength(1);
  });

  it("keep an earlier send's success when a later encode fails", async () => {
    const { driver, extension, recorder, peer } = await setup();
    const ok = track(driver.sendText("kept"));
    const failing = track(driver.sendText("doomed"));
    extension.encodes[0]?.resolve();
    await until(() => extension.encodes.length === 2);
    extension.encodes[1]?.reject(new Error("encoder broke"));
    expect(await recorder.ended).toMatchObject({ kind: "close", info: { code: 1011 } });
    await until(() => ok.settled !== "pending" && failing.settled !== "pending");
    expect(ok.settled).toBe("resolved");
    expect(failing.settled).toBe("rejected");
    expect(failing.error).toMatchObject({ closeCode: 1011 });
    await peer.received(1);
    expect(peer.messages.map((m) => text(m.data))).toEqual(["kept"]);
  });
});

describe("a send whose encode throws synchronously", () => {
  it("rejects with the 1011 close and the connection closes", async () => {
    const { driver, extension, recorder } = await setup();
    extension.encode = () => {
      throw new Error("encoder broke at once");
    };
    const failing = track(driver.sendBinary(new Uint8Array([1, 2, 3])));
    expect(await recorder.ended).toMatchObject({ kind: "close", info: { code: 1011 } });
    await until(() => failing.settled !== "pending");
    expect(failing.settled).toBe("rejected");
    expect(failing.error).toMatchObject({ code: "ERR_CONNECTION_CLOSED", closeCode: 1011 });
  });
});
