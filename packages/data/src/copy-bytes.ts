/**
 * A copy of `bytes[start, end)` as a plain `Uint8Array`.
 *
 * Why not `bytes.slice()`: on a Node `Buffer` (which is a `Uint8Array`, and what Node's sockets
 * and files hand out) `slice` returns a view of the same memory, not a copy, so a caller that
 * changes the "copy" would change the original. `%TypedArray%.prototype.slice` always copies.
 */
export function copyBytes(bytes: Uint8Array, start = 0, end = bytes.length): Uint8Array {
  const copy = Uint8Array.prototype.slice.call(bytes, start, end);
  // The copy of a Buffer is a Buffer; hand out the plain type either way.
  return copy.constructor === Uint8Array
    ? copy
    : new Uint8Array(copy.buffer, copy.byteOffset, copy.byteLength);
}
