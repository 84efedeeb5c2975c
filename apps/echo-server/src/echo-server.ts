/**
 * The echo server: a `MessageWebSocketListener` that sends every message back with its type
 * (text as text, binary as binary), on `ws://` and, with a certificate, `wss://`. It is the
 * local stand-in for the public echo service the reference samples connect to, the server under
 * test of the conformance suite, and the server the Autobahn `fuzzingclient` can drive.
 */
import {
  type MessageWebSocket,
  MessageWebSocketListener,
  type MessageWebSocketMessageReceivedEventArgs,
  MessageWebSocketReceiveMode,
} from "netsockets";

/** The limits raised for conformance runs: Autobahn sends messages of up to 16 MiB. */
export const ECHO_MAX_MESSAGE_SIZE = 64 * 1024 * 1024;
/** No fragment-count limit (Autobahn 9.3.1 sends 65,536 fragments). */
export const ECHO_MAX_FRAGMENTS = 0xffff_ffff;

/** The TLS side of the server. */
export interface EchoServerTls {
  /** Port for `wss://` (0 picks a free one). */
  readonly port: number;
  /** PEM certificate chain. */
  readonly cert: string | Uint8Array;
  /** PEM private key. */
  readonly key: string | Uint8Array;
}

/** Options of {@link startEchoServer}. */
export interface EchoServerOptions {
  /** Port for `ws://` (default 0: a free port). */
  readonly port?: number;
  /** Address to bind (default `127.0.0.1`). */
  readonly host?: string;
  /** Also serve `wss://` on another port. */
  readonly tls?: EchoServerTls;
  /** Subprotocols to accept (the first the client offers that is listed wins). */
  readonly supportedProtocols?: readonly string[];
  /**
   * Echo section by section (`partialMessage` receive mode, one frame per section) instead of
   * whole messages. Default `false`.
   */
  readonly partial?: boolean;
  /** Accept permessage-deflate (RFC 7692) when a client offers it. Default `false`. */
  readonly deflate?: boolean;
}

/** A running echo server. */
export interface EchoServer {
  /** `ws://HOST:PORT/` */
  readonly url: string;
  readonly port: number;
  /** `wss://HOST:PORT/` when TLS is on. */
  readonly tlsUrl: string | undefined;
  readonly tlsPort: number | undefined;
  /** Every socket accepted so far (open or closed). */
  readonly accepted: readonly MessageWebSocket[];
  /** Graceful close: 1001 to every open socket, then stop listening. */
  close(): Promise<void>;
}

/**
 * Makes `socket` an echo: each message (or, in partialMessage mode, each section) goes back with
 * the type it came with. The reply is handed to the connection inside the handler, so it leaves
 * before anything the peer sent later is processed (Autobahn 3.x/4.x: the echo of a valid
 * message comes before the close of a violation that follows it).
 */
export function echoMessages(socket: MessageWebSocket): void {
  const partial = socket.control.receiveMode === MessageWebSocketReceiveMode.partialMessage;
  socket.addEventListener("messagereceived", (args: MessageWebSocketMessageReceivedEventArgs) => {
    let data: Uint8Array;
    try {
      const reader = args.getDataReader();
      data = reader.readBuffer(reader.unconsumedBufferLength);
    } catch {
      // A receive error (connection lost, too big, invalid data): the socket is ending.
      return;
    }
    if (partial) {
      socket.control.messageType = args.messageType;
      const sent = args.isMessageComplete
        ? socket.sendFinalFrameAsync(data)
        : socket.sendNonfinalFrameAsync(data);
      sent.catch(() => {});
    } else {
      socket.sendAsync(data, { messageType: args.messageType }).catch(() => {});
    }
  });
}

function makeListener(options: EchoServerOptions): MessageWebSocketListener {
  const listener = new MessageWebSocketListener({
    maxMessageSize: ECHO_MAX_MESSAGE_SIZE,
    maxFragments: ECHO_MAX_FRAGMENTS,
    supportedProtocols: options.supportedProtocols ?? [],
    perMessageDeflate: options.deflate === true,
    receiveMode:
      options.partial === true
        ? MessageWebSocketReceiveMode.partialMessage
        : MessageWebSocketReceiveMode.fullMessage,
  });
  return listener;
}

const urlHost = (host: string) => (host.includes(":") ? `[${host}]` : host);

/**
 * Starts the echo server and resolves once it listens.
 *
 * @example
 * ```ts
 * const server = await startEchoServer({ port: 0 });
 * const socket = new MessageWebSocket();
 * await socket.connectAsync(server.url);
 * // … every message comes back …
 * await server.close();
 * ```
 */
export async function startEchoServer(options: EchoServerOptions = {}): Promise<EchoServer> {
  const host = options.host ?? "127.0.0.1";
  const accepted: MessageWebSocket[] = [];
  const listeners: MessageWebSocketListener[] = [];
  const serve = (listener: MessageWebSocketListener) => {
    listener.addEventListener("connectionreceived", ({ socket }) => {
      accepted.push(socket);
      echoMessages(socket);
    });
    listeners.push(listener);
  };

  const plain = makeListener(options);
  serve(plain);
  let tls: MessageWebSocketListener | undefined;
  try {
    await plain.bindEndpointAsync(host, options.port ?? 0);
    if (options.tls !== undefined) {
      tls = makeListener(options);
      tls.control.serverCertificate = { cert: options.tls.cert, key: options.tls.key };
      serve(tls);
      await tls.bindEndpointAsync(host, options.tls.port);
    }
  } catch (error) {
    await Promise.all(listeners.map((l) => l.close({ timeoutMs: 0 })));
    throw error;
  }
  const port = plain.information.localPort as number;
  const tlsPort = tls?.information.localPort ?? undefined;
  let closing: Promise<void> | undefined;
  return {
    url: `ws://${urlHost(host)}:${port}/`,
    port,
    tlsUrl: tlsPort === undefined ? undefined : `wss://${urlHost(host)}:${tlsPort}/`,
    tlsPort,
    accepted,
    close() {
      closing ??= Promise.all(listeners.map((l) => l.close())).then(() => undefined);
      return closing;
    },
  };
}
