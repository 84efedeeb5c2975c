import { connect, type Socket } from "node:net";

/** What a raw client read before the server closed the connection. */
export interface RawResponse {
  /** The status code of the first response line, or 0 when nothing came back. */
  readonly status: number;
  /** Lower-case header names → values of the first response head. */
  readonly headers: Record<string, string>;
  /** Everything after the head. */
  readonly body: string;
  /** Everything received. */
  readonly raw: string;
}

/** Parses an HTTP/1.1 response head (enough for tests). */
export function parseResponse(raw: string): RawResponse {
  const end = raw.indexOf("\r\n\r\n");
  if (end === -1) return { status: 0, headers: {}, body: "", raw };
  const [line = "", ...lines] = raw.slice(0, end).split("\r\n");
  const headers: Record<string, string> = {};
  for (const l of lines) {
    const colon = l.indexOf(":");
    headers[l.slice(0, colon).trim().toLowerCase()] = l.slice(colon + 1).trim();
  }
  return { status: Number(line.split(" ")[1] ?? 0), headers, body: raw.slice(end + 4), raw };
}

/** Connects to 127.0.0.1:`port`. */
export async function rawConnect(port: number): Promise<Socket> {
  const socket = connect({ host: "127.0.0.1", port });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  return socket;
}

/** Collects everything `socket` receives until it closes (errors such as ECONNRESET end it too). */
export function readUntilClose(socket: Socket): Promise<RawResponse> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", () => {});
    socket.once("close", () => resolve(parseResponse(Buffer.concat(chunks).toString("latin1"))));
  });
}

/** Sends `request` on a fresh connection and reads until the server closes it. */
export async function rawRequest(port: number, request: string | Uint8Array): Promise<RawResponse> {
  const socket = await rawConnect(port);
  const response = readUntilClose(socket);
  socket.write(request);
  return response;
}

/** A valid upgrade request head with optional overrides (`null` removes a header). */
export function upgradeRequest(
  overrides: Record<string, string | null> = {},
  {
    method = "GET",
    path = "/",
    extra = "",
  }: { method?: string; path?: string; extra?: string } = {},
): string {
  const headers: Record<string, string | null> = {
    host: "127.0.0.1",
    upgrade: "websocket",
    connection: "Upgrade",
    "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
    "sec-websocket-version": "13",
    ...overrides,
  };
  let text = `${method} ${path} HTTP/1.1\r\n`;
  for (const [name, value] of Object.entries(headers)) {
    if (value !== null) text += `${name}: ${value}\r\n`;
  }
  return `${text}${extra}\r\n`;
}
