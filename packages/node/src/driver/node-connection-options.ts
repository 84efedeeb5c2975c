import { isUtf8 } from "node:buffer";
import { randomFillSync } from "node:crypto";
import type { Extension, Limits } from "@netsockets/protocol";

/** The options a protocol `Connection` gets on Node. */
export interface NodeConnectionOptions {
  readonly role: "client" | "server";
  readonly limits?: Partial<Limits>;
  readonly extensions?: readonly Extension[];
  readonly randomFill: (target: Uint8Array) => void;
  readonly validateUtf8: (bytes: Uint8Array) => boolean;
}

/**
 * `Connection` options for Node: client masks from `crypto.randomFillSync` (the protocol's mask
 * pool refills from it), and Node's native `buffer.isUtf8` as the whole-buffer UTF-8 validator.
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
  return {
    role,
    ...(options.limits === undefined ? {} : { limits: options.limits }),
    ...(options.extensions === undefined ? {} : { extensions: options.extensions }),
    randomFill: (target) => {
      randomFillSync(target);
    },
    validateUtf8: (bytes) => isUtf8(bytes),
  };
}
