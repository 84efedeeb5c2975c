// Real-socket helpers for the permessage-deflate tests: our server with the negotiator hook and
// an echo application, and our client, both with PerMessageDeflate wired the way the socket
// packages do it (build from the negotiated parameters, close when the driver is done).
import { Connection, MessageAssembler } from "@netsockets/protocol";
import {
  createDriver,
  type DeflateOfferOptions,
  type Driver,
  type DriverCloseInfo,
  nodeConnectionOptions,
  openWebSocketTransport,
  PerMessageDeflate,
  type PerMessageDeflateOptions,
  parametersOfAnswer,
  perMessageDeflateNegotiator,
  type UpgradedTransport,
  UpgradeServer,
} from "../../src/index.js";

/**
 * WORKAROUND for a driver bug (reported to node-core): `Driver.#pump` stops when `nextEvents()`
 * returns nothing, without looking at `connection.pending` — so when a chunk starts an
 * asynchronous decode and yields no event, nobody pumps again once it settles. This
 * Connection re-starts the pump (pause + resume, which pumps on a microtask) after such a
 * decode. Remove when the driver awaits `pending` after an empty batch.
 */
export class KickingConnection extends Connection {
  driver: Driver | undefined;
  #watching = false;
  override nextEvents() {
    const events = super.nextEvents();
    const pending = this.pending;
    if (events.length === 0 && pending !== undefined && !this.#watching) {
      this.#watching = true;
      pending.then(() => {
        this.#watching = false;
        const driver = this.driver;
        if (driver !== undefined && !driver.isPaused && driver.state !== "closed") {
          driver.pause();
          driver.resume();
        }
      });
    }
    return events;
  }
}

/** A message received whole. */
export interface Received {
  readonly binary: boolean;
  readonly data: Uint8Array;
}

/** Our echo server with permessage-deflate (the server's `maxMessageSize` applies to inflated bytes). */
export async function deflateEchoServer(
  options: {
    readonly negotiation?: DeflateOfferOptions;
    readonly deflate?: PerMessageDeflateOptions;
    readonly maxMessageSize?: number;
  } = {},
) {
  const maxMessageSize = options.maxMessageSize ?? 64 << 20;
  const extensions: PerMessageDeflate[] = [];
  const closes: (DriverCloseInfo | Error)[] = [];
  const server = new UpgradeServer({
    negotiateExtensions: perMessageDeflateNegotiator(options.negotiation),
    onConnection: (upgrade) => {
      const parameters = parametersOfAnswer(upgrade.extensions);
      const deflate =
        parameters === null
          ? undefined
          : new PerMessageDeflate("server", parameters, { maxMessageSize, ...options.deflate });
      if (deflate !== undefined) extensions.push(deflate);
      const assembler = new MessageAssembler({ maxMessageSize });
      const connection = new KickingConnection(
        nodeConnectionOptions("server", {
          limits: { maxMessageSize },
          extensions: deflate === undefined ? [] : [deflate],
        }),
      );
      const driver = upgrade.start(connection, {
        onData(bytes, info) {
          const message = assembler.push({ type: "data", data: bytes, ...info });
          if (message === undefined || driver.state !== "open") return;
          const copy = Uint8Array.from(message.data);
          (message.binary ? driver.sendBinary(copy) : driver.sendText(copy)).catch(() => {});
        },
        onClose: (info) => closes.push(info),
        onError: (error) => closes.push(error),
      });
      connection.driver = driver;
      driver.done.then(() => deflate?.close());
    },
  });
  const { port } = await server.listen({ host: "127.0.0.1", port: 0 });
  return { server, port, url: `ws://127.0.0.1:${port}/`, extensions, closes };
}

/** Our client with permessage-deflate offered; `next()` resolves with the next whole message. */
export async function deflateClient(
  url: string,
  options: {
    readonly offer?: DeflateOfferOptions | readonly DeflateOfferOptions[];
    readonly deflate?: PerMessageDeflateOptions;
    readonly maxMessageSize?: number;
  } = {},
) {
  const maxMessageSize = options.maxMessageSize ?? 64 << 20;
  const transport: UpgradedTransport = await openWebSocketTransport(url, {
    perMessageDeflate: options.offer ?? {},
    proxy: false,
  });
  const parameters = transport.perMessageDeflate;
  const deflate =
    parameters === null
      ? undefined
      : new PerMessageDeflate("client", parameters, { maxMessageSize, ...options.deflate });
  const assembler = new MessageAssembler({ maxMessageSize });
  const inbox: Received[] = [];
  const waiters: ((message: Received) => void)[] = [];
  let resolveEnd: (info: DriverCloseInfo | Error) => void = () => {};
  const ended = new Promise<DriverCloseInfo | Error>((resolve) => {
    resolveEnd = resolve;
  });
  const connection = new KickingConnection(
    nodeConnectionOptions("client", {
      limits: { maxMessageSize },
      extensions: deflate === undefined ? [] : [deflate],
    }),
  );
  const driver: Driver = createDriver(
    transport.socket,
    connection,
    {
      onData(bytes, info) {
        const message = assembler.push({ type: "data", data: bytes, ...info });
        if (message === undefined) return;
        const received = { binary: message.binary, data: Uint8Array.from(message.data) };
        const waiter = waiters.shift();
        if (waiter === undefined) inbox.push(received);
        else waiter(received);
      },
      onClose: (info) => resolveEnd(info),
      onError: (error) => resolveEnd(error),
    },
    { head: transport.head },
  );
  connection.driver = driver;
  driver.done.then(() => deflate?.close());
  const next = () =>
    new Promise<Received>((resolve) => {
      const message = inbox.shift();
      if (message === undefined) waiters.push(resolve);
      else resolve(message);
    });
  return { transport, driver, deflate, next, ended };
}

/** JSON text of about `size` bytes (compressible, like a real API payload). */
export function jsonOf(size: number, seed = 1): string {
  const items: unknown[] = [];
  let text = "";
  for (let i = 0; text.length < size; i++) {
    items.push({
      id: seed * 100_000 + i,
      name: `item ${i}`,
      price: (i * 37) % 1000,
      tags: ["a", "b"],
    });
    text = JSON.stringify(items);
  }
  return text.slice(0, size);
}
