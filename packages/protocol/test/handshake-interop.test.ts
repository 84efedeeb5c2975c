/**
 * The handshake functions against real `ws` 8 peers over loopback: a `ws` client against a
 * bare Node HTTP server that answers with validateClientRequest/buildAcceptHeaders, and a raw
 * upgrade request built with buildClientRequestHeaders against a `ws` server, checked with
 * validateServerResponse.
 */
import { once } from "node:events";
import { createServer, type IncomingMessage, request, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { HandshakeError, WebErrorStatus } from "@netsockets/errors";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket, { WebSocketServer } from "ws";
import {
  buildAcceptHeaders,
  buildClientRequestHeaders,
  formatExtensionHeader,
  generateClientKey,
  validateClientRequest,
  validateServerResponse,
} from "../src/index.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function listen(server: Server): Promise<number> {
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as AddressInfo).port;
}

/** A bare HTTP server whose upgrade handler uses only the protocol package's functions. */
async function ourServer(): Promise<number> {
  const server = createServer((_, res) => res.writeHead(404).end());
  const sockets = new Set<Socket>();
  server.on("upgrade", (req: IncomingMessage, socket: Socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    const check = validateClientRequest(req);
    if (!check.ok) {
      const lines = Object.entries(check.headers).map(([k, v]) => `${k}: ${v}\r\n`);
      socket.end(
        `HTTP/1.1 ${check.status} Refused\r\nconnection: close\r\ncontent-length: ${check.reason.length}\r\n${lines.join("")}\r\n${check.reason}`,
      );
      return;
    }
    const headers = buildAcceptHeaders({ key: check.key, protocol: check.protocols[0] ?? null });
    const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`);
    socket.write(`HTTP/1.1 101 Switching Protocols\r\n${lines.join("")}\r\n`);
  });
  const port = await listen(server);
  // After listen's cleanup in the list, so it runs first: server.close waits for these sockets.
  cleanups.push(() => {
    for (const socket of sockets) socket.destroy();
  });
  return port;
}

describe("a ws client against our handshake", () => {
  it("opens, with the first offered subprotocol", async () => {
    const port = await ourServer();
    const client = new WebSocket(`ws://127.0.0.1:${port}/chat`, ["chat", "superchat"], {
      perMessageDeflate: true,
    });
    cleanups.push(() => client.terminate());
    await once(client, "open");
    expect(client.protocol).toBe("chat");
    expect(client.extensions).toBe("");
  });

  it("gets 426 with Sec-WebSocket-Version: 13 when it asks for version 8", async () => {
    const port = await ourServer();
    const client = new WebSocket(`ws://127.0.0.1:${port}/`, { protocolVersion: 8 });
    cleanups.push(() => client.terminate());
    client.on("error", () => {});
    const [, res] = (await once(client, "unexpected-response")) as [unknown, IncomingMessage];
    expect(res.statusCode).toBe(426);
    expect(res.headers["sec-websocket-version"]).toBe("13");
    res.resume();
  });
});

/** Sends our upgrade request to `port` and resolves with the response (101 or not). */
async function ourRequest(
  port: number,
  headers: Record<string, string>,
): Promise<{ statusCode: number; headers: IncomingMessage["headers"] }> {
  const req = request({ host: "127.0.0.1", port, path: "/", headers });
  const answer = new Promise<{ statusCode: number; headers: IncomingMessage["headers"] }>(
    (resolve, reject) => {
      req.on("upgrade", (res: IncomingMessage, socket: Socket) => {
        socket.destroy();
        resolve({ statusCode: res.statusCode ?? 0, headers: res.headers });
      });
      req.on("response", (res: IncomingMessage) => {
        res.resume();
        resolve({ statusCode: res.statusCode ?? 0, headers: res.headers });
      });
      req.on("error", reject);
    },
  );
  req.end();
  return answer;
}

async function wsServer(
  options: ConstructorParameters<typeof WebSocketServer>[0],
): Promise<number> {
  const server = createServer();
  const wss = new WebSocketServer({ ...options, server });
  cleanups.push(() => {
    for (const client of wss.clients) client.terminate();
    wss.close();
  });
  return listen(server);
}

describe("our handshake against a ws server", () => {
  it("is accepted, and the response validates with the negotiated subprotocol and extension", async () => {
    const port = await wsServer({
      perMessageDeflate: { clientMaxWindowBits: 10, serverNoContextTakeover: true },
      handleProtocols: (protocols) => (protocols.has("superchat") ? "superchat" : false),
    });
    const key = generateClientKey();
    const extensions = formatExtensionHeader([
      { name: "permessage-deflate", params: new Map([["client_max_window_bits", true]]) },
    ]);
    const response = await ourRequest(
      port,
      buildClientRequestHeaders({
        key,
        protocols: ["chat", "superchat"],
        extensions,
        origin: "http://127.0.0.1",
      }),
    );
    expect(response.statusCode).toBe(101);
    const result = validateServerResponse(response, {
      key,
      protocols: ["chat", "superchat"],
      extensions: ["permessage-deflate"],
    });
    expect(result.protocol).toBe("superchat");
    expect(result.extensions.map((e) => e.name)).toEqual(["permessage-deflate"]);
    expect(Object.fromEntries(result.extensions[0]?.params ?? [])).toEqual({
      client_max_window_bits: "10",
      server_no_context_takeover: true,
    });
    // What ws sent, parsed and formatted again, is what it sent.
    expect(formatExtensionHeader(result.extensions)).toBe(
      response.headers["sec-websocket-extensions"],
    );
  });

  it("fails with the response's Sec-WebSocket-Accept checked against our key", async () => {
    const port = await wsServer({});
    const key = generateClientKey();
    const response = await ourRequest(port, buildClientRequestHeaders({ key }));
    const otherKey = generateClientKey();
    const error = (() => {
      try {
        validateServerResponse(response, { key: otherKey, protocols: [], extensions: [] });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(HandshakeError);
    expect((error as HandshakeError).reason).toBe("bad-response");
  });

  it("maps a refusal to a bad-status HandshakeError with the WebErrorStatus of the HTTP status", async () => {
    const port = await wsServer({ verifyClient: (_, done) => done(false, 403, "Forbidden") });
    const response = await ourRequest(
      port,
      buildClientRequestHeaders({ key: generateClientKey() }),
    );
    expect(response.statusCode).toBe(403);
    try {
      validateServerResponse(response, { key: "x", protocols: [], extensions: [] });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(HandshakeError);
      expect((error as HandshakeError).reason).toBe("bad-status");
      expect((error as HandshakeError).status).toBe(WebErrorStatus.forbidden);
      expect((error as HandshakeError).statusCode).toBe(403);
    }
  });
});
