// The transports the behaviour suite runs over: plain ws://, wss:// (certificates made at test
// time) and both through a real HTTP CONNECT proxy. Every transport also puts a TCP relay in
// front of the server, so a test can cut the connection (an abrupt loss, no close frame) on any
// of them.
import { once } from "node:events";
import * as net from "node:net";
import { makeCertificates, type TestCertificates } from "../../support/certs.js";
import { startProxy, type TestProxy } from "../../support/proxy.js";

/** How the client reaches the server. */
export interface Transport {
  readonly name: string;
  /** `true` for wss://. */
  readonly secure: boolean;
  /** Through the CONNECT proxy. */
  readonly proxied: boolean;
}

/** The transports of the suite. */
export const transports: readonly Transport[] = [
  { name: "plain ws://", secure: false, proxied: false },
  { name: "TLS wss://", secure: true, proxied: false },
  { name: "ws:// through a CONNECT proxy", secure: false, proxied: true },
  { name: "wss:// through a CONNECT proxy", secure: true, proxied: true },
];

/** What a suite needs from its environment, made once per test file. */
export interface Environment {
  readonly certs: TestCertificates;
  readonly proxy: TestProxy;
  close(): Promise<void>;
}

/** Makes the certificates and starts the proxy. */
export async function startEnvironment(): Promise<Environment> {
  const certs = await makeCertificates();
  const proxy = await startProxy();
  return { certs, proxy, close: () => proxy.close() };
}

/** A TCP relay in front of a server: `cut()` destroys every connection through it. */
export interface Relay {
  readonly port: number;
  /** Connections accepted so far. */
  readonly connections: number;
  cut(): void;
  close(): Promise<void>;
}

/** Starts a relay on 127.0.0.1:0 to `127.0.0.1:targetPort`. */
export async function startRelay(targetPort: number): Promise<Relay> {
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
  };
  const server = net.createServer((client) => {
    connections++;
    const upstream = net.connect(targetPort, "127.0.0.1");
    track(client);
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    port: (server.address() as net.AddressInfo).port,
    get connections() {
      return connections;
    },
    cut() {
      // resetAndDestroy sends a RST where it can; either way no close frame is exchanged.
      for (const socket of sockets) socket.resetAndDestroy();
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
