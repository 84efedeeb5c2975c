// The permessage-deflate example of README.md, verbatim between the region markers (checked
// below), compiled and run.

// #region deflate
import {
  createDriver,
  type DriverHandler,
  nodeConnectionOptions,
  openWebSocketTransport,
  PerMessageDeflate,
  parametersOfAnswer,
  perMessageDeflateNegotiator,
  UpgradeServer,
} from "@netsockets/node";
import { Connection } from "@netsockets/protocol";
import { expect, it } from "vitest";
import { expectMarkdownShowsRegion } from "../../../../tests/support/readme.js";

const maxMessageSize = 1 << 20; // also the most one message may inflate to

/** A server and a client that both want permessage-deflate; one compressed round trip. */
export async function compressedRoundTrip(text: string) {
  const server = new UpgradeServer({
    negotiateExtensions: perMessageDeflateNegotiator(), // without it, offers are declined
    onConnection: (upgrade) => {
      const parameters = parametersOfAnswer(upgrade.extensions); // null: not negotiated
      const extensions = parameters
        ? [new PerMessageDeflate("server", parameters, { maxMessageSize })]
        : [];
      const connection = new Connection(
        nodeConnectionOptions("server", { limits: { maxMessageSize }, extensions }),
      );
      const driver = upgrade.start(
        connection,
        {
          onData: (bytes) => void driver.sendText(Uint8Array.from(bytes)).catch(() => {}),
          onClose: () => {},
          onError: () => {},
        },
        { extensions }, // the driver close()s them (frees zlib) when the connection ends
      );
    },
  });
  const { port } = await server.listen({ host: "127.0.0.1", port: 0 });

  const transport = await openWebSocketTransport(`ws://127.0.0.1:${port}/`, {
    perMessageDeflate: {}, // offer it; a bad answer fails with HandshakeError
    proxy: false,
  });
  const parameters = transport.perMessageDeflate;
  const deflate = parameters && new PerMessageDeflate("client", parameters, { maxMessageSize });
  const extensions = deflate ? [deflate] : [];
  const replies: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const handler: DriverHandler = {
      onData: (bytes) => replies.push(new TextDecoder().decode(bytes)), // (one piece each here)
      onClose: () => resolve(),
      onError: reject,
    };
    const client = createDriver(
      transport.socket,
      new Connection(nodeConnectionOptions("client", { limits: { maxMessageSize }, extensions })),
      handler,
      { head: transport.head, extensions },
    );
    // 1024 bytes and more are compressed; this one would not be, whatever its size:
    void client.sendText(deflate ? deflate.doNotCompress(new TextEncoder().encode("secret")) : "");
    void client.sendText(text).then(() => client.close(1000));
  });
  const wireBytes = transport.socket.bytesRead;
  await server.close();
  return { parameters, replies, wireBytes };
}
// #endregion deflate

it("README: the permessage-deflate example is shown verbatim", () => {
  expectMarkdownShowsRegion(
    new URL("../../README.md", import.meta.url),
    new URL(import.meta.url),
    "deflate",
    "## permessage-deflate",
  );
});

it("README: the example negotiates, round-trips and compresses", async () => {
  const text = JSON.stringify(Array.from({ length: 2000 }, (_, i) => ({ id: i, ok: true })));
  const { parameters, replies, wireBytes } = await compressedRoundTrip(text);
  expect(parameters).toEqual({
    serverNoContextTakeover: false,
    clientNoContextTakeover: false,
    serverMaxWindowBits: 15,
    clientMaxWindowBits: 15,
  });
  expect(replies).toEqual(["secret", text]);
  expect(wireBytes).toBeLessThan(text.length / 4);
});
