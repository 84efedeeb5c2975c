// Real-socket helpers for the permessage-deflate tests: our server with the negotiator hook and
// an echo application, and our client, both with PerMessageDeflate wired the way the socket
// packages do it (build from the negotiated parameters; the driver closes it when the connection has ended).
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
      const connection = new Connection(
        nodeConnectionOptions("server", {
          limits: { maxMessageSize },
          extensions: deflate === undefined ? [] : [deflate],
        }),
      );
      const driver = upgrade.start(
        connection,
        {
          onData(bytes, info) {
            const message = assembler.push({ type: "data", data: bytes, ...info });
            if (message === undefined || driver.state !== "open") return;
            const copy = Uint8Array.from(message.data);
            (message.binary ? driver.sendBinary(copy) : driver.sendText(copy)).catch(() => {});
          },
          onClose: (info) => closes.push(info),
          onError: (error) => closes.push(error),
        },
        // The driver close()s them (frees zlib) once the connection has ended.
        { extensions: deflate === undefined ? [] : [deflate] },
      );
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
  const connection = new Connection(
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
    { head: transport.head, extensions: deflate === undefined ? [] : [deflate] },
  );
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
