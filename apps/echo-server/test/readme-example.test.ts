// The "In code" example of README.md, verbatim between the region markers (the last test checks
// that), run with certificates made at test time and a client on each scheme.
import { MessageWebSocket, SocketMessageType } from "netsockets";
import { expect, it, vi } from "vitest";
import { makeAuthority } from "../../../tests/support/certs.js";
import { expectMarkdownShowsRegion } from "../../../tests/support/readme.js";
import { clearProxyEnvironment } from "../../../tests/support/servers.js";

// The example talks to 127.0.0.1: a proxy set in the machine's environment must not take it.
clearProxyEnvironment();

// #region readme
import { startEchoServer } from "@netsockets-apps/echo-server";

/** An echo server on `ws://` and `wss://`, each on a free port; `cert` and `key` are PEM. */
export async function startLocalEcho(cert: string, key: string) {
  const server = await startEchoServer({ port: 0, tls: { port: 0, cert, key } });
  console.log(server.url, server.tlsUrl); // ws://127.0.0.1:PORT/ wss://127.0.0.1:PORT/
  return server; // await server.close(): 1001 to every client, then the ports are free
}
// #endregion readme

/** Sends `text` and resolves with the echo, then closes the socket. */
async function echoOf(url: string, ca: string, text: string): Promise<string> {
  const socket = new MessageWebSocket({ ca });
  socket.control.messageType = SocketMessageType.utf8;
  const reply = new Promise<string>((resolve) => {
    socket.addEventListener("messagereceived", (args) => {
      const reader = args.getDataReader();
      resolve(reader.readString(reader.unconsumedBufferLength));
    });
  });
  await socket.connectAsync(url);
  await socket.sendAsync(text);
  const echoed = await reply;
  socket.close(1000, "done");
  return echoed;
}

it("serves ws:// and wss:// on free ports, prints both URLs and echoes on each", async () => {
  const authority = await makeAuthority("echo-server README CA");
  const issued = await authority.issue({ commonName: "localhost", ips: ["127.0.0.1"] });
  const logged = vi.spyOn(console, "log").mockImplementation(() => {});
  const server = await startLocalEcho(issued.cert, issued.key);
  const printed = [...logged.mock.calls];
  logged.mockRestore();
  try {
    expect(printed).toEqual([[server.url, server.tlsUrl]]);
    expect(server.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/$/);
    expect(server.tlsUrl).toMatch(/^wss:\/\/127\.0\.0\.1:\d+\/$/);
    expect(await echoOf(server.url, authority.cert, "plain")).toBe("plain");
    expect(await echoOf(server.tlsUrl as string, authority.cert, "secure")).toBe("secure");
  } finally {
    await server.close();
  }
  await expect(echoOf(server.url, authority.cert, "gone")).rejects.toMatchObject({
    code: "ERR_CANNOT_CONNECT",
  });
});

it("README.md shows this example verbatim", () => {
  expectMarkdownShowsRegion(
    new URL("../README.md", import.meta.url),
    new URL(import.meta.url),
    "readme",
    "## In code",
  );
});
