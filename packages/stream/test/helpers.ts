import { InputStreamOptions } from "@netsockets/data";
import {
  type TestServer as SharedTestServer,
  startTestServer,
} from "../../../tests/support/listeners.js";
import {
  StreamWebSocket,
  type StreamWebSocketControlOptions,
  StreamWebSocketListener,
  type StreamWebSocketListenerControlOptions,
} from "../src/index.js";

/** A bound listener on 127.0.0.1 and the sockets it accepted. */
export type TestServer = SharedTestServer<StreamWebSocketListener, StreamWebSocket>;

/**
 * Starts a listener on 127.0.0.1:0. `setup` runs inside `connectionreceived` for each accepted
 * socket.
 */
export async function startServer(
  setup: (socket: StreamWebSocket) => void = () => {},
  options: StreamWebSocketListenerControlOptions = {},
  scheme: "ws" | "wss" = "ws",
): Promise<TestServer> {
  return startTestServer<StreamWebSocketListener, StreamWebSocket>(
    new StreamWebSocketListener(options),
    setup,
    scheme,
  );
}

/** Echoes every byte read back to the peer (one message per read) until the end of the stream. */
export function echo(socket: StreamWebSocket): void {
  void (async () => {
    const buffer = new Uint8Array(64 * 1024);
    try {
      for (;;) {
        const bytes = await socket.inputStream.readAsync(
          buffer,
          buffer.length,
          InputStreamOptions.partial,
        );
        if (bytes.length === 0) break;
        await socket.outputStream.writeAsync(bytes.slice());
      }
      socket.close(1000, "echo done");
    } catch {
      // The connection ended: the test looks at the client's side.
    }
  })();
}

/** Connects a client to `url` with `options`. */
export async function connectClient(
  url: string,
  options: StreamWebSocketControlOptions = {},
): Promise<StreamWebSocket> {
  const socket = new StreamWebSocket({ proxy: false, ...options });
  await socket.connectAsync(url);
  return socket;
}

/** Reads until the end of the stream; resolves with the bytes (or rejects with the read error). */
export async function readAll(socket: StreamWebSocket, chunk = 64 * 1024): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let total = 0;
  const buffer = new Uint8Array(chunk);
  for (;;) {
    const bytes = await socket.inputStream.readAsync(buffer, chunk, InputStreamOptions.partial);
    if (bytes.length === 0) break;
    parts.push(bytes.slice());
    total += bytes.length;
  }
  const all = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    all.set(part, offset);
    offset += part.length;
  }
  return all;
}

/** Resolves with the first `closed` event's code and reason. */
export function closedOf(socket: StreamWebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => {
    socket.addEventListener("closed", ({ code, reason }) => resolve({ code, reason }));
  });
}

/** Deterministic pseudo-random bytes (xorshift32), so both ends can regenerate them. */
export function patternBytes(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed | 0 || 1;
  for (let i = 0; i < length; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x;
    out[i + 1] = x >>> 8;
    out[i + 2] = x >>> 16;
    out[i + 3] = x >>> 24;
  }
  return out;
}
