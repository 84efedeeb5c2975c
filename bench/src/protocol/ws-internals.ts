/**
 * ws's frame-level internals, loaded the way ws itself loads them. `ws` exports only its public
 * API, so `lib/receiver.js`, `lib/sender.js`, `lib/buffer-util.js` and `lib/validation.js` are
 * required by absolute path — the same module instances `ws` uses (Node caches by path).
 * buffer-util picks bufferutil at load time unless `WS_NO_BUFFER_UTIL` is set, which is why the
 * harness runs each ws variant in its own process. @types/ws does not describe these files, so
 * the few members used here are typed below.
 */
import type { EventEmitter } from "node:events";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);
const wsDir = dirname(require.resolve("ws/package.json"));

/** `new Receiver(options)` from ws/lib/receiver.js (a `Writable`). */
export interface WsReceiver extends EventEmitter {
  write(chunk: Buffer): boolean;
  on(event: "message", listener: (data: Buffer, isBinary: boolean) => void): this;
  on(event: "error", listener: (error: Error) => void): this;
}

/** The options of ws's Receiver that the benchmarks set. */
export interface WsReceiverOptions {
  isServer: boolean;
  maxPayload: number;
  binaryType: "nodebuffer";
  allowSynchronousEvents?: boolean;
  skipUTF8Validation?: boolean;
}

/** `Sender.frame(data, options)` from ws/lib/sender.js. */
export interface WsFrameOptions {
  fin: boolean;
  mask: boolean;
  opcode: number;
  readOnly: boolean;
  rsv1: boolean;
}

/** What the benchmarks use from ws's internals. */
export interface WsInternals {
  Receiver: new (options: WsReceiverOptions) => WsReceiver;
  Sender: { frame(data: Buffer, options: WsFrameOptions): Buffer[] };
  /** bufferutil's when installed and allowed, else ws's JS byte loop (below 48 bytes always). */
  mask(source: Buffer, mask: Buffer, output: Buffer, offset: number, length: number): void;
  /** bufferutil's when installed and allowed, else ws's JS byte loop (below 32 bytes always). */
  unmask(buffer: Buffer, mask: Buffer): void;
  /** `buffer.isUtf8` on Node ≥ 18.14 (JS below 24 bytes), as ws validates text. */
  isValidUTF8(buffer: Buffer): boolean;
  /** Whether buffer-util took bufferutil's native functions. */
  usesBufferUtil: boolean;
}

let loaded: WsInternals | undefined;

/** Loads ws's internals once per process. */
export function wsInternals(): WsInternals {
  if (loaded !== undefined) return loaded;
  const bufferUtil = require(join(wsDir, "lib/buffer-util.js")) as Pick<
    WsInternals,
    "mask" | "unmask"
  >;
  const validation = require(join(wsDir, "lib/validation.js")) as Pick<WsInternals, "isValidUTF8">;
  // With bufferutil, buffer-util wraps it in a closure of a few lines; without, it exports its
  // own `_mask` byte loop. Reading the source is the only way ws leaves to tell them apart.
  const usesBufferUtil = bufferUtil.mask.toString().includes("bufferUtil.mask");
  loaded = {
    Receiver: require(join(wsDir, "lib/receiver.js")) as WsInternals["Receiver"],
    Sender: require(join(wsDir, "lib/sender.js")) as WsInternals["Sender"],
    mask: bufferUtil.mask,
    unmask: bufferUtil.unmask,
    isValidUTF8: validation.isValidUTF8,
    usesBufferUtil,
  };
  return loaded;
}

/**
 * Makes sure a timed ws run measures the variant it is named after: bufferutil in use unless
 * `env` sets `WS_NO_BUFFER_UTIL`. Skipped in check mode, where the smoke test runs every
 * variant in its own process, with whichever ws that process loaded.
 */
export function assertWsVariant(
  context: { readonly check: boolean },
  env: Readonly<Record<string, string>> | undefined,
): void {
  const wanted = env?.WS_NO_BUFFER_UTIL === undefined;
  const actual = wsInternals().usesBufferUtil;
  if (!context.check && actual !== wanted) {
    throw new Error(
      `ws ${actual ? "uses" : "does not use"} bufferutil in this process, expected the opposite`,
    );
  }
}
