import type { Socket } from "node:net";
import * as timers from "node:timers";
import { type MaskCopyArena, MIN_VIEW } from "./mask-copy-arena.js";

/**
 * The write path of the driver: wire bytes from the Connection go out in one corked write per
 * tick, and send promises resolve when their bytes were handed to the kernel.
 *
 * Theory of operation:
 *
 * ```
 *  Connection.dataToSend() ──push()──▶ [ queue ] ──flush (promise job, or release())──▶ one write
 *        queuedBytes ▲                               handedBytes ▲         │  (≤ 16 KiB joined; else one corked writev)
 *                    │                            taken at once (socket buffer empty after it),
 *                    │                            or else the write callback of the batch
 *  whenWritten(mark) ┘  resolves once writtenBytes ≥ mark  ◀──────────────── writtenBytes += batch
 * ```
 *
 * - Every byte gets a position in one monotonically growing count. A send's promise waits for
 *   the position just past its last byte (its "mark"), so promises resolve in order and never
 *   before their bytes left user space, whatever the batching.
 * - Pieces are handed to the socket only while fewer than `highWaterMark` bytes are in flight in
 *   the socket's own buffer (always at least one piece when none are). That makes
 *   `outboundBufferSizeInBytes` the point at which sends start to wait — Node has no SO_SNDBUF
 *   setter — and keeps the socket buffer bounded; the rest waits here, already framed.
 * - Flushing is deferred to a promise job — or, for what the driver's dispatch of a read
 *   produced (see {@link OutputQueue.hold}), to the end of that dispatch, or, while several
 *   connections answer reads in the same phases of the event loop, to the end of the I/O phase
 *   with all their answers (`deferAnswer`) — so that everything one tick produced (several
 *   sends, a pong, a close echo) leaves in one system call. A dispatch that produces more than
 *   `EARLY_FLUSH` bytes (a read of many pipelined requests) writes each such run as it is
 *   made, so the peer works on the first answers while the rest are still being made. Small pieces of a batch (frame headers, small
 *   payloads) are copied into one buffer first: a 64-byte echo is then one `write` of one buffer
 *   instead of a two-element `writev`, and 256 pipelined messages are one buffer instead of 512
 *   stream writes (each a buffered-write record in Node). Large pieces are never copied.
 * - A batch written while nothing else is in flight goes without a callback: if the socket's
 *   buffer is empty right after the write, the kernel took it all and the batch is settled at
 *   once (Node schedules nothing for such a write; a callback costs it a `process.nextTick` per
 *   write). If not, a zero-length write with a callback follows it and settles it once it is
 *   in the kernel. Batches written while one is in flight carry their own callback.
 * - With a {@link MaskCopyArena} (a client on a plain TCP socket), the bytes of the arena's views
 *   in a batch are released to it once the batch is in the kernel: at once for a batch taken at
 *   once, else in its write callback. Never earlier, so no masked copy is reused while the
 *   socket may still read it.
 * - Sends waiting in one flush share one promise ("group"): a tick of 256 sends allocates one
 *   promise and one resolver here, not 256. A group resolves once its furthest mark is written,
 *   so none resolves before its own bytes reached the kernel.
 */

/** While held, a flush starts once this many bytes wait (see {@link OutputQueue.push}). */
const EARLY_FLUSH = 8 * 1024;
/** Pieces below this size are coalesced into one buffer per run before writing. */
const SMALL_PIECE = 4096;
/** A batch up to this size is written as one buffer (a copy this small is cheaper than writev). */
const COALESCE_BATCH = 16 * 1024;

/** Sends waiting for the same flush. */
interface WaitGroup {
  /** Resolves the group once every byte before it was written. */
  mark: number;
  readonly promise: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

const RESOLVED: Promise<void> = Promise.resolve();
/** The zero-length write whose callback tells when the writes before it are in the kernel. */
const EMPTY = new Uint8Array(0);

type WriteCallback = (error: Error | null | undefined) => void;

/**
 * The settlers of the promise being made in {@link OutputQueue.whenWritten}: one executor for
 * every promise (an arrow function per call would be a closure and a context per message).
 */
let capturedResolve: (() => void) | undefined;
let capturedReject: ((error: unknown) => void) | undefined;
function captureSettlers(resolve: () => void, reject: (error: unknown) => void): void {
  capturedResolve = resolve;
  capturedReject = reject;
}
export class OutputQueue {
  readonly #socket: Socket;
  readonly #highWaterMark: number;
  readonly #onProgress: (written: number) => void;
  readonly #onBacklog: () => void;

  #pieces: (Uint8Array | undefined)[] = [];
  #head = 0;
  /**
   * The end of the queued pieces in `#pieces` (slots from here on are `undefined`). The arrays
   * of this class keep their capacity when they empty: `length = 0` or a new `[]` would make V8
   * allocate a new backing store at the next push, once per message on a request/response
   * connection.
   */
  #tail = 0;
  #queuedBytes = 0;
  #handedBytes = 0;
  #writtenBytes = 0;
  #flushScheduled = false;
  /** The I/O phase ({@link ioPhase}) in which this queue last answered a read. */
  #phase = -1;
  /** {@link OutputQueue.hold} depth; while above 0, a flush waits for the last release. */
  #held = 0;
  /** A flush was asked for while held. */
  #flushWanted = false;
  #unbounded = false;
  /** Groups in mark order; the last one is open (joinable) until the next flush starts. */
  #groups: (WaitGroup | undefined)[] = [];
  #groupHead = 0;
  #groupTail = 0;
  #groupOpen = false;
  /** Sizes of the batches handed to the socket whose write callback is still due. */
  readonly #batches: number[] = [];
  /** Where masked copies come from; `undefined` when this socket's writes release nothing. */
  readonly #arena: MaskCopyArena | undefined;
  /** Per batch in `#batches` (with an arena): the arena region its views came from… */
  readonly #batchRegions: (ArrayBufferLike | undefined)[] = [];
  /** …and their bytes, released when the batch's callback comes. */
  readonly #batchArenaBytes: number[] = [];
  #afterFlush: (() => void) | undefined;
  readonly #flushJob = (): void => {
    this.#flushScheduled = false;
    this.#flush();
  };
  /** Set by {@link OutputQueue.abandon}: what later sends reject with. */
  #abandoned: { readonly error: () => unknown } | undefined;

  /**
   * `onProgress(bytes)` runs after each completed write with the number of bytes the kernel took;
   * `onBacklog()` after a flush that left bytes the kernel has not taken yet (in the socket's
   * buffer, or held back here by the high-water mark) — not after one the kernel took at once.
   * `arena`: the masked-copy arena whose views this queue releases once written — only for a
   * socket that no longer refers to a chunk once its write completed (a plain `net.Socket`).
   */
  constructor(
    socket: Socket,
    highWaterMark: number,
    onProgress: (written: number) => void,
    onBacklog: () => void,
    arena?: MaskCopyArena,
  ) {
    this.#socket = socket;
    this.#highWaterMark = Math.max(1, highWaterMark);
    this.#onProgress = onProgress;
    this.#onBacklog = onBacklog;
    this.#arena = arena;
  }

  /** Bytes accepted but not yet handed to the kernel (queued here or in the socket's buffer). */
  get bufferedAmount(): number {
    return this.#queuedBytes - this.#writtenBytes;
  }

  /** Total bytes the kernel has taken. */
  get writtenBytes(): number {
    return this.#writtenBytes;
  }

  /** The high-water mark in bytes. */
  get highWaterMark(): number {
    return this.#highWaterMark;
  }

  /** Queues wire pieces (in order) and schedules a flush. Returns the mark past the last byte. */
  push(pieces: readonly Uint8Array[]): number {
    if (this.#abandoned !== undefined) {
      // The socket is gone: nothing more goes out (and nothing is kept); a mark no write can
      // reach makes `whenWritten` reject.
      return pieces.some((piece) => piece.byteLength > 0)
        ? Number.POSITIVE_INFINITY
        : this.#queuedBytes;
    }
    const queue = this.#pieces;
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i] as Uint8Array;
      if (piece.byteLength === 0) continue;
      queue[this.#tail++] = piece;
      this.#queuedBytes += piece.byteLength;
    }
    if (this.#head < this.#tail) {
      if (this.#held > 0 && this.#queuedBytes - this.#handedBytes >= EARLY_FLUSH) {
        // A long dispatch (a read of many requests) answers in writes of about this size
        // rather than one at the end: the peer starts on the first answers while the rest are
        // still being made, so both ends work at once instead of taking turns.
        this.#flushWanted = false;
        this.#flush();
      } else {
        this.#scheduleFlush();
      }
    }
    return this.#queuedBytes;
  }

  /** The mark past the last byte queued so far. */
  get mark(): number {
    return this.#queuedBytes;
  }

  /**
   * A promise that resolves once every byte before `mark` was handed to the kernel. Calls made
   * before the same flush may get the same promise.
   */
  whenWritten(mark: number): Promise<void> {
    if (mark <= this.#writtenBytes) return RESOLVED;
    // A send whose bytes came after the end (an extension finished encoding late) never waits.
    if (this.#abandoned !== undefined) return Promise.reject(this.#abandoned.error());
    const groups = this.#groups;
    const tail = this.#groupTail;
    if (this.#groupHead < tail) {
      const last = groups[tail - 1] as WaitGroup;
      if (this.#groupOpen) {
        if (mark > last.mark) last.mark = mark;
        return last.promise;
      }
      // Bytes queued before a flush that already started: the first group covering them.
      if (mark <= last.mark) {
        for (let i = this.#groupHead; i < tail; i++) {
          const group = groups[i] as WaitGroup;
          if (group.mark >= mark) return group.promise;
        }
      }
    }
    const promise = new Promise<void>(captureSettlers);
    groups[this.#groupTail++] = {
      mark,
      promise,
      resolve: capturedResolve as () => void,
      reject: capturedReject as (error: unknown) => void,
    };
    capturedResolve = undefined;
    capturedReject = undefined;
    this.#groupOpen = true;
    return promise;
  }

  /**
   * Hands everything queued to the socket regardless of the high-water mark and runs `then` once
   * the kernel has taken it all (immediately when nothing is pending). Used before ending TCP.
   */
  drainAll(then: () => void): void {
    this.#unbounded = true;
    if (this.bufferedAmount === 0) {
      then();
      return;
    }
    this.#afterFlush = then;
    this.#flush();
  }

  /**
   * Rejects every waiting send with `error()` and drops the queue (the socket is gone). The error
   * is made only when a send is there to reject: a clean close with nothing waiting builds none.
   */
  abandon(error: () => unknown): void {
    this.#abandoned ??= { error };
    const groups = this.#groups;
    for (let i = this.#groupHead; i < this.#groupTail; i++) groups[i]?.reject(error());
    this.#groups = [];
    this.#groupHead = 0;
    this.#groupTail = 0;
    this.#groupOpen = false;
    this.#pieces = [];
    this.#head = 0;
    this.#tail = 0;
    this.#afterFlush = undefined;
  }

  /**
   * Defers flushing until the matching {@link OutputQueue.release}: the driver holds the queue
   * while it dispatches a read's events, so what the handlers send in answer leaves in one write
   * when they are done — without a promise job per read — or, when they send more, in writes of
   * about `EARLY_FLUSH` bytes as they go.
   */
  hold(): void {
    this.#held++;
  }

  /**
   * Ends a {@link OutputQueue.hold}. The last release flushes what was queued meanwhile: at
   * once, or — while several connections answer reads in the same I/O phases — at the end of
   * the phase, with the answers of all of them (see {@link deferAnswer}).
   */
  release(): void {
    if (--this.#held > 0 || !this.#flushWanted) return;
    this.#flushWanted = false;
    // A flush already scheduled (before the hold) takes what was queued meanwhile too.
    if (this.#flushScheduled) return;
    if (this.#phase !== ioPhase.count) {
      this.#phase = ioPhase.count;
      ioPhase.released++;
    }
    if (!deferAnswer()) {
      this.#flush();
      return;
    }
    this.#flushScheduled = true;
    afterIo.push(this.#flushJob);
  }

  #scheduleFlush(): void {
    if (this.#held > 0) {
      this.#flushWanted = true;
      return;
    }
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    // A promise job, not queueMicrotask: Node wraps every queueMicrotask callback in an
    // AsyncResource (an object, a bound function and async-hook bookkeeping per call), and this
    // runs once per tick per busy connection.
    RESOLVED.then(this.#flushJob);
  }

  #flush(): void {
    this.#writeBatches();
    const socket = this.#socket;
    if (this.bufferedAmount > 0 && !socket.destroyed && !socket.writableEnded) this.#onBacklog();
  }

  /** Hands batches to the socket while the high-water mark allows (see {@link OutputQueue.#flush}). */
  #writeBatches(): void {
    const socket = this.#socket;
    const pieces = this.#pieces;
    for (;;) {
      if (socket.destroyed || socket.writableEnded) return;
      const start = this.#head;
      const inFlight = this.#handedBytes - this.#writtenBytes;
      const tail = this.#tail;
      let end = start;
      let bytes = 0;
      while (end < tail) {
        if (!this.#unbounded && inFlight + bytes >= this.#highWaterMark) break;
        bytes += (pieces[end] as Uint8Array).byteLength;
        end++;
      }
      if (end === start) return;
      const arena = this.#arena;
      const region = arena?.region;
      let arenaBytes = 0;
      if (region !== undefined) {
        // Arena views have at least MIN_VIEW bytes: only those pieces are looked at (and
        // `.buffer` of so large an array never has to be materialized).
        for (let i = start; i < end; i++) {
          const piece = pieces[i] as Uint8Array;
          if (piece.byteLength >= MIN_VIEW && piece.buffer === region) {
            arenaBytes += piece.byteLength;
          }
        }
      }
      // Sends from now on wait for a later flush.
      this.#groupOpen = false;
      this.#handedBytes += bytes;
      // With nothing of ours in flight and the socket's buffer empty, the batch is written
      // without a callback and checked right after: when the kernel took it all at once (the
      // usual case) it is settled here. A write callback costs Node a `process.nextTick`, an
      // object and two more calls per write; without one, a write that completes synchronously
      // schedules nothing (Writable `onwrite`).
      const direct = this.#batches.length === 0 && socket.writableLength === 0;
      const done = direct ? undefined : this.#writeDone;
      // Otherwise one callback per batch, in write order: the sizes wait here for it.
      if (!direct) this.#expectCallback(bytes, region, arenaBytes);
      if (end - start === 1) {
        write(socket, pieces[start] as Uint8Array, done);
      } else if (bytes <= COALESCE_BATCH) {
        write(socket, concat(pieces, start, end, bytes), done);
      } else {
        // One corked batch becomes one writev; the callback of the last write fires once the
        // whole batch is in the kernel. Runs of small pieces go in as one buffer each.
        socket.cork();
        let i = start;
        while (i < end) {
          const piece = pieces[i] as Uint8Array;
          let runEnd = i + 1;
          let runBytes = piece.byteLength;
          if (piece.byteLength < SMALL_PIECE) {
            while (runEnd < end && (pieces[runEnd] as Uint8Array).byteLength < SMALL_PIECE) {
              runBytes += (pieces[runEnd] as Uint8Array).byteLength;
              runEnd++;
            }
          }
          const chunk = runEnd - i === 1 ? piece : concat(pieces, i, runEnd, runBytes);
          write(socket, chunk, runEnd === end ? done : undefined);
          i = runEnd;
        }
        socket.uncork();
      }
      // The written pieces leave the queue (their bytes are the socket's now).
      for (let i = start; i < end; i++) pieces[i] = undefined;
      if (end === tail) {
        // Keep the array (its capacity serves the next tick) unless a burst made it large.
        if (pieces.length > 64) this.#pieces = [];
        this.#head = 0;
        this.#tail = 0;
      } else {
        this.#head = end;
      }
      if (!direct) return;
      if (socket.writableLength !== 0) {
        // Not all taken at once: a zero-length write queued behind the batch calls back once
        // the kernel has the batch (a stream's writes complete in order).
        if (socket.errored == null && !socket.destroyed) {
          this.#expectCallback(bytes, region, arenaBytes);
          socket.write(EMPTY, this.#writeDone);
        }
        return;
      }
      // A write that failed synchronously is not taken: its error reaches the socket (and the
      // driver) on the next tick, and the sends stay waiting until the driver rejects them.
      if (socket.errored != null) return;
      // Written: the kernel has the bytes and the socket keeps no reference to them.
      if (arenaBytes !== 0) (arena as MaskCopyArena).release(region as ArrayBufferLike, arenaBytes);
      // Settle, then go on with what the high-water mark held back (a loop, not the
      // recursion through #onWritten, however many batches the kernel takes at once).
      this.#settle(bytes);
      if (this.#head === this.#tail) {
        this.#runAfterFlush();
        return;
      }
    }
  }

  /**
   * The callback of each batch's last write. Node 20 calls the callback of a write in flight
   * with `null` once the socket is destroyed (stream_base_commons `onWriteComplete`: "if
   * (stream.destroyed) callback(null)"), also when closing cancelled it (ECANCELED after an
   * ECONNRESET). Only a callback on a live socket proves the kernel took the bytes; otherwise
   * the sends stay waiting and the driver rejects them with the loss.
   */
  readonly #writeDone = (error: Error | null | undefined): void => {
    const bytes = this.#batches.shift() as number;
    const written = error == null && !this.#socket.destroyed;
    if (this.#arena !== undefined) {
      const region = this.#batchRegions.shift();
      const arenaBytes = this.#batchArenaBytes.shift() as number;
      // Only a completed write frees its views; after a failure the socket may still hold them.
      if (written && arenaBytes !== 0) this.#arena.release(region as ArrayBufferLike, arenaBytes);
    }
    if (written) this.#onWritten(bytes);
  };

  /** Records a batch whose write callback ({@link OutputQueue.#writeDone}) is due. */
  #expectCallback(bytes: number, region: ArrayBufferLike | undefined, arenaBytes: number): void {
    this.#batches.push(bytes);
    if (this.#arena === undefined) return;
    this.#batchRegions.push(region);
    this.#batchArenaBytes.push(arenaBytes);
  }

  #onWritten(bytes: number): void {
    this.#settle(bytes);
    if (this.#head < this.#tail) this.#flush();
    else this.#runAfterFlush();
  }

  /** `bytes` more are in the kernel: resolves the groups they complete, reports progress. */
  #settle(bytes: number): void {
    this.#writtenBytes += bytes;
    const groups = this.#groups;
    while (this.#groupHead < this.#groupTail) {
      const group = groups[this.#groupHead] as WaitGroup;
      if (group.mark > this.#writtenBytes) break;
      groups[this.#groupHead] = undefined;
      this.#groupHead++;
      group.resolve();
    }
    if (this.#groupHead === this.#groupTail) {
      if (groups.length > 64) this.#groups = [];
      this.#groupHead = 0;
      this.#groupTail = 0;
      this.#groupOpen = false;
    }
    this.#onProgress(bytes);
  }

  /** Runs the {@link OutputQueue.drainAll} continuation once everything is written. */
  #runAfterFlush(): void {
    if (this.bufferedAmount === 0 && this.#afterFlush !== undefined) {
      const then = this.#afterFlush;
      this.#afterFlush = undefined;
      then();
    }
  }
}

/**
 * The event loop's I/O phases as the queues see them: `count` numbers the phase (it advances in
 * the check phase that ends it), `released` counts the queues that answered a read in it, and
 * `batching` is whether answers wait for the phase's end (see {@link deferAnswer}).
 */
const ioPhase = { count: 0, released: 0, batching: false, endScheduled: false };

/** The flushes {@link deferAnswer} let wait for the end of this I/O phase, in order. */
let afterIo: (() => void)[] = [];

/**
 * Node's `setImmediate` as this module found it. Fake timers (vitest's and sinon's replace the
 * global and the `timers` module's function) must not hold a connection's answers back: this is
 * I/O scheduling, not a timer the application controls — as Node's own sockets use theirs.
 */
const checkPhase: typeof setImmediate = timers.setImmediate;

/**
 * Whether the answer a queue has just made to a read waits for the end of this I/O phase (the
 * check phase, one `setImmediate` for all queues) rather than leaving at once.
 *
 * It waits while several connections answer reads in the same phases: then every read that was
 * ready is handled first and all the answers leave in one burst of writes, instead of one write
 * between each two reads. A server with many busy connections, and its peers, then wake up once
 * per burst rather than once per message — with 200 connections of request and answer over
 * loopback, measured: still one write per connection, less CPU per message at both ends and a
 * higher rate (bench/RESULTS.md, session 15). The same idea as uWebSockets' cork per loop iteration and
 * Netty's flush consolidation. With one connection answering per phase (a single busy
 * connection, however pipelined), there is nothing to gather and an answer leaves at once, as
 * before: a phase in which two or more queues answer turns waiting on (for the rest of it and
 * the next phase), a phase with one turns it off.
 */
function deferAnswer(): boolean {
  if (!ioPhase.endScheduled) {
    ioPhase.endScheduled = true;
    checkPhase(endIoPhase);
  }
  if (ioPhase.released > 1) ioPhase.batching = true;
  return ioPhase.batching;
}

/** The check phase after an I/O phase with answers: the waiting answers leave, in order. */
function endIoPhase(): void {
  ioPhase.endScheduled = false;
  ioPhase.batching = ioPhase.released > 1;
  ioPhase.released = 0;
  ioPhase.count++;
  const flushes = afterIo;
  afterIo = [];
  for (let i = 0; i < flushes.length; i++) {
    try {
      (flushes[i] as () => void)();
    } catch (error) {
      // One socket's failure must not keep the others' answers back; it still surfaces.
      process.nextTick(() => {
        throw error;
      });
    }
  }
}

/** `chunk` to the socket, with `callback` when there is one. */
function write(socket: Socket, chunk: Uint8Array, callback: WriteCallback | undefined): void {
  if (callback === undefined) socket.write(chunk);
  else socket.write(chunk, callback);
}

/** `pieces[start, end)` copied into one new buffer of `bytes` bytes. */
function concat(
  pieces: readonly (Uint8Array | undefined)[],
  start: number,
  end: number,
  bytes: number,
): Buffer {
  const out = Buffer.allocUnsafe(bytes);
  let offset = 0;
  for (let i = start; i < end; i++) {
    const piece = pieces[i] as Uint8Array;
    out.set(piece, offset);
    offset += piece.byteLength;
  }
  return out;
}
