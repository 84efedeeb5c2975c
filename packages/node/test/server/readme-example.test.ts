// The example of README.md, verbatim between the region markers (readme.test.ts checks that),
// followed by assertions on what its comments claim.
// #region readme
import {
  createDriver,
  type DriverCloseInfo,
  nodeConnectionOptions,
  openWebSocketTransport,
  UpgradeServer,
} from "@netsockets/node";
import { Connection, MessageAssembler } from "@netsockets/protocol";

/** An echo server on 127.0.0.1, one client round trip, then a graceful shutdown. */
export async function echoRoundTrip() {
  const server = new UpgradeServer({
    supportedProtocols: ["echo.v1"],
    onConnection: (upgrade) => {
      const messages = new MessageAssembler({ maxMessageSize: 1 << 20 });
      const driver = upgrade.start(new Connection(nodeConnectionOptions("server")), {
        onData(bytes, info) {
          const message = messages.push({ type: "data", data: bytes, ...info });
          if (message) driver.sendText(message.data).catch(() => {}); // resolves at the kernel
        },
        onClose: () => {},
        onError: () => {},
      });
    },
  });
  const { port } = await server.listen({ host: "127.0.0.1", port: 0 });

  const transport = await openWebSocketTransport(`ws://127.0.0.1:${port}/`, {
    supportedProtocols: ["echo.v1"],
    proxy: false,
  });
  let reply = "";
  const closed = new Promise<DriverCloseInfo>((resolve, reject) => {
    const client = createDriver(
      transport.socket,
      new Connection(nodeConnectionOptions("client")),
      {
        onData(bytes, info) {
          reply += new TextDecoder().decode(bytes); // (one piece per message here)
          if (info.messageFinished) client.close(1000, "thanks");
        },
        onClose: resolve, // the closing handshake completed
        onError: reject, // the connection was lost instead
      },
      { head: transport.head },
    );
    client.sendText("hello");
  });
  const close = await closed; // { code: 1000, wasClean: true, closedBy: "local", … }
  await server.close(); // 1001 to whoever is left, forced after 10 s
  return { protocol: transport.protocol, reply, close };
}

// #endregion readme

import { expect, it } from "vitest";

it("does what the README example says", async () => {
  expect(await echoRoundTrip()).toEqual({
    protocol: "echo.v1",
    reply: "hello",
    close: { code: 1000, reason: "", wasClean: true, closedBy: "local" },
  });
});
