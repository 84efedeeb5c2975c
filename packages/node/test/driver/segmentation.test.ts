import type { Socket } from "node:net";
import { frame } from "@netsockets/protocol/testing";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { UpgradeServer } from "../../src/index.js";
import { openTestTransport, type ServerPeer, startServer } from "./harness.js";

// Whatever TCP segmentation the peer's bytes arrive in, the driver delivers the same messages
// (the frames are written piece by piece, each piece awaited, with Nagle off).

const seed = Number(process.env.NETSOCKETS_SEED ?? 20261126);
console.log(`segmentation.test.ts: fast-check seed ${seed} (set NETSOCKETS_SEED to change)`);

let upgrades: UpgradeServer;
let port: number;
let nextPeer: () => Promise<ServerPeer>;
beforeAll(async () => {
  const started = await startServer();
  upgrades = started.server;
  port = started.port;
  nextPeer = started.nextPeer;
});
afterAll(() => upgrades.close({ timeoutMs: 500 }));

const message = fc.record({
  binary: fc.boolean(),
  payload: fc.uint8Array({ maxLength: 3000 }),
  fragments: fc.integer({ min: 1, max: 4 }),
});

/** The masked client frames of one message, split into `fragments` frames. */
function framesOf(m: { binary: boolean; payload: Uint8Array; fragments: number }): Uint8Array[] {
  const data = m.binary
    ? m.payload
    : new TextEncoder().encode(Buffer.from(m.payload).toString("hex"));
  const out: Uint8Array[] = [];
  const step = Math.ceil(data.length / m.fragments) || 1;
  for (let i = 0, at = 0; i < m.fragments; i++, at += step) {
    const last = i === m.fragments - 1;
    const part = last ? data.subarray(at) : data.subarray(at, Math.min(at + step, data.length));
    out.push(frame(i === 0 ? (m.binary ? 2 : 1) : 0, part, { fin: last, mask: true }));
  }
  return out;
}

async function writeInPieces(socket: Socket, bytes: Uint8Array, cuts: number[]): Promise<void> {
  let at = 0;
  for (const cut of [
    ...cuts.map((c) => c % (bytes.length + 1)).sort((a, b) => a - b),
    bytes.length,
  ]) {
    if (cut <= at) continue;
    const piece = bytes.subarray(at, cut);
    at = cut;
    await new Promise<void>((resolve, reject) =>
      socket.write(piece, (error) => (error ? reject(error) : resolve())),
    );
  }
}

describe("TCP segmentation", () => {
  it("delivers the same messages for any split of the byte stream", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(message, { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        async (messages, cuts) => {
          const peerP = nextPeer();
          const { socket } = await openTestTransport(`ws://127.0.0.1:${port}`);
          socket.setNoDelay(true);
          socket.on("error", () => {});
          const peer = await peerP;
          const bytes = new Uint8Array(Buffer.concat(messages.flatMap(framesOf)));
          await writeInPieces(socket, bytes, cuts);
          await peer.recorder.received(messages.length);
          const got = peer.recorder.messages.map((m) => ({
            binary: m.binary,
            hex: Buffer.from(m.data).toString("hex"),
          }));
          const expected = messages.map((m) => ({
            binary: m.binary,
            hex: m.binary
              ? Buffer.from(m.payload).toString("hex")
              : Buffer.from(Buffer.from(m.payload).toString("hex")).toString("hex"),
          }));
          socket.destroy();
          await peer.driver.done;
          expect(got).toEqual(expected);
        },
      ),
      { seed, numRuns: 40 },
    );
  });
});
