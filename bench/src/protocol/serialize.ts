/**
 * Send path in the client role: a binary payload framed and masked with a fresh key from a
 * crypto-random pool, without modifying the caller's bytes (ws: `readOnly`, one allocation for
 * header + masked copy). The consumer takes the output as a socket write would.
 */
import { nodeConnectionOptions } from "@netsockets/node";
import { Connection, MaskKeyPool, Opcode, serializeFrame } from "@netsockets/protocol";
import { SeededRandom } from "../harness/random.js";
import type { Body, Implementation, SetupContext } from "../harness/types.js";
import { decodeFrames } from "./wire.js";
import { assertWsVariant, wsInternals } from "./ws-internals.js";

/** What a serialize workload sends. */
export interface SerializeSpec {
  readonly payloadSize: number;
  /** Frames per batch. */
  readonly count: number;
  readonly measure: "frames" | "bytes";
}

/** The user's payload: random bytes, the same in every child. */
export function makePayload(size: number): Buffer {
  const payload = Buffer.allocUnsafe(size);
  new SeededRandom(0xbeef).fill(payload);
  return payload;
}

/**
 * A serialize body around `send()` that frames `payload` once and returns the wire pieces.
 * Counts output bytes (so nothing is optimised away); in check mode decodes every frame and
 * checks payload, FIN, opcode, the mask bit, that the caller's bytes are untouched and that
 * keys vary.
 */
export function serializeBody(
  spec: SerializeSpec,
  context: SetupContext,
  payload: Buffer,
  send: () => readonly Uint8Array[],
): Body {
  const original = Buffer.from(payload);
  let frames = 0;
  let wireBytes = 0;
  const keys = new Set<string>();
  return {
    run() {
      frames = 0;
      wireBytes = 0;
      for (let i = 0; i < spec.count; i++) {
        const parts = send();
        for (const part of parts) wireBytes += part.length;
        frames++;
        if (context.check) {
          const decoded = decodeFrames(parts);
          const frame = decoded[0];
          if (decoded.length !== 1 || frame === undefined)
            throw new Error(`${decoded.length} frames per send`);
          if (!frame.fin || frame.opcode !== 2 || frame.rsv !== 0)
            throw new Error("wrong frame header");
          if (frame.maskKey === undefined) throw new Error("client frame not masked");
          if (!Buffer.from(frame.payload).equals(original)) throw new Error("payload differs");
          keys.add(Buffer.from(frame.maskKey).toString("hex"));
        }
      }
      return spec.measure === "frames" ? frames : frames * spec.payloadSize;
    },
    verify() {
      if (frames !== spec.count || wireBytes < spec.count * (spec.payloadSize + 6)) {
        throw new Error(`sent ${frames} frames / ${wireBytes} bytes`);
      }
      if (!payload.equals(original)) throw new Error("the caller's payload was modified");
      if (context.check && keys.size < Math.min(spec.count, 2)) throw new Error("mask keys repeat");
    },
  };
}

/** ws's `Sender.frame` as `WebSocket#send` calls it for a client Buffer. */
export function wsSerialize(
  name: string,
  spec: SerializeSpec,
  env?: Record<string, string>,
): Implementation {
  return {
    name,
    ...(env === undefined ? {} : { env }),
    setup(context) {
      assertWsVariant(context, env);
      const { Sender } = wsInternals();
      const payload = makePayload(spec.payloadSize);
      const options = { fin: true, mask: true, opcode: 2, readOnly: true, rsv1: false };
      return serializeBody(spec, context, payload, () => Sender.frame(payload, options));
    },
  };
}

/** netsockets' `serializeFrame` with a key from the default crypto-backed `MaskKeyPool`. */
export function oursSerializeFrame(spec: SerializeSpec): Implementation {
  return {
    name: "netsockets serializeFrame",
    ours: true,
    setup(context) {
      const pool = new MaskKeyPool();
      const payload = makePayload(spec.payloadSize);
      return serializeBody(spec, context, payload, () =>
        serializeFrame(Opcode.binary, payload, { fin: true, maskKey: pool.next() }),
      );
    },
  };
}

/**
 * netsockets' send path: a client `Connection` configured as @netsockets/node configures it,
 * `sendBinary` then `dataToSend()` per message, as the driver flushes after a send.
 */
export function oursConnectionSend(spec: SerializeSpec): Implementation {
  return {
    name: "netsockets Connection.sendBinary",
    ours: true,
    setup(context) {
      const connection = new Connection(nodeConnectionOptions("client"));
      const payload = makePayload(spec.payloadSize);
      return serializeBody(spec, context, payload, () => {
        connection.sendBinary(payload);
        return connection.dataToSend();
      });
    },
  };
}
