/**
 * Whole-message assembly for consumers that want messages, not pieces (the message socket).
 *
 * The Connection reports data as it arrives, in pieces ({@link DataEvent}); this collects the
 * pieces of one message and hands the message out when its last piece arrives. A message that
 * arrived as one piece is handed out as that very view (no copy); one in several pieces is
 * copied once into a new array of its exact size. No `Buffer.concat`, no intermediate growth.
 */
import { MessageTooBigError } from "@netsockets/errors";
import type { DataEvent } from "./events.js";
import type { Allocate } from "./frame-serializer.js";

/** A complete message. */
export interface AssembledMessage {
  /** `true` for a binary message, `false` for text (UTF-8 bytes, already validated). */
  readonly binary: boolean;
  /** The message payload. */
  readonly data: Uint8Array;
}

/** Options of a {@link MessageAssembler}. */
export interface MessageAssemblerOptions {
  /** The largest message to assemble, in bytes. */
  readonly maxMessageSize: number;
  /**
   * Where a message of several pieces is joined; default `new Uint8Array(size)`. Node code may
   * pass the `allocate` of `nodeConnectionOptions` (`Buffer.allocUnsafeSlow`, no zero-filling):
   * the pieces fill every byte of the array before it is handed out. Must return a fresh array
   * of exactly `size` bytes.
   */
  readonly allocate?: Allocate;
}

/** Collects the pieces of a message; see the file header. */
export class MessageAssembler {
  readonly #maxMessageSize: number;
  readonly #allocate: Allocate | undefined;
  /** The pieces of the open message; one array for the assembler's life, emptied in place. */
  readonly #pieces: Uint8Array[] = [];
  #size = 0;
  #binary = false;

  constructor(options: MessageAssemblerOptions) {
    this.#maxMessageSize = options.maxMessageSize;
    this.#allocate = options.allocate;
  }

  /**
   * Adds a piece; returns the whole message on its last piece, else `undefined`. A piece that
   * starts a message drops whatever an unfinished earlier message left.
   *
   * @throws MessageTooBigError when the message grows past `maxMessageSize` (the Connection
   *   enforces its own limit first; this one matters only when it is lower). The caller then
   *   fails the connection with the error's `closeCode` (1009).
   */
  push(event: DataEvent): AssembledMessage | undefined {
    const pieces = this.#pieces;
    if (event.messageStarted) {
      pieces.length = 0;
      this.#size = 0;
      this.#binary = event.binary;
      if (event.messageFinished) {
        if (event.data.length > this.#maxMessageSize) this.#tooBig();
        return { binary: event.binary, data: event.data };
      }
    }
    const data = event.data;
    const size = this.#size + data.length;
    if (size > this.#maxMessageSize) this.#tooBig();
    this.#size = size;
    if (data.length !== 0) pieces.push(data);
    if (!event.messageFinished) return undefined;
    this.#size = 0;
    if (pieces.length === 1) {
      const only = pieces[0] as Uint8Array;
      pieces.length = 0;
      return { binary: this.#binary, data: only };
    }
    const allocate = this.#allocate;
    const whole = allocate === undefined ? new Uint8Array(size) : allocate(size);
    if (whole.length !== size) {
      throw new RangeError(`allocate(${size}) returned ${whole.length} bytes`);
    }
    let at = 0;
    for (const piece of pieces) {
      whole.set(piece, at);
      at += piece.length;
    }
    pieces.length = 0;
    return { binary: this.#binary, data: whole };
  }

  /** Drops a partly assembled message (the connection closed in the middle of it). */
  reset(): void {
    this.#pieces.length = 0;
    this.#size = 0;
  }

  #tooBig(): never {
    this.reset();
    throw new MessageTooBigError(this.#maxMessageSize);
  }
}
