/**
 * UTF-8 validation of 1 MiB of text, 4 times per batch. Every validator must also reject a
 * buffer with an encoded surrogate at its end (checked in the smoke test), so none can win by
 * not looking.
 */
import { isUtf8 } from "node:buffer";
import { createRequire } from "node:module";
import { isValidUtf8, Utf8Validator } from "@netsockets/protocol";
import type { Body, Implementation, SetupContext } from "../harness/types.js";
import { makeText } from "./text.js";
import { CHUNK_SIZE } from "./wire.js";
import { wsInternals } from "./ws-internals.js";

/** 1 MiB. */
export const TEXT_SIZE = 1024 * 1024;
const PASSES = 4;

/** What the text rows validate. */
export type TextKind = "ascii" | "mixed";

/** A whole-buffer validator. */
export type Validate = (bytes: Buffer) => boolean;

/** A validation body for `validate` on 1 MiB of `kind` text. */
export function utf8Body(context: SetupContext, kind: TextKind, validate: Validate): Body {
  const text = makeText(TEXT_SIZE, kind, 7);
  if (context.check) {
    // U+D800 encoded (ED A0 80) is not UTF-8; put it at the very end.
    const invalid = Buffer.from(text);
    invalid.set([0xed, 0xa0, 0x80], invalid.length - 3);
    if (validate(invalid)) throw new Error("accepted an encoded surrogate");
    if (!isUtf8(text)) throw new Error("the benchmark text is not UTF-8");
  }
  let valid = 0;
  return {
    run() {
      valid = 0;
      for (let i = 0; i < PASSES; i++) if (validate(text)) valid++;
      return PASSES * TEXT_SIZE;
    },
    verify() {
      if (valid !== PASSES) throw new Error(`valid text rejected ${PASSES - valid} times`);
    },
  };
}

/** ws's `isValidUTF8` (lib/validation.js): `buffer.isUtf8` on this Node, JS below 24 bytes. */
export function wsUtf8(kind: TextKind): Implementation {
  return {
    name: "ws isValidUTF8 (buffer.isUtf8)",
    setup: (context) => utf8Body(context, kind, wsInternals().isValidUTF8),
  };
}

/** The utf-8-validate addon, what ws uses on runtimes without `buffer.isUtf8`. */
export function utf8ValidateAddon(kind: TextKind): Implementation {
  return {
    name: "utf-8-validate",
    setup(context) {
      const validate = createRequire(import.meta.url)("utf-8-validate") as Validate;
      return utf8Body(context, kind, validate);
    },
  };
}

/** netsockets' pure-JS whole-buffer `isValidUtf8`. */
export function oursIsValidUtf8(kind: TextKind): Implementation {
  return {
    name: "netsockets isValidUtf8",
    ours: true,
    setup: (context) => utf8Body(context, kind, isValidUtf8),
  };
}

/** netsockets' streaming `Utf8Validator`, fed 64 KiB at a time as text arrives from a socket. */
export function oursUtf8Validator(kind: TextKind): Implementation {
  return {
    name: "netsockets Utf8Validator (64 KiB pushes)",
    ours: true,
    setup(context) {
      const validator = new Utf8Validator();
      return utf8Body(context, kind, (bytes) => {
        validator.reset();
        for (let at = 0; at < bytes.length; at += CHUNK_SIZE) {
          if (!validator.push(bytes.subarray(at, at + CHUNK_SIZE))) return false;
        }
        return validator.finish();
      });
    },
  };
}
