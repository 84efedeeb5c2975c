import { Buffer, isUtf8 } from "node:buffer";
import type { Extension, Limits } from "@netsockets/protocol";
import { MaskCopyArena } from "./mask-copy-arena.js";

/** The options a protocol `Connection` gets on Node. */
export interface NodeConnectionOptions {
  readonly role: "client" | "server";
  readonly limits?: Partial<Limits>;
  readonly extensions?: readonly Extension[];
  readonly validateUtf8: (bytes: Uint8Array) => boolean;
  readonly allocate: (size: number) => Uint8Array;
  /** A client's masked copies over 4 KiB: the process's recycling `MaskCopyArena`. */
  readonly allocateMaskCopy?: (size: number) => Uint8Array;
}

/**
 * Memory without zero-filling (`Buffer.allocUnsafeSlow`, as ws uses `allocUnsafe`) as a plain
 * `Uint8Array`: the protocol writes every byte of it before handing it out.
 */
function allocateUnsafe(size: number): Uint8Array {
  const buffer = Buffer.allocUnsafeSlow(size);
  return new Uint8Array(buffer.buffer, buffer.byteOffset, size);
}

/**
 * The process's masked-copy arena, shared by every client connection on Node (its regions and
 * its oversized copies are {@link allocateUnsafe} memory).
 *
 * @internal
 */
export const maskCopyArena = new MaskCopyArena(allocateUnsafe);

/** Node's native validator (simdutf). */
function validateUtf8(bytes: Uint8Array): boolean {
  return isUtf8(bytes);
}

/** The last options made per role, handed out again while the next call asks for the same. */
const last: { client?: NodeConnectionOptions; server?: NodeConnectionOptions } = {};

function sameLimits(a: Partial<Limits> | undefined, b: Partial<Limits> | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  const keysA = Object.keys(a);
  if (keysA.length !== Object.keys(b).length) return false;
  const recordA = a as Readonly<Record<string, unknown>>;
  const recordB = b as Readonly<Record<string, unknown>>;
  return keysA.every((key) => Object.hasOwn(recordB, key) && recordA[key] === recordB[key]);
}

/**
 * `Connection` options for Node: Node's native `buffer.isUtf8` as the whole-buffer UTF-8
 * validator, uninitialised memory (`Buffer.allocUnsafeSlow`) for the messages gathered from
 * several reads, and for a client's large masked copies the process's `MaskCopyArena`, whose
 * memory the driver recycles once the kernel has the bytes. Client masks come from the
 * protocol's shared crypto pool (8 KiB of `crypto.getRandomValues` per refill, 2048 keys): a
 * per-connection `randomFill` would give each Connection its own 1 KiB pool, and its refills
 * cost ≈ 10 ns per frame.
 *
 * The result is frozen, and without extensions it is shared: a call that asks for what the
 * previous call of the same role asked for (equal limits, no extensions) gets the same object —
 * a server accepting thousands of connections allocates it once.
 *
 * @example
 * ```ts
 * const connection = new Connection(nodeConnectionOptions("client", { limits: { maxMessageSize: 1 << 20 } }));
 * ```
 */
export function nodeConnectionOptions(
  role: "client" | "server",
  options: { readonly limits?: Partial<Limits>; readonly extensions?: readonly Extension[] } = {},
): NodeConnectionOptions {
  const { limits, extensions } = options;
  const shareable = extensions === undefined || extensions.length === 0;
  const previous = last[role];
  if (shareable && previous !== undefined && sameLimits(previous.limits, limits)) return previous;
  const made: NodeConnectionOptions = Object.freeze({
    role,
    ...(limits === undefined ? {} : { limits: Object.freeze({ ...limits }) }),
    ...(extensions === undefined ? {} : { extensions }),
    validateUtf8,
    allocate: allocateUnsafe,
    ...(role === "client" ? { allocateMaskCopy: maskCopyArena.allocate } : {}),
  });
  if (shareable) last[role] = made;
  return made;
}
