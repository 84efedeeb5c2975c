// `--deflate` / `deflate: true`: the echo server accepts permessage-deflate; off by default.
import { once } from "node:events";
import { request } from "node:http";
import type { Socket } from "node:net";
import { MessageWebSocket } from "netsockets";
import { afterEach, expect, it } from "vitest";
import { type EchoServer, startEchoServer } from "../src/echo-server.js";

const servers: EchoServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

/** The `Sec-WebSocket-Extensions` the server answers to a permessage-deflate offer. */
async function answerTo(server: EchoServer): Promise<string | undefined> {
  const req = request(server.url.replace("ws:", "http:"), {
    headers: {
      Connection: "Upgrade",
      Upgrade: "websocket",
      "Sec-WebSocket-Version": "13",
      "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
      "Sec-WebSocket-Extensions": "permessage-deflate; client_max_window_bits",
    },
  });
  req.end();
  const [response, socket] = (await once(req, "upgrade")) as [
    { headers: Record<string, string | undefined> },
    Socket,
  ];
  socket.destroy();
  return response.headers["sec-websocket-extensions"];
}

it("accepts permessage-deflate with deflate: true, declines it by default", async () => {
  const plain = await startEchoServer();
  servers.push(plain);
  const compressed = await startEchoServer({ deflate: true });
  servers.push(compressed);
  expect(await answerTo(compressed)).toBe("permessage-deflate");
  expect(await answerTo(plain)).toBeUndefined();
});

it("echoes compressed messages intact", async () => {
  const server = await startEchoServer({ deflate: true });
  servers.push(server);
  const socket = new MessageWebSocket({ proxy: false, perMessageDeflate: true });
  const text = JSON.stringify(Array.from({ length: 3000 }, (_, i) => ({ id: i })));
  const reply = new Promise<string>((resolve) =>
    socket.addEventListener("messagereceived", (args) => {
      const reader = args.getDataReader();
      resolve(reader.readString(reader.unconsumedBufferLength));
    }),
  );
  await socket.connectAsync(server.url);
  await socket.sendAsync(text);
  expect(await reply).toBe(text);
  socket.close(1000);
});
