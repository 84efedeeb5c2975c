import { once } from "node:events";
import * as net from "node:net";
import { InvalidArgumentError } from "@netsockets/errors";
import { buildClientRequestHeaders, computeAcceptKey } from "@netsockets/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { clearProxyEnvironment } from "../../../../tests/support/servers.js";
import { formatRequestHead } from "../../src/connect/http-head.js";
import { openWebSocketTransport } from "../../src/connect/open-websocket-transport.js";
import { PasswordCredential } from "../../src/index.js";

clearProxyEnvironment();

// Exactly one Host line on the wire, whatever path the request took (direct, after a 401, after
// a redirect, through a CONNECT tunnel): RFC 9112 §3.2 "A server MUST respond with a 400 (Bad
// Request) status code to any HTTP/1.1 request message that lacks a Host header field and to
// any request message that contains more than one Host header field line". The raw bytes are
// read at a raw TCP server, so nothing parses them for us first.

/** Answers one request head on `socket`; `heads` holds every head received so far. */
type Answer = (head: string, socket: net.Socket) => void;

const servers: net.Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
  );
});

/** A raw TCP server that records every request head (several per socket through a tunnel). */
async function rawServer(answer: Answer) {
  const heads: string[] = [];
  let connections = 0;
  const server = net.createServer((socket) => {
    connections++;
    socket.on("error", () => {});
    let buffered = "";
    socket.on("data", (chunk: Buffer) => {
      buffered += chunk.toString("latin1");
      for (;;) {
        const end = buffered.indexOf("\r\n\r\n");
        if (end < 0) return;
        const head = buffered.slice(0, end + 4);
        buffered = buffered.slice(end + 4);
        heads.push(head);
        answer(head, socket);
      }
    });
  });
  servers.push(server);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as net.AddressInfo;
  return { port, heads, connections: () => connections };
}

function switchingProtocols(head: string): string {
  const key = /^sec-websocket-key: *(\S+)/im.exec(head)?.[1] ?? "";
  return `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${computeAcceptKey(key)}\r\n\r\n`;
}

/** The values of every Host line of a raw head (any case, any spacing). */
function hostLines(head: string): string[] {
  return head
    .split("\r\n")
    .flatMap((line) => /^host[ \t]*:[ \t]*(.*?)[ \t]*$/i.exec(line)?.slice(1, 2) ?? []);
}

const lookupLocalhost = (
  _hostname: string,
  _options: unknown,
  callback: (error: null, addresses: { address: string; family: number }[]) => void,
) => callback(null, [{ address: "127.0.0.1", family: 4 }]);

describe("the plain upgrade request", () => {
  it("is the same text the general path formats (what connectAsync sends without options)", async () => {
    const raw = await rawServer((head, socket) => socket.write(switchingProtocols(head)));
    // As a socket's connectAsync passes them: no subprotocols, no user headers.
    const transport = await openWebSocketTransport(`ws://127.0.0.1:${raw.port}/chat?x=1`, {
      requestHeaders: {},
      supportedProtocols: [],
      proxy: false,
    });
    transport.socket.destroy();
    const head = raw.heads[0] as string;
    const key = /^sec-websocket-key: (\S+)\r$/m.exec(head)?.[1] as string;
    expect(key).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(head).toBe(
      formatRequestHead("GET", "/chat?x=1", {
        host: `127.0.0.1:${raw.port}`,
        ...buildClientRequestHeaders({ key, headers: {} }),
      }),
    );
    // RFC 6455 §4.1: "The nonce MUST be selected randomly for each connection."
    const keys = new Set([key]);
    for (let i = 0; i < 3; i++) {
      const again = await openWebSocketTransport(`ws://127.0.0.1:${raw.port}/`, { proxy: false });
      again.socket.destroy();
      keys.add(/^sec-websocket-key: (\S+)\r$/m.exec(raw.heads[i + 1] as string)?.[1] as string);
    }
    expect(keys.size).toBe(4);
  });
});

describe("the Host header of the upgrade request", () => {
  it("is sent exactly once, from the URI, next to other user headers", async () => {
    const raw = await rawServer((head, socket) => socket.write(switchingProtocols(head)));
    const transport = await openWebSocketTransport(`ws://127.0.0.1:${raw.port}/chat?x=1`, {
      requestHeaders: { "X-Trace": "1", authorization: "Bearer t", Cookie: "a=b" },
      origin: "http://app.example",
      proxy: false,
    });
    transport.socket.destroy();
    expect(raw.heads).toHaveLength(1);
    expect(raw.heads[0]).toMatch(/^GET \/chat\?x=1 HTTP\/1\.1\r\n/);
    expect(hostLines(raw.heads[0] as string)).toEqual([`127.0.0.1:${raw.port}`]);
  });

  it.each(["Host", "host", "HOST", "hOsT"])(
    "a user %s header is refused with ERR_INVALID_ARGUMENT before any connection",
    async (name) => {
      const raw = await rawServer((head, socket) => socket.write(switchingProtocols(head)));
      const error = await openWebSocketTransport(`ws://127.0.0.1:${raw.port}/`, {
        requestHeaders: { [name]: "virtual.example" },
        proxy: false,
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect(error).toMatchObject({ code: "ERR_INVALID_ARGUMENT" });
      expect(raw.connections()).toBe(0);
    },
  );

  it("is sent exactly once on the retry after a 401 and after a redirect to another host", async () => {
    const target = await rawServer((head, socket) => socket.write(switchingProtocols(head)));
    const redirector = await rawServer((head, socket) => {
      if (!/^authorization:/im.test(head)) {
        socket.end(
          'HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm="r"\r\nContent-Length: 0\r\n\r\n',
        );
      } else {
        socket.end(
          `HTTP/1.1 301 Moved\r\nLocation: ws://localhost:${target.port}/there\r\nContent-Length: 0\r\n\r\n`,
        );
      }
    });
    const transport = await openWebSocketTransport(`ws://127.0.0.1:${redirector.port}/here`, {
      followRedirects: 1,
      serverCredential: new PasswordCredential("", "user", "pass"),
      lookup: lookupLocalhost,
      proxy: false,
    });
    transport.socket.destroy();
    expect(redirector.heads.map(hostLines)).toEqual([
      [`127.0.0.1:${redirector.port}`],
      [`127.0.0.1:${redirector.port}`],
    ]);
    expect(target.heads.map(hostLines)).toEqual([[`localhost:${target.port}`]]);
  });

  it("is sent exactly once in the CONNECT request and once in the tunnelled upgrade", async () => {
    const proxy = await rawServer((head, socket) => {
      // The tunnel is this same socket: after the 200 the next head is the upgrade request.
      if (head.startsWith("CONNECT ")) socket.write("HTTP/1.1 200 Connection established\r\n\r\n");
      else socket.write(switchingProtocols(head));
    });
    const transport = await openWebSocketTransport("ws://target.example:8080/t", {
      proxy: `http://127.0.0.1:${proxy.port}`,
    });
    transport.socket.destroy();
    expect(proxy.heads).toHaveLength(2);
    expect(proxy.heads[0]).toMatch(/^CONNECT target\.example:8080 HTTP\/1\.1\r\n/);
    expect(proxy.heads.map(hostLines)).toEqual([["target.example:8080"], ["target.example:8080"]]);
  });
});
