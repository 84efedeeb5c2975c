/**
 * The demo's local echo server — the stand-in for the public echo service the reference samples
 * connect to (`wss://echo.websocket.org`): one `MessageWebSocketListener` on `ws://` and one on
 * `wss://`, each sending every message back with its type. A StreamWebSocket is served too: each
 * of its writes is one binary message, which comes back as bytes on its input stream.
 */
import { MessageWebSocketListener } from "netsockets";

/** The running echo server. */
export interface LocalEchoServer {
  /** `ws://127.0.0.1:PORT/` */
  readonly url: string;
  /** `wss://127.0.0.1:PORT/` */
  readonly tlsUrl: string;
  /** Graceful close: 1001 to every socket still open, then stop listening. */
  close(): Promise<void>;
}

/** A listener whose accepted sockets echo; `/missing` is refused with 404 (the error sample). */
function echoListener(): MessageWebSocketListener {
  const listener = new MessageWebSocketListener();
  listener.control.upgradeHook = (request) =>
    request.url === "/missing" ? { accept: false, status: 404 } : undefined;
  listener.addEventListener("connectionreceived", ({ socket }) => {
    // Added inside connectionreceived: no frame is read before this handler returns.
    socket.addEventListener("messagereceived", (args) => {
      let data: Uint8Array;
      try {
        const reader = args.getDataReader();
        data = reader.readBuffer(reader.unconsumedBufferLength);
      } catch {
        return; // a receive error: the socket is ending on its own
      }
      socket.sendAsync(data, { messageType: args.messageType }).catch(() => {});
    });
  });
  return listener;
}

/** Starts the echo server on 127.0.0.1, free ports, `wss://` with `certificate`. */
export async function startLocalEchoServer(certificate: {
  readonly cert: string;
  readonly key: string;
}): Promise<LocalEchoServer> {
  const plain = echoListener();
  const secure = echoListener();
  secure.control.serverCertificate = { cert: certificate.cert, key: certificate.key };
  try {
    await plain.bindEndpointAsync("127.0.0.1", "0");
    await secure.bindEndpointAsync("127.0.0.1", "0");
  } catch (error) {
    await Promise.all([plain.close({ timeoutMs: 0 }), secure.close({ timeoutMs: 0 })]);
    throw error;
  }
  return {
    url: `ws://127.0.0.1:${plain.information.localPort}/`,
    tlsUrl: `wss://127.0.0.1:${secure.information.localPort}/`,
    close: async () => {
      await Promise.all([plain.close(), secure.close()]);
    },
  };
}
