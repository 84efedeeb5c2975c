/**
 * A netsockets listener bound for a test, for both socket kinds: `MessageWebSocketListener` and
 * `StreamWebSocketListener` have the same binding and `connectionreceived` API (both extend
 * `WebSocketListener` of @netsockets/node), so each package's test helpers wrap this one. Typed
 * structurally: support code imports no socket package.
 */

/** What a test needs of a listener that hands out `Socket`s. */
export interface TestListener<Socket> {
  addEventListener(type: "connectionreceived", listener: (args: { socket: Socket }) => void): void;
  bindEndpointAsync(host: string, service: number): Promise<void>;
  readonly information: { readonly localPort: number | null };
}

/** A bound listener on 127.0.0.1 and the sockets it accepted. */
export interface TestServer<Listener, Socket> {
  readonly listener: Listener;
  readonly url: string;
  readonly accepted: Socket[];
  /** Resolves with the next accepted socket. */
  nextSocket(): Promise<Socket>;
}

/**
 * Binds `listener` to 127.0.0.1:0. `setup` runs inside `connectionreceived` for each accepted
 * socket (the place to add its listeners), before `nextSocket()` resolves with it.
 */
export async function startTestServer<Listener extends TestListener<Socket>, Socket>(
  listener: Listener,
  setup: (socket: Socket) => void,
  scheme: "ws" | "wss",
): Promise<TestServer<Listener, Socket>> {
  const accepted: Socket[] = [];
  let waiters: ((socket: Socket) => void)[] = [];
  listener.addEventListener("connectionreceived", ({ socket }) => {
    accepted.push(socket);
    setup(socket);
    const current = waiters;
    waiters = [];
    for (const w of current) w(socket);
  });
  await listener.bindEndpointAsync("127.0.0.1", 0);
  return {
    listener,
    url: `${scheme}://127.0.0.1:${listener.information.localPort}/`,
    accepted,
    nextSocket: () => new Promise((resolve) => waiters.push(resolve)),
  };
}
