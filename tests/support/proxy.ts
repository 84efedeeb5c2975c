/**
 * A real HTTP CONNECT proxy on 127.0.0.1:0 (the `proxy` package), optionally demanding Basic
 * proxy authentication (407), compared in constant time.
 */
import { once } from "node:events";
import * as http from "node:http";
import type * as net from "node:net";
import { createProxy } from "proxy";
import { basicMatches } from "./servers.js";

/** A running test proxy. */
export interface TestProxy {
  readonly port: number;
  readonly url: string;
  /** The targets (`host:port`) of every CONNECT request, in order. */
  readonly connects: string[];
  /** The `Proxy-Authorization` header of every CONNECT request (undefined when absent). */
  readonly authorizations: (string | undefined)[];
  close(): Promise<void>;
}

/** Starts a CONNECT proxy; with `credential`, requests without matching Basic auth get a 407. */
export async function startProxy(credential?: {
  readonly userName: string;
  readonly password: string;
}): Promise<TestProxy> {
  const server = createProxy(http.createServer());
  const sockets = new Set<net.Socket>();
  server.on("connection", (socket: net.Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  const connects: string[] = [];
  const authorizations: (string | undefined)[] = [];
  server.on("connect", (req: http.IncomingMessage) => {
    connects.push(req.url ?? "");
    authorizations.push(req.headers["proxy-authorization"]);
  });
  if (credential !== undefined) {
    server.authenticate = (req) =>
      basicMatches(req.headers["proxy-authorization"], credential.userName, credential.password);
  }
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    connects,
    authorizations,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
