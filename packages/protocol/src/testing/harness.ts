/**
 * Drivers for tests: run a Connection the way a real driver does (receive, then drain events
 * and dispatch them one batch at a time, then flush output), an echo application, a plain frame
 * decoder to assert what went on the wire, and a two-peer in-memory pair.
 */
import { Connection, type ConnectionOptions } from "../connection.js";
import type { ConnectionEvent } from "../events.js";
import { MessageAssembler } from "../message-assembler.js";
import { concatBytes } from "./bytes.js";

/** What the application does with each event; it may send on the connection. */
export type EventHandler = (event: ConnectionEvent, connection: Connection) => void;

/** One frame as it appeared on the wire, unmasked. */
export interface WireFrame {
  readonly opcode: number;
  readonly fin: boolean;
  readonly rsv: number;
  readonly masked: boolean;
  readonly payload: Uint8Array;
}

/**
 * Decodes a complete byte string of frames (no checks beyond the syntax; an incomplete tail
 * throws). Independent of the library's parser, so tests do not check the parser with itself.
 */
export function decodeFrames(bytes: Uint8Array): WireFrame[] {
  const frames: WireFrame[] = [];
  let at = 0;
  while (at < bytes.length) {
    const need = (n: number) => {
      if (at + n > bytes.length) throw new Error(`truncated frame at byte ${at}`);
    };
    need(2);
    const b0 = bytes[at] as number;
    const b1 = bytes[at + 1] as number;
    at += 2;
    let length = b1 & 0x7f;
    if (length === 126) {
      need(2);
      length = ((bytes[at] as number) << 8) | (bytes[at + 1] as number);
      at += 2;
    } else if (length === 127) {
      need(8);
      length = 0;
      for (let i = 0; i < 8; i++) length = length * 256 + (bytes[at + i] as number);
      at += 8;
    }
    const masked = (b1 & 0x80) !== 0;
    let key: Uint8Array | undefined;
    if (masked) {
      need(4);
      key = bytes.subarray(at, at + 4);
      at += 4;
    }
    need(length);
    const payload = bytes.slice(at, at + length);
    at += length;
    if (key !== undefined) {
      for (let i = 0; i < payload.length; i++) {
        payload[i] = (payload[i] as number) ^ (key[i & 3] as number);
      }
    }
    frames.push({ opcode: b0 & 0xf, fin: (b0 & 0x80) !== 0, rsv: (b0 >>> 4) & 7, masked, payload });
  }
  return frames;
}

/**
 * Drains the connection as a driver does: `nextEvents()` until it returns nothing, dispatching
 * every event to `handler` before asking for more. Returns the events. Stops early (without
 * waiting) when an extension operation is pending.
 */
export function pump(connection: Connection, handler?: EventHandler): ConnectionEvent[] {
  const all: ConnectionEvent[] = [];
  for (;;) {
    const events = connection.nextEvents();
    if (events.length === 0) return all;
    for (const event of events) {
      all.push(event);
      handler?.(event, connection);
    }
  }
}

/** What {@link drive} and {@link driveAsync} report. */
export interface DriveResult {
  /** Every event, in order. */
  readonly events: ConnectionEvent[];
  /** Everything the connection queued for the wire, joined. */
  readonly output: Uint8Array;
}

/** Options of {@link drive}. */
export interface DriveOptions {
  /** The application; default: none (events are only recorded). */
  readonly handler?: EventHandler;
  /** Call `receiveEof()` after the last chunk. */
  readonly eof?: boolean;
}

/**
 * Feeds `chunks` one by one, draining events after each as a real driver would, and collects
 * the output. Synchronous: for extensions that answer with Promises use {@link driveAsync}.
 */
export function drive(
  connection: Connection,
  chunks: readonly Uint8Array[],
  options: DriveOptions = {},
): DriveResult {
  const events: ConnectionEvent[] = [];
  const output: Uint8Array[] = [];
  const step = () => {
    events.push(...pump(connection, options.handler));
    output.push(...connection.dataToSend());
  };
  for (const chunk of chunks) {
    connection.receiveData(chunk);
    step();
  }
  if (options.eof === true) {
    connection.receiveEof();
    step();
  }
  return { events, output: concatBytes(output) };
}

/** {@link drive} for asynchronous extensions: awaits `pending` whenever it is set. */
export async function driveAsync(
  connection: Connection,
  chunks: readonly Uint8Array[],
  options: DriveOptions = {},
): Promise<DriveResult> {
  const events: ConnectionEvent[] = [];
  const output: Uint8Array[] = [];
  const step = async () => {
    for (;;) {
      events.push(...pump(connection, options.handler));
      output.push(...connection.dataToSend());
      const pending = connection.pending;
      if (pending === undefined) return;
      await pending;
    }
  };
  for (const chunk of chunks) {
    connection.receiveData(chunk);
    await step();
  }
  if (options.eof === true) {
    connection.receiveEof();
    await step();
  }
  return { events, output: concatBytes(output) };
}

/**
 * An echo application, as Autobahn's test agents are: every complete message goes back with the
 * same type; nothing is sent once the connection is closing.
 */
export function echoHandler(maxMessageSize = 0xffff_ffff): EventHandler {
  const assembler = new MessageAssembler({ maxMessageSize });
  return (event, connection) => {
    if (event.type !== "data") return;
    const message = assembler.push(event);
    if (message === undefined || connection.state !== "open") return;
    if (message.binary) connection.sendBinary(message.data);
    else connection.sendText(message.data);
  };
}

/** Two Connections wired back to back in memory. */
export interface ConnectionPair {
  readonly client: Connection;
  readonly server: Connection;
  /** Every event the client reported, in order. */
  readonly clientEvents: ConnectionEvent[];
  /** Every event the server reported, in order. */
  readonly serverEvents: ConnectionEvent[];
  /**
   * Moves bytes both ways and drains events until neither side has anything left to say.
   * Synchronous; extensions must answer synchronously here.
   */
  exchange(): void;
}

/** Options of {@link connectPair}. */
export interface ConnectPairOptions {
  readonly client?: Omit<ConnectionOptions, "role">;
  readonly server?: Omit<ConnectionOptions, "role">;
  readonly onClientEvent?: EventHandler;
  readonly onServerEvent?: EventHandler;
}

/** Builds a {@link ConnectionPair}: a client core and a server core talking in memory. */
export function connectPair(options: ConnectPairOptions = {}): ConnectionPair {
  const client = new Connection({ ...options.client, role: "client" });
  const server = new Connection({ ...options.server, role: "server" });
  const clientEvents: ConnectionEvent[] = [];
  const serverEvents: ConnectionEvent[] = [];
  const exchange = () => {
    for (let moved = true; moved; ) {
      moved = false;
      for (const bytes of client.dataToSend()) {
        server.receiveData(bytes);
        moved = true;
      }
      serverEvents.push(...pump(server, options.onServerEvent));
      for (const bytes of server.dataToSend()) {
        client.receiveData(bytes);
        moved = true;
      }
      clientEvents.push(...pump(client, options.onClientEvent));
    }
  };
  return { client, server, clientEvents, serverEvents, exchange };
}
