// The "Accepting upgrades" example of README.md, verbatim between the region markers
// (readme.test.ts checks that), run with a real client on each of its two ports.
import {
  createDriver,
  type DriverCloseInfo,
  nodeConnectionOptions,
  openWebSocketTransport,
} from "@netsockets/node";
import { Connection } from "@netsockets/protocol";
import { expect, it } from "vitest";
import { clearProxyEnvironment } from "../../../../tests/support/servers.js";

// The example talks to 127.0.0.1: a proxy set in the machine's environment must not take it.
clearProxyEnvironment();

// #region readme-upgrade-server
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { type AcceptedUpgrade, UpgradeServer } from "@netsockets/node";

/** One `UpgradeServer` on a port of its own and behind an existing HTTP server's `upgrade`. */
export async function serveUpgrades(onConnection: (upgrade: AcceptedUpgrade) => void) {
  const server = new UpgradeServer({ supportedProtocols: ["chat"], onConnection });
  const own = await server.listen({ host: "127.0.0.1", port: 0 }); // → { address, port }; 0 picks one

  const httpServer = createServer((_request, response) => response.end("plain HTTP\n"));
  httpServer.on("upgrade", (req, socket, head) => server.handleUpgrade(req, socket, head));
  await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));

  return {
    ports: [own.port, (httpServer.address() as AddressInfo).port],
    async close() {
      // 1001 to every connection of both ports; what is still open after 10 s is destroyed.
      await server.close({ code: 1001, timeoutMs: 10_000 });
      await new Promise((resolve) => httpServer.close(resolve));
    },
  };
}
// #endregion readme-upgrade-server

it("accepts upgrades on both ports, and closes both connections with 1001", async () => {
  const accepted: string[] = [];
  const served = await serveUpgrades((upgrade) => {
    accepted.push(upgrade.protocol ?? "none");
    upgrade.start(new Connection(nodeConnectionOptions("server")), {
      onData: () => {},
      onClose: () => {},
      onError: () => {},
    });
  });
  const clients = await Promise.all(
    served.ports.map(async (port) => {
      const transport = await openWebSocketTransport(`ws://127.0.0.1:${port}/`, {
        supportedProtocols: ["chat"],
        proxy: false,
      });
      const closed = new Promise<DriverCloseInfo>((resolve, reject) => {
        createDriver(
          transport.socket,
          new Connection(nodeConnectionOptions("client")),
          { onData: () => {}, onClose: resolve, onError: reject },
          { head: transport.head },
        );
      });
      return { protocol: transport.protocol, closed };
    }),
  );
  expect(clients.map((c) => c.protocol)).toEqual(["chat", "chat"]);
  expect(accepted).toEqual(["chat", "chat"]);

  // The HTTP server still answers plain requests.
  const response = await fetch(`http://127.0.0.1:${served.ports[1]}/`);
  expect(await response.text()).toBe("plain HTTP\n");

  await served.close();
  for (const client of clients) {
    expect(await client.closed).toMatchObject({ code: 1001, wasClean: true, closedBy: "remote" });
  }
});

it("serveUpgrades' close() stops the HTTP server too", async () => {
  const served = await serveUpgrades(() => {});
  await served.close();
  const port = served.ports[1] as number;
  await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow();
});
