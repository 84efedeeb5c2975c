import type { LookupAddress } from "node:dns";
import { getEventListeners } from "node:events";
import * as net from "node:net";
import {
  HandshakeError,
  InvalidArgumentError,
  NetworkError,
  OperationCanceledError,
  TimeoutError,
  WebErrorStatus,
  WebSocketError,
} from "@netsockets/errors";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  clearProxyEnvironment,
  closed,
  refusingPort,
  respond,
  type SilentServer,
  startSilentServer,
  startWsServer,
  type WsTestServer,
} from "../../../../tests/support/servers.js";
import type { LookupFunction } from "../../src/connect/connect-options.js";
import { openWebSocketTransport } from "../../src/connect/open-websocket-transport.js";

clearProxyEnvironment();

/** A resolver that answers every name with `addresses` (never real DNS). */
function lookupTo(...addresses: string[]): LookupFunction & { calls: string[] } {
  const calls: string[] = [];
  const lookup = ((hostname, _options, callback) => {
    calls.push(hostname);
    const list: LookupAddress[] = addresses.map((address) => ({
      address,
      family: net.isIP(address),
    }));
    queueMicrotask(() => callback(null, list));
  }) as LookupFunction & { calls: string[] };
  lookup.calls = calls;
  return lookup;
}

/** A resolver that fails like getaddrinfo on an unknown name. */
const unresolvable: LookupFunction = (hostname, _options, callback) => {
  const error = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), {
    code: "ENOTFOUND",
    hostname,
  });
  queueMicrotask(() => callback(error, []));
};

/** Active timers of this process, to prove a failed connect leaves none behind. */
function timerCount(): number {
  return process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
}

/** The text of the first server frame ("hello", unmasked, FIN, text) read from a raw socket. */
async function firstFrame(head: Uint8Array, socket: net.Socket): Promise<Buffer> {
  let bytes = Buffer.from(head);
  socket.resume();
  while (bytes.length < 7) {
    const [chunk] = (await new Promise<Buffer[]>((resolve) =>
      socket.once("data", (c: Buffer) => resolve([c])),
    )) as [Buffer];
    bytes = Buffer.concat([bytes, chunk]);
  }
  return bytes.subarray(0, 7);
}

let ws: WsTestServer;
let silent: SilentServer;

beforeAll(async () => {
  ws = await startWsServer({
    ws: { handleProtocols: (protocols) => (protocols.has("chat") ? "chat" : false) },
    intercept: (request, socket) => {
      const status = /^\/status\/(\d{3})$/.exec(request.url ?? "")?.[1];
      if (status === undefined) return "upgrade";
      respond(socket, Number(status), { "x-reason": `status ${status}` }, "nope");
      return "handled";
    },
  });
  silent = await startSilentServer();
});

afterAll(async () => {
  await ws.close();
  await silent.close();
});

describe("URI validation", () => {
  it.each([
    ["http://127.0.0.1/", "scheme"],
    ["wss://127.0.0.1/#frag", "fragment"],
    ["ws://127.0.0.1/#", "empty fragment"],
    ["ws://user:pw@127.0.0.1/", "user information"],
    ["/relative", "relative"],
    ["ws://", "no host"],
    ["not a uri", "garbage"],
  ])("rejects %s (%s) with ERR_INVALID_URI", async (uri) => {
    const error = await openWebSocketTransport(uri, { lookup: lookupTo("127.0.0.1") }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error).toMatchObject({ code: "ERR_INVALID_URI", status: WebErrorStatus.unknown });
  });

  it("keeps path and query, sends Host without the default port, and resolves the name", async () => {
    const lookup = lookupTo("127.0.0.1");
    const transport = await openWebSocketTransport(`ws://Echo.Test:${ws.port}/a/b?x=1&y=%20`, {
      lookup,
    });
    transport.socket.destroy();
    const request = ws.requests.at(-1);
    expect(request?.url).toBe("/a/b?x=1&y=%20");
    expect(request?.headers.host).toBe(`echo.test:${ws.port}`);
    expect(lookup.calls).toEqual(["echo.test"]);
    expect(transport.uri.href).toBe(`ws://echo.test:${ws.port}/a/b?x=1&y=%20`);
  });

  it("connects to an IP literal without a lookup", async () => {
    const lookup = lookupTo("192.0.2.1");
    const transport = await openWebSocketTransport(`ws://127.0.0.1:${ws.port}/`, { lookup });
    transport.socket.destroy();
    expect(lookup.calls).toEqual([]);
    expect(transport.remoteAddress).toBe("127.0.0.1");
  });
});

describe("DNS and TCP", () => {
  it("fails an unresolvable name with hostNameNotResolved", async () => {
    const error = await openWebSocketTransport("ws://nowhere.invalid/", {
      lookup: unresolvable,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toMatchObject({
      code: "ERR_HOST_NOT_RESOLVED",
      status: WebErrorStatus.hostNameNotResolved,
    });
    expect((error as Error).cause).toMatchObject({ code: "ENOTFOUND" });
    expect(WebSocketError.getStatus(error)).toBe(WebErrorStatus.hostNameNotResolved);
  });

  it("fails a name with no addresses with hostNameNotResolved", async () => {
    const error = await openWebSocketTransport("ws://empty.test/", {
      lookup: lookupTo(),
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: WebErrorStatus.hostNameNotResolved });
  });

  it("times out a lookup that never answers after connectTimeoutMs", async () => {
    const timers = timerCount();
    const error = await openWebSocketTransport("ws://silent-dns.test/", {
      lookup: () => {},
      connectTimeoutMs: 50,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ status: WebErrorStatus.timeout });
    expect(timerCount()).toBeLessThanOrEqual(timers);
  });

  it("fails a refused connection with cannotConnect", async () => {
    const port = await refusingPort();
    const error = await openWebSocketTransport(`ws://127.0.0.1:${port}/`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toMatchObject({
      code: "ERR_CANNOT_CONNECT",
      status: WebErrorStatus.cannotConnect,
    });
    expect(WebSocketError.getStatus(error)).toBe(WebErrorStatus.cannotConnect);
    // The raw Node error maps to the same status.
    expect(WebSocketError.getStatus((error as Error).cause)).toBe(WebErrorStatus.cannotConnect);
  });

  it("tries 127.0.0.2 and 127.0.0.3 (refusing) and connects to 127.0.0.1, the third address", async () => {
    const attempts: string[] = [];
    const transport = await openWebSocketTransport(`ws://multi.test:${ws.port}/`, {
      lookup: lookupTo("127.0.0.2", "127.0.0.3", "127.0.0.1"),
      createConnection: (options) => {
        attempts.push(String((options as net.TcpNetConnectOpts).host));
        return net.createConnection(options);
      },
    });
    transport.socket.destroy();
    expect(attempts).toEqual(["127.0.0.2", "127.0.0.3", "127.0.0.1"]);
    expect(transport.remoteAddress).toBe("127.0.0.1");
  });

  it("tries at most 5 addresses", async () => {
    const attempts: string[] = [];
    const error = await openWebSocketTransport(`ws://many.test:${ws.port}/`, {
      lookup: lookupTo(
        "127.0.0.2",
        "127.0.0.3",
        "127.0.0.4",
        "127.0.0.5",
        "127.0.0.6",
        "127.0.0.1",
      ),
      createConnection: (options) => {
        attempts.push(String((options as net.TcpNetConnectOpts).host));
        return net.createConnection(options);
      },
    }).catch((e: unknown) => e);
    expect(attempts).toHaveLength(5);
    expect(attempts).not.toContain("127.0.0.1");
    expect(error).toMatchObject({ status: WebErrorStatus.cannotConnect });
  });

  it("sets noDelay by default (once the request is out) and honours noDelay: false", async () => {
    const seen: string[] = [];
    const spy = (options: net.NetConnectOpts): net.Socket => {
      const socket = net.createConnection(options);
      const setNoDelay = socket.setNoDelay.bind(socket);
      socket.setNoDelay = (noDelay?: boolean) => {
        seen.push(`noDelay ${noDelay ?? true}`);
        return setNoDelay(noDelay);
      };
      const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
      socket.write = ((...args: unknown[]) => {
        seen.push(`write ${String(args[0]).slice(0, 3)}`);
        return write(...args);
      }) as typeof socket.write;
      return socket;
    };
    for (const noDelay of [undefined, false]) {
      const transport = await openWebSocketTransport(`ws://127.0.0.1:${ws.port}/`, {
        createConnection: spy,
        ...(noDelay === undefined ? {} : { noDelay }),
      });
      transport.socket.destroy();
    }
    // A connection's first segment goes out at once whatever Nagle says; the request is written
    // first and Nagle is turned off while the server answers.
    expect(seen).toEqual(["write GET", "noDelay true", "write GET", "noDelay false"]);
  });

  it("times out a TCP connect that never completes, per attempt, and destroys the socket", async () => {
    const sockets: net.Socket[] = [];
    const timers = timerCount();
    const error = await openWebSocketTransport("ws://stuck.test/", {
      lookup: lookupTo("127.0.0.1", "127.0.0.2"),
      connectTimeoutMs: 50,
      // A socket that is never connected: what an unroutable address looks like, without one.
      createConnection: () => {
        const socket = new net.Socket();
        sockets.push(socket);
        return socket;
      },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ code: "ERR_TIMEOUT", status: WebErrorStatus.timeout });
    expect(sockets).toHaveLength(2);
    expect(sockets.every((s) => s.destroyed)).toBe(true);
    expect(timerCount()).toBeLessThanOrEqual(timers);
  });
});

describe("HTTP upgrade", () => {
  it("upgrades against a ws server: protocol, headers, and a usable socket", async () => {
    const transport = await openWebSocketTransport(`ws://127.0.0.1:${ws.port}/chat`, {
      supportedProtocols: ["other", "chat"],
      requestHeaders: { "x-custom": "yes" },
      origin: "https://app.example",
    });
    expect(transport.protocol).toBe("chat");
    expect(transport.extensions).toEqual([]);
    expect(transport.responseHeaders.upgrade).toBe("websocket");
    expect(transport.serverCertificate).toBeNull();
    expect(transport.serverCertificateErrors).toEqual([]);
    expect(transport.localAddress).toBe("127.0.0.1");
    expect(transport.localPort).toBeGreaterThan(0);
    const request = ws.requests.at(-1);
    expect(request?.headers["x-custom"]).toBe("yes");
    expect(request?.headers.origin).toBe("https://app.example");
    expect(request?.headers["sec-websocket-protocol"]).toBe("other, chat");
    // Nothing of ours (or of Node's HTTP client) is left listening on the socket.
    expect((transport.socket as net.Socket).eventNames()).toEqual(new net.Socket().eventNames());
    expect(transport.socket.readableFlowing).not.toBe(true); // nothing is read before the driver
    // The server greets with a text frame "hello": FIN+text, length 5, unmasked.
    const frame = await firstFrame(transport.head, transport.socket as net.Socket);
    expect(frame.toString("hex")).toBe(`8105${Buffer.from("hello").toString("hex")}`);
    transport.socket.destroy();
  });

  it("negotiates an offered extension", async () => {
    const server = await startWsServer({ ws: { perMessageDeflate: true } });
    try {
      const transport = await openWebSocketTransport(`ws://127.0.0.1:${server.port}/`, {
        extensions: "permessage-deflate; client_max_window_bits",
      });
      transport.socket.destroy();
      expect(transport.extensions.map((e) => e.name)).toEqual(["permessage-deflate"]);
    } finally {
      await server.close();
    }
  });

  it("refuses to set handshake headers by hand", async () => {
    for (const name of ["Sec-WebSocket-Key", "sec-websocket-extensions", "Upgrade", "Host"]) {
      const error = await openWebSocketTransport(`ws://127.0.0.1:${ws.port}/`, {
        requestHeaders: { [name]: "x" },
      }).catch((e: unknown) => e);
      expect(error, name).toBeInstanceOf(InvalidArgumentError);
    }
  });

  it.each([
    [404, WebErrorStatus.notFound],
    [500, WebErrorStatus.internalServerError],
    [403, WebErrorStatus.forbidden],
    [418, WebErrorStatus.unexpectedClientError],
    [302, WebErrorStatus.found],
    [200, WebErrorStatus.unexpectedStatusCode],
  ])("maps a %i answer to its status and keeps status and headers", async (code, status) => {
    const error = await openWebSocketTransport(`ws://127.0.0.1:${ws.port}/status/${code}`).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(HandshakeError);
    expect(error).toMatchObject({ code: "ERR_HANDSHAKE_BAD_STATUS", statusCode: code, status });
    expect((error as HandshakeError).headers["x-reason"]).toBe(`status ${code}`);
  });

  it("times out a server that accepts TCP but never answers, and closes the connection", async () => {
    const timers = timerCount();
    const pending = openWebSocketTransport(`ws://127.0.0.1:${silent.port}/`, {
      handshakeTimeoutMs: 100,
    }).catch((e: unknown) => e);
    const accepted = await silent.connections.next();
    const error = await pending;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ status: WebErrorStatus.timeout });
    await closed(accepted);
    expect(timerCount()).toBeLessThanOrEqual(timers);
  });
});

describe("cancellation", () => {
  it("cancels at the HTTP stage with operationCanceled and leaves nothing behind", async () => {
    const controller = new AbortController();
    const timers = timerCount();
    const pending = openWebSocketTransport(
      `ws://127.0.0.1:${silent.port}/`,
      {},
      { signal: controller.signal },
    ).catch((e: unknown) => e);
    const accepted = await silent.connections.next();
    controller.abort();
    const error = await pending;
    expect(error).toBeInstanceOf(OperationCanceledError);
    expect(error).toMatchObject({
      code: "ERR_OPERATION_CANCELED",
      status: WebErrorStatus.operationCanceled,
    });
    await closed(accepted);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
    expect(timerCount()).toBeLessThanOrEqual(timers);
  });

  it("reports timeout when the signal's reason is a TimeoutError (AbortSignal.timeout)", async () => {
    const signal = AbortSignal.timeout(100);
    const pending = openWebSocketTransport(`ws://127.0.0.1:${silent.port}/`, {}, { signal }).catch(
      (e: unknown) => e,
    );
    const accepted = await silent.connections.next();
    const error = await pending;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ status: WebErrorStatus.timeout });
    expect((error as Error).cause).toBe(signal.reason);
    await closed(accepted);
    expect(getEventListeners(signal, "abort")).toHaveLength(0);
  });

  it("cancels during DNS (a lookup that never answers)", async () => {
    const controller = new AbortController();
    let asked!: () => void;
    const lookupStarted = new Promise<void>((resolve) => {
      asked = resolve;
    });
    const pending = openWebSocketTransport(
      "ws://slow-dns.test/",
      { lookup: () => asked() },
      { signal: controller.signal },
    ).catch((e: unknown) => e);
    await lookupStarted;
    controller.abort();
    expect(await pending).toBeInstanceOf(OperationCanceledError);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });

  it("cancels during TCP connect and destroys the socket", async () => {
    const controller = new AbortController();
    const socket = new net.Socket();
    const pending = openWebSocketTransport(
      "ws://127.0.0.1/",
      {
        createConnection: () => {
          queueMicrotask(() => controller.abort());
          return socket;
        },
      },
      { signal: controller.signal },
    ).catch((e: unknown) => e);
    expect(await pending).toBeInstanceOf(OperationCanceledError);
    expect(socket.destroyed).toBe(true);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });

  it("rejects at once when the signal is already aborted", async () => {
    const lookup = lookupTo("127.0.0.1");
    const error = await openWebSocketTransport(
      `ws://x.test:${ws.port}/`,
      { lookup },
      { signal: AbortSignal.abort() },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OperationCanceledError);
    expect(lookup.calls).toEqual([]);
  });

  it("removes its abort listener after a successful connect", async () => {
    const controller = new AbortController();
    const transport = await openWebSocketTransport(
      `ws://127.0.0.1:${ws.port}/`,
      {},
      { signal: controller.signal },
    );
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
    controller.abort();
    expect(transport.socket.destroyed).toBe(false);
    transport.socket.destroy();
  });
});
