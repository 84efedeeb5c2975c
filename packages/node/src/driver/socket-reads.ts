/**
 * Direct reads: the bytes of a client's plain TCP socket handed to their one consumer without
 * Node's readable-stream machinery.
 *
 * Theory of operation. A socket's `'data'` event costs, per read, a `Buffer` for the bytes, a
 * trip through `Readable.push` (state checks, `emit`, and a `process.nextTick` for
 * `maybeReadMore`). Node's `onread` option (`net.connect({ onread })`, Node ≥ 12) skips all of it:
 * libuv reads into a buffer we provide and calls us with the byte count. A socket opened with
 * {@link connectReadingDirectly} reads that way:
 *
 * ```text
 *  kernel ──read()──▶ buffer we gave ──callback (this = socket, nread)──▶ chunk ──▶ listener
 *                      │ the shared one: the chunk is an exact-size copy (pooled when small)
 *                      │ a dedicated one (after a large read): the chunk is a view of it, and
 *                      └ the next read gets a fresh one
 * ```
 *
 * - One 64 KiB buffer is shared by every direct socket of the process. That is safe because libuv
 *   reads into it and calls back synchronously, and the chunk the consumer gets is a copy: nothing
 *   refers to the shared buffer when the next read (of any socket) overwrites it. An idle socket
 *   holds no read buffer at all, as with Node's own reads.
 * - A read that filled more than a quarter of it is a transfer in progress: the next read goes
 *   into a buffer of its own, handed over without a copy when at least half of it was filled (else
 *   copied out, and the shared buffer is used again). Large messages are then copied once (socket
 *   to message), as with `'data'`.
 * - A consumer that gathers a large message can also name where the next read goes
 *   ({@link SocketFiller}): the unfilled rest of the message's own array, so the kernel copies
 *   the bytes straight into the message and no copy is made here at all. The read then stops at
 *   the message's end, and the consumer is told how many bytes arrived instead of getting a chunk.
 * - The consumer is one listener ({@link onSocketBytes}), called with `this` the socket, like a
 *   `'data'` listener; each chunk belongs to it. A read with no listener (between two consumers,
 *   e.g. the handshake's reader and the driver) is kept, and reading stops until a listener
 *   attaches and gets it (a promise job later, so it runs after the attaching code).
 * - Pausing is `socket.pause()` / `socket.resume()`, which stop and restart libuv's reads for such
 *   a socket. The end (`'end'`), errors and `'close'` are the socket's events as before.
 *
 * Only sockets this package creates read directly (a client's plain `ws://` connection without a
 * proxy or a `createConnection` of the caller's); every other socket keeps `'data'`, and the
 * helpers below fall back to it, so consumers need not know which kind they have.
 */
import { createConnection, type Socket, type TcpNetConnectOpts } from "node:net";

/** A consumer of a socket's bytes; each chunk belongs to it. */
export type SocketBytesListener = (this: Socket, chunk: Buffer) => void;

/**
 * A consumer that can take bytes read straight into its own memory (a message being gathered):
 * asked after each read of a direct socket where the next read may go, and told how many bytes
 * went there. `this` is the socket.
 */
export interface SocketFiller {
  /** Memory for the next read (all of it may be written), or `undefined` for an ordinary read. */
  region(this: Socket): Uint8Array | undefined;
  /** `count` bytes were read into the start of the region returned last. */
  filled(this: Socket, count: number): void;
}

/** The size of a read (Node's own reads suggest 64 KiB too). */
const READ_SIZE = 64 * 1024;
/** A read larger than this into the shared buffer gives the next read a buffer of its own. */
const LARGE_READ = READ_SIZE / 4;

const kListener = Symbol("netsockets.bytesListener");
const kStash = Symbol("netsockets.bytesStash");
const kFiller = Symbol("netsockets.bytesFiller");
const kRegion = Symbol("netsockets.bytesRegion");

interface DirectSocket extends Socket {
  [kListener]: SocketBytesListener | undefined;
  [kStash]: Buffer[] | undefined;
  [kFiller]: SocketFiller | undefined;
  /** The filler's region the next read goes into, once handed to Node. */
  [kRegion]: Uint8Array | undefined;
}

const RESOLVED: Promise<void> = Promise.resolve();

/** The read buffer every direct socket shares (made on the first direct socket). */
let shared: Buffer | undefined;
/**
 * The buffer for the read after the one being delivered: set by {@link onDirectRead} as its last
 * step, taken by {@link nextReadBuffer}, which Node calls right after it.
 */
let pendingNext: Uint8Array | undefined;

function sharedBuffer(): Buffer {
  shared ??= Buffer.allocUnsafeSlow(READ_SIZE);
  return shared;
}

/** Node's buffer generator: called once when the socket gets its handle and after every read. */
function nextReadBuffer(): Uint8Array {
  const next = pendingNext ?? sharedBuffer();
  pendingNext = undefined;
  return next;
}

/** An exact-size copy of the first `length` bytes of `source` (from Node's pool when small). */
function copyOut(source: Buffer, length: number): Buffer {
  const chunk = Buffer.allocUnsafe(length);
  source.copy(chunk, 0, 0, length);
  return chunk;
}

/** Node's read callback (`this` is the socket): hands the bytes over, picks the next buffer. */
function onDirectRead(this: DirectSocket, nread: number, buffer: Uint8Array): boolean {
  const region = this[kRegion];
  if (region !== undefined) {
    this[kRegion] = undefined;
    const filler = this[kFiller];
    if (buffer === region && filler !== undefined) {
      filler.filled.call(this, nread);
      pendingNext = regionFor(this);
      return true;
    }
  }
  let chunk: Buffer;
  let large = false;
  if (buffer === shared) {
    chunk = copyOut(shared, nread);
    large = nread > LARGE_READ;
  } else if (nread >= buffer.length >>> 1 && buffer !== region) {
    chunk = Buffer.from(buffer.buffer, buffer.byteOffset, nread);
    large = true;
  } else {
    chunk = Buffer.from(buffer.subarray(0, nread));
  }
  const listener = this[kListener];
  let keepReading = true;
  if (listener === undefined) {
    keep(this, [chunk]);
    keepReading = false;
  } else {
    listener.call(this, chunk);
  }
  // Last, so no code of the listener's runs between this and Node's call of nextReadBuffer().
  pendingNext = keepReading
    ? (regionFor(this) ?? (large ? Buffer.allocUnsafeSlow(READ_SIZE) : undefined))
    : undefined;
  return keepReading;
}

/** The filler's region for the next read, noted on the socket; `undefined` for none. */
function regionFor(socket: DirectSocket): Uint8Array | undefined {
  const region = socket[kFiller]?.region.call(socket);
  socket[kRegion] = region;
  return region;
}

/** Keeps chunks read while no listener was attached, after those kept before. */
function keep(socket: DirectSocket, chunks: Buffer[]): void {
  const stash = socket[kStash];
  if (stash === undefined) socket[kStash] = chunks;
  else stash.push(...chunks);
}

/** The `onread` option (shared by every direct socket: it keeps no state of its own). */
const DIRECT_READS = Object.freeze({ buffer: nextReadBuffer, callback: onDirectRead });

/**
 * `net.createConnection(options)` for a socket that reads directly: its bytes then come only
 * through {@link onSocketBytes}, never as `'data'` events.
 */
export function connectReadingDirectly(options: TcpNetConnectOpts): Socket {
  const socket = createConnection({ ...options, onread: DIRECT_READS }) as DirectSocket;
  socket[kListener] = undefined;
  socket[kStash] = undefined;
  socket[kFiller] = undefined;
  socket[kRegion] = undefined;
  return socket;
}

/** Whether `socket` reads directly (made by {@link connectReadingDirectly}). */
export function readsDirectly(socket: Socket): boolean {
  return kListener in socket;
}

/**
 * Makes `listener` the consumer of `socket`'s bytes: its `'data'` listener, or, for a socket
 * that reads directly, its one listener (replacing none; bytes read while there was none come
 * first, a promise job later, and reading restarts when the socket is resumed), with `filler`
 * (if given) asked where the next read may go.
 */
export function onSocketBytes(
  socket: Socket,
  listener: SocketBytesListener,
  filler?: SocketFiller,
): void {
  if (!readsDirectly(socket)) {
    socket.on("data", listener);
    return;
  }
  const direct = socket as DirectSocket;
  direct[kListener] = listener;
  direct[kFiller] = filler;
  if (direct[kStash] === undefined) return;
  RESOLVED.then(() => {
    const stash = direct[kStash];
    direct[kStash] = undefined;
    for (let i = 0; stash !== undefined && i < stash.length; i++) {
      const current = direct[kListener];
      if (current === undefined) {
        // Detached meanwhile: the rest waits for the next listener, before anything read later.
        keep(direct, stash.slice(i));
        return;
      }
      current.call(direct, stash[i] as Buffer);
    }
  });
}

/** Stops `listener` consuming `socket`'s bytes (the counterpart of {@link onSocketBytes}). */
export function offSocketBytes(socket: Socket, listener: SocketBytesListener): void {
  if (!readsDirectly(socket)) {
    socket.removeListener("data", listener);
    return;
  }
  const direct = socket as DirectSocket;
  if (direct[kListener] !== listener) return;
  direct[kListener] = undefined;
  direct[kFiller] = undefined;
}
