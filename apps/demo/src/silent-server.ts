/**
 * Two local stand-ins for a broken network, so the cancellation and error samples never leave the
 * machine: a TCP listener that accepts and never answers (a connect hangs in the opening
 * handshake until it is cancelled), and a port where nothing listens (the connect is refused).
 */
import { createServer, type Server, type Socket } from "node:net";

/** A TCP listener that accepts connections and never sends a byte. */
export interface SilentServer {
  /** `ws://127.0.0.1:PORT/` */
  readonly url: string;
  /** Destroys the accepted connections and stops listening. */
  close(): Promise<void>;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve((server.address() as { port: number }).port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Starts a listener that accepts and never answers. */
export async function startSilentServer(): Promise<SilentServer> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => {}); // the client's abort may reset the connection
    socket.once("close", () => sockets.delete(socket));
  });
  const port = await listen(server);
  return {
    url: `ws://127.0.0.1:${port}/`,
    async close() {
      for (const socket of sockets) socket.destroy();
      await closeServer(server);
    },
  };
}

/** A `ws://` URL of a loopback port nobody listens on (bound, then closed again). */
export async function refusingUrl(): Promise<string> {
  const server = createServer();
  const port = await listen(server);
  await closeServer(server);
  return `ws://127.0.0.1:${port}/`;
}
