// StreamWebSocketListener: binding, the accept/refuse hook, an existing HTTP server, 503 without
// a connectionreceived listener, and the graceful close.
import { once } from "node:events";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { InputStreamOptions } from "@netsockets/data";
import {
  HandshakeError,
  InvalidArgumentError,
  WebErrorStatus,
  WebSocketError,
} from "@netsockets/errors";
import { describe, expect, it } from "vitest";
import { StreamWebSocket, StreamWebSocketListener } from "../src/index.js";
import { closedOf, readAll } from "./helpers.js";

const client = () => new StreamWebSocket({ proxy: false });

describe("StreamWebSocketListener", () => {
  it("binds with bindServiceNameAsync; information.localPort is the port", async () => {
    const listener = new StreamWebSocketListener();
    expect(listener.information.localPort).toBeNull();
    listener.onconnectionreceived = ({ socket }) => socket.close(1000);
    await listener.bindServiceNameAsync("0");
    const port = listener.information.localPort as number;
    expect(port).toBeGreaterThan(0);
    const socket = client();
    const closed = closedOf(socket);
    await socket.connectAsync(`ws://127.0.0.1:${port}/`);
    expect((await closed).code).toBe(1000);
    await listener.close();
    await expect(listener.bindServiceNameAsync(0)).rejects.toMatchObject({
      code: "ERR_OBJECT_CLOSED",
    });
    await expect(
      new StreamWebSocketListener().bindEndpointAsync("127.0.0.1", "http"),
    ).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it("refuses upgrades with the hook's status, and with 503 without a connectionreceived listener", async () => {
    const listener = new StreamWebSocketListener();
    await listener.bindEndpointAsync("127.0.0.1", 0);
    const url = `ws://127.0.0.1:${listener.information.localPort}/`;
    const unattended = await client()
      .connectAsync(url)
      .catch((e: unknown) => e);
    expect(unattended).toBeInstanceOf(HandshakeError);
    expect(WebSocketError.getStatus(unattended)).toBe(WebErrorStatus.serviceUnavailable);

    const accepted: string[] = [];
    listener.addEventListener("connectionreceived", ({ socket, request }) => {
      accepted.push(request.url);
      socket.close();
    });
    listener.control.upgradeHook = (request) =>
      request.url === "/files" ? undefined : { accept: false, status: 404 };
    const refused = await client()
      .connectAsync(`${url}other`)
      .catch((e: unknown) => e);
    expect(WebSocketError.getStatus(refused)).toBe(WebErrorStatus.notFound);
    const socket = client();
    await socket.connectAsync(`${url}files`);
    expect(accepted).toEqual(["/files"]);
    await listener.close();
  });

  it("takes upgrades from an existing http server with handleUpgrade", async () => {
    const listener = new StreamWebSocketListener();
    listener.addEventListener("connectionreceived", ({ socket }) => {
      void socket.outputStream.writeAsync(new Uint8Array([7, 7])).then(() => socket.close(1000));
    });
    const server = http.createServer((_req, res) => res.end("plain http"));
    server.on("upgrade", (req, socket, head) => listener.handleUpgrade(req, socket, head));
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    try {
      const socket = client();
      await socket.connectAsync(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      expect([...(await readAll(socket))]).toEqual([7, 7]);
    } finally {
      await listener.close();
      server.close();
    }
  });

  it("close() is graceful: open sockets get 1001, their readers see the end", async () => {
    const listener = new StreamWebSocketListener();
    const serverSide = new Promise<StreamWebSocket>((resolve) => {
      listener.addEventListener("connectionreceived", ({ socket }) => resolve(socket));
    });
    await listener.bindEndpointAsync("127.0.0.1", 0);
    const socket = client();
    const closed = closedOf(socket);
    await socket.connectAsync(`ws://127.0.0.1:${listener.information.localPort}/`);
    const peer = await serverSide;
    const peerClosed = closedOf(peer);
    await peer.outputStream.writeAsync(new Uint8Array([1]));
    await listener.close({ timeoutMs: 5000 });
    expect((await closed).code).toBe(1001);
    expect((await peerClosed).code).toBe(1001);
    expect([...(await readAll(socket))]).toEqual([1]);
    const end = await peer.inputStream.readAsync(new Uint8Array(1), 1, InputStreamOptions.partial);
    expect(end.length).toBe(0);
  });
});
