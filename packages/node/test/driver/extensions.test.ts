import type { Socket } from "node:net";
import { ConnectionClosedError } from "@netsockets/errors";
import {
  Connection,
  type ConnectionEvent,
  type Extension,
  type ExtensionFrameInfo,
} from "@netsockets/protocol";
import { closePayload, decodeFrames, frame } from "@netsockets/protocol/testing";
import { afterEach, describe, expect, it } from "vitest";
import { type DriverConnection, nodeConnectionOptions, UpgradeServer } from "../../src/index.js";
import { connectClient, openTestTransport, Recorder, text, until } from "./harness.js";

// The driver's side of the extension contract (packages/protocol/src/extension.ts): frames an
// extension is still encoding when the connection closes go out before TCP ends, and every
// extension's `close()` runs once, after the connection has ended — the Connection itself never
// calls it, and permessage-deflate releases its zlib streams there.

const servers: UpgradeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close({ timeoutMs: 500 })));
});

/**
 * A small asynchronous extension on RSV1: every byte is flipped (XOR 0xff), each encode and
 * decode answering a turn of the event loop later, as zlib does. `hold` makes the next encodes
 * wait until `release()`.
 */
class FlipExtension implements Extension {
  readonly name = "x-flip";
  readonly rsvBits = 4;
  closeCalls = 0;
  /** Whether an encode or decode had not settled when `close()` ran. */
  closedWhileBusy = false;
  #busy = 0;
  #held: (() => void)[] = [];
  #holding = false;

  decode(chunk: Uint8Array, _info: ExtensionFrameInfo): Promise<Uint8Array> {
    return this.#later(() => flip(chunk));
  }

  encode(chunk: Uint8Array): Promise<{ data: Uint8Array; rsv: number }> {
    return this.#later(() => ({ data: flip(chunk), rsv: 4 }));
  }

  close(): void {
    this.closeCalls++;
    if (this.#busy > 0) this.closedWhileBusy = true;
  }

  /** Holds every later encode/decode until {@link FlipExtension.release}. */
  hold(): void {
    this.#holding = true;
  }

  release(): void {
    this.#holding = false;
    for (const go of this.#held.splice(0)) go();
  }

  get busy(): number {
    return this.#busy;
  }

  #later<T>(work: () => T): Promise<T> {
    this.#busy++;
    return new Promise<T>((resolve) => {
      const go = () =>
        setImmediate(() => {
          this.#busy--;
          resolve(work());
        });
      if (this.#holding) this.#held.push(go);
      else go();
    });
  }
}

function flip(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = (bytes[i] as number) ^ 0xff;
  return out;
}

/** A server whose connections run the driver with a FlipExtension, echoing every message. */
async function flipServer() {
  const accepted: { extension: FlipExtension; recorder: Recorder; done: Promise<void> }[] = [];
  const server = new UpgradeServer({
    onConnection: (upgrade) => {
      const extension = new FlipExtension();
      const recorder = new Recorder();
      const driver = upgrade.start(
        new Connection(nodeConnectionOptions("server", { extensions: [extension] })),
        recorder,
        { extensions: [extension] },
      );
      recorder.onMessage = (m) => {
        (m.binary ? driver.sendBinary(m.data) : driver.sendText(m.data)).catch(() => {});
      };
      accepted.push({ extension, recorder, done: driver.done });
    },
  });
  servers.push(server);
  const { port } = await server.listen({ host: "127.0.0.1", port: 0 });
  return { port, accepted };
}

async function flipClient(port: number) {
  const extension = new FlipExtension();
  const { driver, recorder, transport } = await connectClient(`ws://127.0.0.1:${port}`, {
    extensions: [extension],
  });
  return { driver, recorder, extension, socket: transport.socket };
}

describe("an asynchronous extension", () => {
  it("round-trips messages both ways: a decode that nextEvents() starts is awaited", async () => {
    const { port, accepted } = await flipServer();
    const client = await flipClient(port);
    await client.driver.sendText("hello");
    await client.driver.sendBinary(new Uint8Array([1, 2, 3]));
    await client.driver.sendText("é".repeat(1000), { fin: false });
    await client.driver.sendText("!");
    await client.recorder.received(3);
    expect(client.recorder.messages.map((m) => (m.binary ? [...m.data] : text(m.data)))).toEqual([
      "hello",
      [1, 2, 3],
      `${"é".repeat(1000)}!`,
    ]);
    expect(accepted[0]?.recorder.messages).toHaveLength(3);
  });
});

describe("extension close()", () => {
  it("runs once on both sides after a clean close, not before the connection ended", async () => {
    const { port, accepted } = await flipServer();
    const client = await flipClient(port);
    const atTerminal: number[] = [];
    await client.driver.sendText("hello");
    await client.recorder.received(1);
    const server = accepted[0];
    if (server === undefined) throw new Error("no server connection");
    const ended = client.recorder.ended.then((ending) => {
      atTerminal.push(client.extension.closeCalls);
      return ending;
    });
    client.driver.close(1000, "done");
    expect(await ended).toMatchObject({ kind: "close", info: { code: 1000, wasClean: true } });
    await Promise.all([client.driver.done, server.done]);
    expect(atTerminal).toEqual([0]);
    expect(client.extension.closeCalls).toBe(1);
    expect(server.extension.closeCalls).toBe(1);
    client.driver.abort();
    client.driver.close();
    expect(client.extension.closeCalls).toBe(1);
  });

  it("runs once after an abort, only when the encode in flight has settled", async () => {
    const { port, accepted } = await flipServer();
    const client = await flipClient(port);
    await until(() => accepted.length === 1);
    client.extension.hold();
    const sent = client.driver.sendText("never leaves");
    const sentOutcome = sent.then(
      () => "resolved",
      (error: unknown) => error,
    );
    expect(client.extension.busy).toBe(1);
    client.driver.abort();
    await until(() => client.socket.destroyed && client.extension.busy === 1);
    const closed = new Promise((resolve) => client.socket.once("close", resolve));
    if (!client.socket.closed) await closed;
    expect(client.extension.closeCalls).toBe(0);
    client.extension.release();
    await client.driver.done;
    expect(client.extension.closeCalls).toBe(1);
    expect(client.extension.closedWhileBusy).toBe(false);
    const outcome = await sentOutcome;
    expect(outcome).toBeInstanceOf(ConnectionClosedError);
    expect(outcome).toMatchObject({ code: "ERR_CONNECTION_ABORTED", closedBy: "local" });
    await accepted[0]?.done;
    expect(accepted[0]?.extension.closeCalls).toBe(1);
  });

  it("runs after a TCP loss too", async () => {
    const { port, accepted } = await flipServer();
    const client = await flipClient(port);
    await until(() => accepted.length === 1);
    client.socket.destroy();
    const server = accepted[0];
    expect((await server?.recorder.ended)?.kind).toBe("error");
    await server?.done;
    expect(server?.extension.closeCalls).toBe(1);
  });
});

/**
 * A Connection stand-in that reports an encode still running at its `close` event (which the
 * protocol contract allows: "An encode may still be pending after the `close` event"): the wire
 * bytes queued with that batch — the close echo — are held back until `release()`.
 */
class EncodingAtCloseConnection implements DriverConnection {
  readonly #inner = new Connection(nodeConnectionOptions("server"));
  #held: Promise<void> | undefined;
  #release: (() => void) | undefined;
  readonly role = "server" as const;

  get state() {
    return this.#inner.state;
  }
  get receivePending(): Promise<void> | undefined {
    return this.#inner.receivePending;
  }
  get sendPending(): Promise<void> | undefined {
    return this.#held ?? this.#inner.sendPending;
  }
  receiveData(bytes: Uint8Array): void {
    this.#inner.receiveData(bytes);
  }
  receiveEof(): void {
    this.#inner.receiveEof();
  }
  nextEvents(): ConnectionEvent[] {
    const events = this.#inner.nextEvents();
    if (events.some((e) => e.type === "close")) {
      this.#held = new Promise((resolve) => {
        this.#release = () => {
          this.#held = undefined;
          resolve();
        };
      });
    }
    return events;
  }
  dataToSend(): Uint8Array[] {
    return this.#held === undefined ? this.#inner.dataToSend() : [];
  }
  release(): void {
    this.#release?.();
  }
  sendText(data: string | Uint8Array, options?: { fin?: boolean }): void {
    this.#inner.sendText(data, options);
  }
  sendBinary(data: Uint8Array, options?: { fin?: boolean }): void {
    this.#inner.sendBinary(data, options);
  }
  sendPing(data?: Uint8Array): void {
    this.#inner.sendPing(data);
  }
  sendPong(data?: Uint8Array): void {
    this.#inner.sendPong(data);
  }
  sendClose(code?: number, reason?: string): void {
    this.#inner.sendClose(code, reason);
  }
  closeExpected(): boolean {
    return this.#inner.closeExpected();
  }
}

/** Everything a raw socket receives until the peer ends or closes it. */
function collectUntilEnd(socket: Socket): Promise<Uint8Array> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.on("error", () => {});
    const done = () => resolve(Buffer.concat(chunks));
    socket.once("end", done);
    socket.once("close", done);
  });
}

describe("an encode still running at the close event", () => {
  it("is awaited: its frames (here the close echo) go out before the server ends TCP", async () => {
    let connection: EncodingAtCloseConnection | undefined;
    const recorder = new Recorder();
    const server = new UpgradeServer({
      onConnection: (upgrade) => {
        connection = new EncodingAtCloseConnection();
        upgrade.start(connection, recorder);
      },
    });
    servers.push(server);
    const { port } = await server.listen({ host: "127.0.0.1", port: 0 });
    const { socket } = await openTestTransport(`ws://127.0.0.1:${port}`);
    const received = collectUntilEnd(socket);
    socket.write(frame(8, closePayload(1000, "bye"), { mask: true }));
    expect(await recorder.ended).toMatchObject({
      kind: "close",
      info: { code: 1000, wasClean: true, closedBy: "remote" },
    });
    // The driver has handled the close (a server ends TCP then); only now does the "encode" finish.
    connection?.release();
    const frames = decodeFrames(await received);
    expect(frames.map((f) => f.opcode)).toEqual([8]);
    socket.destroy();
  });
});

/** FlipExtension whose encodes alone wait for `release()`; decodes answer a turn later. */
class EncodeGateExtension implements Extension {
  readonly name = "x-gate";
  readonly rsvBits = 4;
  readonly #held: (() => void)[] = [];

  decode(chunk: Uint8Array): Promise<Uint8Array> {
    return new Promise((resolve) => setImmediate(() => resolve(flip(chunk))));
  }

  encode(chunk: Uint8Array): Promise<{ data: Uint8Array; rsv: number }> {
    return new Promise((resolve) => this.#held.push(() => resolve({ data: flip(chunk), rsv: 4 })));
  }

  get heldEncodes(): number {
    return this.#held.length;
  }

  /** Settles the oldest held encode. */
  releaseOne(): void {
    this.#held.shift()?.();
  }
}

describe("decodes and encodes overlap", () => {
  it("keeps decoding and dispatching while an answer is still encoding; the wire keeps call order", async () => {
    const extension = new EncodeGateExtension();
    const recorder = new Recorder();
    const server = new UpgradeServer({
      onConnection: (upgrade) => {
        const driver = upgrade.start(
          new Connection(nodeConnectionOptions("server", { extensions: [extension] })),
          recorder,
        );
        recorder.onMessage = (message) => {
          driver.sendText(message.data).catch(() => {});
        };
      },
    });
    servers.push(server);
    const { port } = await server.listen({ host: "127.0.0.1", port: 0 });
    const { socket } = await openTestTransport(`ws://127.0.0.1:${port}`);
    const chunks: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    const enc = new TextEncoder();
    socket.write(
      Buffer.concat([
        frame(1, flip(enc.encode("one")), { mask: true, rsv: 4 }),
        frame(1, flip(enc.encode("two")), { mask: true, rsv: 4 }),
        frame(9, enc.encode("p"), { mask: true }),
        frame(1, flip(enc.encode("three")), { mask: true, rsv: 4 }),
      ]),
    );
    // The first answer's encode never settles on its own, yet every message and the ping are
    // decoded and dispatched (a driver waiting for all extension work would stop at "one").
    await until(() => recorder.messages.length === 3);
    expect(recorder.messages.map((m) => text(m.data))).toEqual(["one", "two", "three"]);
    expect(recorder.pings.map(text)).toEqual(["p"]);
    expect(extension.heldEncodes).toBe(1); // later answers (and the pong) wait in call order
    expect(chunks).toEqual([]);
    // Each settled encode is flushed by the driver on its own, with what was held behind it.
    const wire = () => decodeFrames(Buffer.concat(chunks));
    extension.releaseOne();
    await until(() => wire().length === 1 && extension.heldEncodes === 1);
    extension.releaseOne();
    await until(() => wire().length === 3 && extension.heldEncodes === 1);
    extension.releaseOne();
    await until(() => wire().length === 4);
    expect(
      wire().map((f) => [f.opcode, f.rsv, text(f.rsv === 4 ? flip(f.payload) : f.payload)]),
    ).toEqual([
      [1, 4, "one"],
      [1, 4, "two"],
      [10, 0, "p"],
      [1, 4, "three"],
    ]);
    socket.destroy();
  });
});

describe("an encode that fails later", () => {
  it("closes with 1011 and reports the close without waiting for incoming data", async () => {
    const failing: Extension = {
      name: "x-failing",
      rsvBits: 4,
      decode: (chunk) => chunk,
      encode: () => new Promise((_, reject) => setImmediate(() => reject(new Error("zlib")))),
    };
    const recorder = new Recorder();
    const server = new UpgradeServer({
      onConnection: (upgrade) => {
        const driver = upgrade.start(
          new Connection(nodeConnectionOptions("server", { extensions: [failing] })),
          recorder,
        );
        driver.sendText("never encoded").catch(() => {});
      },
    });
    servers.push(server);
    const { port } = await server.listen({ host: "127.0.0.1", port: 0 });
    const { socket, head } = await openTestTransport(`ws://127.0.0.1:${port}`);
    const received = collectUntilEnd(socket);
    // Nothing is sent to the server: only the settled encode can prompt the driver.
    expect(await recorder.ended).toMatchObject({
      kind: "close",
      info: { code: 1011, wasClean: false, closedBy: "local" },
    });
    // The close frame may have come with the handshake response (`head`).
    const frames = decodeFrames(Buffer.concat([head, await received]));
    expect(frames.map((f) => [f.opcode, [...f.payload]])).toEqual([[8, [0x03, 0xf3]]]);
    socket.destroy();
  });
});
