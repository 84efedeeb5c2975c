/**
 * The receive buffer of the frame parser: a FIFO of byte chunks read without joining them.
 *
 * Theory of operation. The driver hands the Connection whatever the transport produced, in
 * chunks of any size. Joining them (`Buffer.concat`) would copy every byte at least once, so the
 * queue keeps a list of chunks and a read position in the first one, the way ws's Receiver does
 * (`consume(n)`). Reads come in two kinds:
 *
 * - {@link ByteQueue.take} hands out a view of up to `max` bytes of the first chunk: zero-copy,
 *   used for payload, which the parser passes on piece by piece;
 * - {@link ByteQueue.read} returns exactly `n` bytes: a view when they sit in one chunk, a fresh
 *   copy only when they span chunks (control payloads, at most 125 bytes);
 * - header fields (lengths, the masking key) are read as numbers or copied into the parser's own
 *   array ({@link ByteQueue.readUint16}, {@link ByteQueue.readUint32}, {@link ByteQueue.readInto}),
 *   so parsing a frame header allocates nothing.
 *
 * Memory is bounded by bytes, not by the number of chunks: a chunk shorter than
 * {@link SMALL_CHUNK} that arrives behind unread bytes is copied into a shared block (a fresh 16 KiB block when the last one is
 * full) instead of being kept as an object of its own, so a peer that dribbles one byte per TCP
 * segment costs one byte per byte, not a chunk object per byte (peers.md S11). Blocks are never
 * reused: views handed out earlier keep their bytes.
 *
 * Ownership: the queue keeps the chunks it is given and the parser unmasks payload in place, so a
 * chunk passed to {@link ByteQueue.push} belongs to the queue from then on.
 */

/** Chunks shorter than this are copied into a shared block rather than kept on their own. */
export const SMALL_CHUNK = 1024;

/** The size of a block that small chunks are copied into. */
const BLOCK_SIZE = 16 * 1024;

/** A FIFO of byte chunks with zero-copy reads. */
export class ByteQueue {
  /**
   * The chunks: `#chunks[#head]` is the first unread one, `#chunks[#tail - 1]` the last. Slots
   * outside that range hold `EMPTY`. The array keeps its capacity when it empties (setting
   * `length = 0` would make V8 drop its backing store, and the next push allocate a new one: once
   * per read on a connection that receives one message per read).
   */
  #chunks: Uint8Array[] = [];
  #head = 0;
  #tail = 0;
  /** The read position in `#chunks[#head]`. */
  #offset = 0;
  /** Unread bytes in all chunks. */
  #length = 0;
  /** The block small chunks are copied into, and how much of it is used. */
  #block: Uint8Array | undefined;
  #blockUsed = 0;
  /** Whether the last chunk in the list is a view of `#block` that may still grow. */
  #tailIsBlock = false;

  /** The number of unread bytes. */
  get length(): number {
    return this.#length;
  }

  /** How many unread bytes {@link ByteQueue.take} can hand out as one view (those of the first chunk). */
  get contiguous(): number {
    if (this.#head === this.#tail) return 0;
    return (this.#chunks[this.#head] as Uint8Array).length - this.#offset;
  }

  /** Appends `chunk`; the queue owns it from now on. */
  push(chunk: Uint8Array): void {
    const n = chunk.length;
    if (n === 0) return;
    const empty = this.#length === 0;
    this.#length += n;
    // A chunk that arrives on an empty queue is kept as it is, whatever its size: usually the
    // parser consumes it at once (one small message per read), and copying it would cost a
    // block per connection. Only small chunks that queue up behind unread bytes are copied,
    // which is what bounds a dribbling peer.
    if (n >= SMALL_CHUNK || empty) {
      this.#chunks[this.#tail++] = chunk;
      this.#tailIsBlock = false;
      return;
    }
    let block = this.#block;
    if (block === undefined || block.length - this.#blockUsed < n) {
      block = new Uint8Array(BLOCK_SIZE);
      this.#block = block;
      this.#blockUsed = 0;
      this.#tailIsBlock = false;
    }
    const start = this.#blockUsed;
    block.set(chunk, start);
    this.#blockUsed = start + n;
    const chunks = this.#chunks;
    if (this.#tailIsBlock) {
      // Grow the view that ends where this copy starts; its start (and so #offset) is unchanged.
      const last = this.#tail - 1;
      const tail = chunks[last] as Uint8Array;
      chunks[last] = block.subarray(tail.byteOffset - block.byteOffset, start + n);
    } else {
      chunks[this.#tail++] = block.subarray(start, start + n);
      this.#tailIsBlock = true;
    }
  }

  /** The byte `index` positions after the read position (`index < length`). */
  peek(index: number): number {
    let i = this.#head;
    let at = this.#offset + index;
    for (;;) {
      const chunk = this.#chunks[i] as Uint8Array;
      if (at < chunk.length) return chunk[at] as number;
      at -= chunk.length;
      i++;
    }
  }

  /**
   * Removes and returns exactly `n` bytes (`0 < n <= length`): a view into the first chunk when
   * they lie in it, else a new array.
   */
  read(n: number): Uint8Array {
    const chunk = this.#chunks[this.#head] as Uint8Array;
    const available = chunk.length - this.#offset;
    if (n <= available) return this.#advance(chunk, n, available);
    // The bytes span chunks: copy them once.
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const head = this.#chunks[this.#head] as Uint8Array;
      const piece = this.#advance(
        head,
        Math.min(n - filled, head.length - this.#offset),
        head.length - this.#offset,
      );
      out.set(piece, filled);
      filled += piece.length;
    }
    return out;
  }

  /** Removes and returns a view of up to `max` bytes (`max > 0`, `length > 0`) from the first chunk. */
  take(max: number): Uint8Array {
    const chunk = this.#chunks[this.#head] as Uint8Array;
    const available = chunk.length - this.#offset;
    return this.#advance(chunk, Math.min(max, available), available);
  }

  /** Removes `n` bytes (`0 < n <= length`) without returning them. */
  skip(n: number): void {
    let left = n;
    while (left > 0) {
      const head = this.#chunks[this.#head] as Uint8Array;
      const available = head.length - this.#offset;
      const step = Math.min(left, available);
      this.#consume(step, available);
      left -= step;
    }
  }

  /** Removes 2 bytes (`length >= 2`) and returns them as a big-endian number. */
  readUint16(): number {
    const chunk = this.#chunks[this.#head] as Uint8Array;
    const at = this.#offset;
    const value =
      at + 2 <= chunk.length
        ? ((chunk[at] as number) << 8) | (chunk[at + 1] as number)
        : (this.peek(0) << 8) | this.peek(1);
    this.skip(2);
    return value;
  }

  /** Removes 4 bytes (`length >= 4`) and returns them as a big-endian unsigned number. */
  readUint32(): number {
    const chunk = this.#chunks[this.#head] as Uint8Array;
    const at = this.#offset;
    const value =
      at + 4 <= chunk.length
        ? (((chunk[at] as number) << 24) |
            ((chunk[at + 1] as number) << 16) |
            ((chunk[at + 2] as number) << 8) |
            (chunk[at + 3] as number)) >>>
          0
        : ((this.peek(0) << 24) | (this.peek(1) << 16) | (this.peek(2) << 8) | this.peek(3)) >>> 0;
    this.skip(4);
    return value;
  }

  /** Removes `target.length` bytes (`<= length`) by copying them into `target`. */
  readInto(target: Uint8Array): void {
    const n = target.length;
    const chunk = this.#chunks[this.#head] as Uint8Array;
    const at = this.#offset;
    if (at + n <= chunk.length) {
      for (let i = 0; i < n; i++) target[i] = chunk[at + i] as number;
    } else {
      for (let i = 0; i < n; i++) target[i] = this.peek(i);
    }
    this.skip(n);
  }

  /** Drops every unread byte (after the connection closed). */
  clear(): void {
    this.#chunks = [];
    this.#head = 0;
    this.#tail = 0;
    this.#offset = 0;
    this.#length = 0;
    this.#block = undefined;
    this.#blockUsed = 0;
    this.#tailIsBlock = false;
  }

  /** Consumes `n` of the `available` unread bytes of the head chunk and returns them as a view. */
  #advance(chunk: Uint8Array, n: number, available: number): Uint8Array {
    const start = this.#offset;
    this.#consume(n, available);
    return start === 0 && n === chunk.length ? chunk : chunk.subarray(start, start + n);
  }

  /** Consumes `n` of the `available` unread bytes of the head chunk. */
  #consume(n: number, available: number): void {
    this.#length -= n;
    if (n < available) {
      this.#offset += n;
      return;
    }
    // The head chunk is used up: drop it.
    const chunks = this.#chunks;
    chunks[this.#head] = EMPTY;
    this.#head++;
    this.#offset = 0;
    if (this.#head === this.#tail) {
      this.#head = 0;
      this.#tail = 0;
      this.#tailIsBlock = false;
      // A burst that queued many chunks does not pin a large array for the connection's life.
      if (chunks.length > 64) this.#chunks = [];
    } else if (this.#head >= 64 && this.#head * 2 >= this.#tail) {
      // Compact now and then so the array does not grow with the number of chunks ever seen.
      const live = this.#tail - this.#head;
      chunks.copyWithin(0, this.#head, this.#tail);
      chunks.fill(EMPTY, live, this.#tail);
      this.#head = 0;
      this.#tail = live;
    }
  }
}

const EMPTY = new Uint8Array(0);
