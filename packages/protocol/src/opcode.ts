/**
 * The frame opcodes of RFC 6455 §5.2, as a frozen object, plus the two classifications the
 * frame parser needs.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-5.2
 */
export const Opcode = Object.freeze({
  /** A continuation of a fragmented text or binary message. */
  continuation: 0,
  /** The first (or only) frame of a text message. */
  text: 1,
  /** The first (or only) frame of a binary message. */
  binary: 2,
  /** A close frame. */
  close: 8,
  /** A ping frame. */
  ping: 9,
  /** A pong frame. */
  pong: 10,
} as const);

/** One of the values of {@link Opcode}. */
export type Opcode = (typeof Opcode)[keyof typeof Opcode];

/**
 * Whether `opcode` denotes a control frame: 0x8–0xF, the defined ones (close, ping, pong) and
 * the reserved ones alike.
 *
 * "Control frames are identified by opcodes where the most significant bit of the opcode is 1."
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-5.5
 */
export function isControlOpcode(opcode: number): boolean {
  return opcode >= 0x8 && opcode <= 0xf && Number.isInteger(opcode);
}

/**
 * Whether `opcode` is not one RFC 6455 defines: the reserved 0x3–0x7 and 0xB–0xF, and any value
 * that is not a 4-bit integer at all. A frame with a reserved opcode fails the connection (1002).
 *
 * "If an unknown opcode is received, the receiving endpoint MUST _Fail the WebSocket Connection_."
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-5.2
 */
export function isReservedOpcode(opcode: number): boolean {
  return !(
    opcode === 0 ||
    opcode === 1 ||
    opcode === 2 ||
    opcode === 8 ||
    opcode === 9 ||
    opcode === 10
  );
}
