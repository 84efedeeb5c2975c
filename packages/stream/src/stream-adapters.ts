import { Duplex, type Readable, type Writable } from "node:stream";

/**
 * One Node `Duplex` from a readable and a writable side (the data package's `toReadable` /
 * `toWritable` over a socket's streams). Destroying the Duplex destroys both sides, which closes
 * the input stream and the WebSocket.
 */
export function duplexOf(readable: Readable, writable: Writable): Duplex {
  return Duplex.from({ readable, writable });
}
