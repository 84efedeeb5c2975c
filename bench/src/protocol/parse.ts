/**
 * Receive path: masked client frames, pre-encoded into one buffer and fed in 64 KiB chunks as a
 * socket would, parsed in the server role, every payload unmasked and delivered (text also
 * UTF-8-validated), with the size limit on.
 */
import { nodeConnectionOptions } from "@netsockets/node";
import { Connection, MessageAssembler } from "@netsockets/protocol";
import { SeededRandom } from "../harness/random.js";
import type { Body, Implementation, SetupContext } from "../harness/types.js";
import { Tally } from "./tally.js";
import { makeText } from "./text.js";
import { ChunkedInput, encodeFrames, inputMaskKeys, MAX_PAYLOAD } from "./wire.js";
import { assertWsVariant, wsInternals } from "./ws-internals.js";

/** What a parse workload feeds. */
export interface ParseInputSpec {
  readonly payloadSize: number;
  /** Frames per batch; the batch ends on a frame boundary. */
  readonly count: number;
  readonly text: boolean;
  /** What `run()` returns per batch: frames (frames/s) or payload bytes (MB/s). */
  readonly measure: "frames" | "bytes";
}

/** The encoded input plus what it must deliver. */
export interface ParseInput {
  readonly spec: ParseInputSpec;
  readonly chunked: ChunkedInput;
  /** The payload of every frame, in order. */
  readonly payloads: readonly Uint8Array[];
}

/** Distinct payloads per input (at most 1024, at most 2 MiB of them); frames cycle through them. */
const DISTINCT = 1024;
const DISTINCT_BYTES = 2 * 1024 * 1024;

/** Builds the input of `spec` (deterministic: every child gets the same bytes). */
export function buildParseInput(spec: ParseInputSpec): ParseInput {
  const random = new SeededRandom(0x5eed);
  const distinct = Math.max(
    1,
    Math.min(DISTINCT, spec.count, Math.floor(DISTINCT_BYTES / spec.payloadSize)),
  );
  const pool = Array.from({ length: distinct }, (_, i) => {
    if (spec.text) return makeText(spec.payloadSize, "mixed", 1000 + i);
    const p = Buffer.allocUnsafe(spec.payloadSize);
    random.fill(p);
    return p;
  });
  const payloads = Array.from({ length: spec.count }, (_, i) => pool[i % distinct] as Uint8Array);
  const keys = inputMaskKeys(spec.count, 0xfeed);
  const wire = encodeFrames(
    payloads.map((payload, i) => ({
      opcode: spec.text ? 1 : 2,
      payload,
      maskKey: keys[i] as Uint8Array,
    })),
  );
  return { spec, chunked: new ChunkedInput(wire), payloads };
}

/**
 * A parse body around a `feed(chunk)` that delivers into `tally`: restores the masked input
 * before each batch, feeds every chunk, returns the batch's work.
 */
export function parseBody(
  input: ParseInput,
  tally: Tally,
  feed: (chunk: Buffer) => void,
  failure: () => Error | undefined,
): Body {
  return {
    prepare: () => input.chunked.restore(),
    run() {
      tally.reset();
      for (const chunk of input.chunked.chunks) feed(chunk);
      const error = failure();
      if (error !== undefined) throw error;
      return input.spec.measure === "frames" ? tally.messages : tally.bytes;
    },
    verify: () => tally.verify(input.payloads),
  };
}

/** ws's `Receiver` in the server role as `WebSocketServer` configures it, limit 64 MiB like ours, UTF-8 checked. */
export function wsParse(
  name: string,
  spec: ParseInputSpec,
  env?: Record<string, string>,
): Implementation {
  return {
    name,
    ...(env === undefined ? {} : { env }),
    setup(context: SetupContext): Body {
      assertWsVariant(context, env);
      const input = buildParseInput(spec);
      const tally = new Tally(context.check ? input.payloads : undefined);
      const { Receiver } = wsInternals();
      const receiver = new Receiver({
        isServer: true,
        maxPayload: MAX_PAYLOAD,
        binaryType: "nodebuffer",
      });
      let error: Error | undefined;
      receiver.on("message", (data) => tally.message(data));
      receiver.on("error", (e) => {
        error = e;
      });
      // ws's socket 'data' handler calls receiver.write(chunk); so do we.
      return parseBody(
        input,
        tally,
        (chunk) => receiver.write(chunk),
        () => error,
      );
    },
  };
}

/**
 * netsockets' receive path: a server `Connection` configured as @netsockets/node configures it
 * (`nodeConnectionOptions`: native `buffer.isUtf8` for whole text frames, default limits), its
 * events drained after each chunk as the driver does. With `assemble`, pieces go through a
 * `MessageAssembler` and the Connection reports one-frame binary messages whole
 * (`wholeBinaryMessages`), as in the message socket, which is also what ws's Receiver delivers:
 * whole messages; without, the consumer takes the pieces as they come (the stream socket's path).
 */
export function oursParse(name: string, spec: ParseInputSpec, assemble: boolean): Implementation {
  return {
    name,
    ours: true,
    setup(context: SetupContext): Body {
      const input = buildParseInput(spec);
      const tally = new Tally(context.check ? input.payloads : undefined);
      const options = nodeConnectionOptions("server");
      // Assembled: configured as the message socket configures it (one-frame binary messages
      // gathered whole with the unmask fused into the copy, unzeroed memory for both).
      const connection = new Connection(
        assemble ? { ...options, wholeBinaryMessages: true } : options,
      );
      const assembler = assemble
        ? new MessageAssembler({ maxMessageSize: MAX_PAYLOAD, allocate: options.allocate })
        : undefined;
      let error: Error | undefined;
      const feed = (chunk: Buffer): void => {
        connection.receiveData(chunk);
        for (;;) {
          const events = connection.nextEvents();
          if (events.length === 0) break;
          for (const event of events) {
            if (event.type === "data") {
              if (assembler === undefined) {
                tally.piece(event.data, event.messageStarted, event.messageFinished);
              } else {
                const message = assembler.push(event);
                if (message !== undefined) tally.message(message.data);
              }
            } else if (event.type === "close") {
              error = event.error ?? new Error(`closed with ${event.code}`);
            }
          }
        }
      };
      return parseBody(input, tally, feed, () => error);
    },
  };
}
