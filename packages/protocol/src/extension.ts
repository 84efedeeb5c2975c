/** Which RSV bits a frame carried, as the low three bits: RSV1 = 4, RSV2 = 2, RSV3 = 1. */
export type RsvBits = number;

/** What an extension learns about the data it decodes or encodes. */
export interface ExtensionFrameInfo {
  /** The RSV bits of the message's first frame (an extension marks a whole message there). */
  readonly rsv: RsvBits;
  /** `true` when this chunk ends the message. */
  readonly fin: boolean;
  /** `true` for a binary message, `false` for text. */
  readonly binary: boolean;
}

/**
 * A negotiated WebSocket extension (RFC 6455 §9), e.g. permessage-deflate.
 *
 * The Connection gives every data payload of a message whose first frame carried one of the
 * extension's `rsvBits` to `decode`, chunk by chunk, and the last chunk with `fin: true`.
 * `decode` may answer synchronously or with a Promise (zlib is asynchronous in Node); while a
 * decode is pending the Connection holds further input and emits nothing, so event order is
 * kept. UTF-8 validation and `maxMessageSize` apply to the decoded bytes.
 *
 * On the send side `encode` (when present) transforms a message's payload and says which RSV
 * bits to set on its first frame; it may also answer with a Promise.
 */
export interface Extension {
  /** The extension token, e.g. `"permessage-deflate"`. */
  readonly name: string;
  /** The RSV bits this extension claims (RSV1 = 4, RSV2 = 2, RSV3 = 1). */
  readonly rsvBits: RsvBits;
  /** Decodes a chunk of a marked message. Throwing or rejecting fails the connection (1002, or the error's close code). */
  decode(chunk: Uint8Array, info: ExtensionFrameInfo): Uint8Array | Promise<Uint8Array>;
  /**
   * Encodes a chunk of an outgoing message; returns the bytes to send and the RSV bits for the
   * message's first frame (0 to send it untransformed). Absent: messages go out as they are.
   */
  encode?(
    chunk: Uint8Array,
    info: { readonly fin: boolean; readonly binary: boolean; readonly first: boolean },
  ): { data: Uint8Array; rsv: RsvBits } | Promise<{ data: Uint8Array; rsv: RsvBits }>;
  /** Releases resources (zlib streams) when the connection ends. */
  close?(): void;
}
