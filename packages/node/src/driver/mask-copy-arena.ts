import { Socket } from "node:net";

/**
 * The smallest copy served from a region. Smaller ones (the serializer's slab takes frames of up
 * to 4 KiB, so only a few sizes just below this reach the arena) get their own allocation, and
 * the output queue need only look at pieces of at least this size.
 *
 * @internal
 */
export const MIN_VIEW = 4096;

/**
 * Memory for a client's masked copies of large payloads, recycled once the kernel has their
 * bytes.
 *
 * A client masks every payload into a copy (the caller's bytes are never changed). For a large
 * message that copy used to be a fresh `Buffer.allocUnsafeSlow` each time, and the allocation —
 * malloc, page faults, V8's external-memory accounting and the mark-compacts it starts — cost
 * more than the masking itself (one-way bulk of 64 KiB messages: client CPU ≈ 585 µs per MiB
 * with a fresh copy per message, ≈ 220 with one reused buffer).
 *
 * Theory of operation:
 *
 * - One region (1 MiB) per process hands out views by bumping an offset. A copy larger than
 *   {@link MaskCopyArena.maxView}, or smaller than {@link MIN_VIEW}, gets its own allocation as
 *   before.
 * - A masked copy only ever goes to the wire. The output queue of a plain TCP socket knows when
 *   the kernel has taken a write (a write that completed synchronously, or its callback), and
 *   then {@link MaskCopyArena.release}s the bytes of the region's views it wrote. When every
 *   byte handed out is released, the offset goes back to 0: the next copies reuse the memory
 *   while it is still in the cache.
 * - A view that is never released — its socket is a TLS socket or a custom stream (which may
 *   keep a written chunk), or the connection was lost with it queued — simply keeps the region
 *   from being reused: when the region is full it is dropped for a new one, and garbage
 *   collection frees it once nothing refers to its views. Memory is never handed out twice
 *   while anything may still read it.
 *
 * @internal
 */
export class MaskCopyArena {
  /** Where regions, and the copies not served from one, come from. */
  readonly #allocate: (size: number) => Uint8Array;
  /** Bytes per region. */
  readonly #size: number;
  /** The largest copy served from the region. */
  readonly maxView: number;
  #region: Uint8Array | undefined;
  #offset = 0;
  /** Bytes handed out from `#region` and not released yet. */
  #outstanding = 0;

  /**
   * @param allocate - Uninitialised memory of exactly `size` bytes (the driver's
   *   `Buffer.allocUnsafeSlow`): each region, and each copy not served from one. A region must
   *   be the only user of its `ArrayBuffer` (no pooled memory): a piece is known as the
   *   region's by that buffer.
   * @param size - Bytes per region (default 1 MiB).
   * @param maxView - The largest copy served from a region (default a quarter of `size`).
   */
  constructor(allocate: (size: number) => Uint8Array, size = 1 << 20, maxView = size >>> 2) {
    this.#allocate = allocate;
    this.#size = size;
    this.maxView = maxView;
  }

  /** The memory the views handed out now belong to (`undefined` before the first region). */
  get region(): ArrayBufferLike | undefined {
    return this.#region?.buffer;
  }

  /** `size` bytes for a masked copy (uninitialised: the masking writes every one). */
  readonly allocate = (size: number): Uint8Array => {
    if (size > this.maxView || size < MIN_VIEW) return this.#allocate(size);
    let region = this.#region;
    if (region === undefined || this.#offset + size > this.#size) {
      // Full with views still out (or none yet): a new region; the old one is left to the GC.
      region = this.#allocate(this.#size);
      this.#region = region;
      this.#offset = 0;
      this.#outstanding = 0;
    }
    const view = new Uint8Array(region.buffer, region.byteOffset + this.#offset, size);
    // 8-byte steps keep every view's start aligned.
    this.#offset += (size + 7) & ~7;
    this.#outstanding += size;
    return view;
  };

  /**
   * `bytes` of views of `region` are in the kernel: nothing reads them any more. Views of a
   * region that was dropped meanwhile are ignored.
   */
  release(region: ArrayBufferLike, bytes: number): void {
    if (region !== this.#region?.buffer) return;
    this.#outstanding -= bytes;
    if (this.#outstanding === 0) this.#offset = 0;
  }
}

/**
 * Whether `socket` is a plain `net.Socket` (not a subclass such as a TLS socket, nor another
 * stream): one whose write hands the bytes to the kernel, so that a write that completed — at
 * once or through its callback — no longer refers to its chunk and the chunk may be reused.
 *
 * @internal
 */
export function releasesWrittenChunks(socket: object): boolean {
  return Object.getPrototypeOf(socket) === Socket.prototype;
}
