// Every StreamWebSocket sample of the reference (reference/uwp-api.md §8, §10, §15, §16, §17; the
// WinRT "WebSockets" article and the WebSocket sample's StreamWebSocket scenario), ported line by
// line, against a local StreamWebSocketListener echo server over ws:// and wss://.
import { createHash, randomFillSync, X509Certificate } from "node:crypto";
import { DataReader, DataWriter, InputStreamOptions } from "@netsockets/data";
import { CertificateError, WebErrorStatus, WebSocketError } from "@netsockets/errors";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeCertificates, type TestCertificates } from "../../../tests/support/certs.js";
import { refusingPort } from "../../../tests/support/servers.js";
import { StreamWebSocket } from "../src/index.js";
import { echo, startServer, type TestServer } from "./helpers.js";

let certs: TestCertificates;
const servers: Record<"ws" | "wss", TestServer | undefined> = { ws: undefined, wss: undefined };

beforeAll(async () => {
  certs = await makeCertificates();
  servers.ws = await startServer(echo);
  servers.wss = await startServer(
    echo,
    { serverCertificate: { key: certs.server.key, cert: certs.server.cert } },
    "wss",
  );
});
afterAll(async () => {
  await servers.ws?.listener.close({ timeoutMs: 1000 });
  await servers.wss?.listener.close({ timeoutMs: 1000 });
});

/** A new socket set up like the samples, trusting the test CA for wss://. */
function newSocket(): StreamWebSocket {
  const socket = new StreamWebSocket();
  socket.control.proxy = false;
  socket.control.ca = certs.ca.cert;
  return socket;
}

describe.each(["ws", "wss"] as const)("reference samples over %s://", (scheme) => {
  const url = () => (servers[scheme] as TestServer).url;

  it("WebSockets article: send 'Hello, World!' with a DataWriter, read it with DataReader.loadAsync(256) partial, dispose", async () => {
    const streamWebSocket = newSocket();
    const closed: { code: number; reason: string }[] = [];
    streamWebSocket.addEventListener("closed", (args) =>
      closed.push({ code: args.code, reason: args.reason }),
    );
    await streamWebSocket.connectAsync(url());

    // SendMessageUsingStreamWebSocket
    const message = new TextEncoder().encode("Hello, World!");
    {
      const dataWriter = new DataWriter(streamWebSocket.outputStream);
      dataWriter.writeBytes(message);
      await dataWriter.storeAsync();
      dataWriter.detachStream();
      dataWriter.close();
    }

    // ReceiveMessageUsingStreamWebSocket
    let received = "";
    {
      const dataReader = new DataReader(streamWebSocket.inputStream);
      dataReader.inputStreamOptions = InputStreamOptions.partial;
      while (received.length < message.length) {
        await dataReader.loadAsync(256);
        const bytes = new Uint8Array(dataReader.unconsumedBufferLength);
        dataReader.readBytes(bytes);
        received += new TextDecoder().decode(bytes);
      }
      dataReader.detachStream();
      dataReader.close();
    }
    expect(received).toBe("Hello, World!");

    // "streamWebSocket.Dispose()": an empty close frame; the echo server answers with 1005.
    const done = new Promise<void>((resolve) =>
      streamWebSocket.addEventListener("closed", () => resolve()),
    );
    streamWebSocket[Symbol.dispose]();
    await done;
    expect(closed).toEqual([{ code: 1005, reason: "" }]);
  });

  it("WebSocket sample, StreamWebSocket scenario: send 1000 random bytes repeatedly, count what comes back in 1000-byte reads, close(1000, reason)", async () => {
    const streamWebSocket = newSocket();
    const closedArgs = new Promise<{ code: number; reason: string }>((resolve) =>
      streamWebSocket.addEventListener("closed", ({ code, reason }) => resolve({ code, reason })),
    );
    await streamWebSocket.connectAsync(url());

    const rounds = 5;
    // SendDataAsync: 1000 random bytes per write (the sample waits 500 ms between writes; the
    // pause does not change what is observed, so it is left out).
    const sent = createHash("sha256");
    const sending = (async () => {
      const data = new Uint8Array(1000);
      for (let i = 0; i < rounds; i++) {
        randomFillSync(data);
        sent.update(data);
        expect(await streamWebSocket.outputStream.writeAsync(data.slice())).toBe(1000);
      }
    })();

    // ReceiveDataAsync: a 1000-byte read buffer, partial reads, count the bytes.
    const receivedHash = createHash("sha256");
    let bytesReceived = 0;
    const readBuffer = new Uint8Array(1000);
    while (bytesReceived < rounds * 1000) {
      const read = await streamWebSocket.inputStream.readAsync(
        readBuffer,
        readBuffer.length,
        InputStreamOptions.partial,
      );
      expect(read.length).toBeGreaterThan(0);
      receivedHash.update(read);
      bytesReceived += read.length;
    }
    await sending;
    expect(bytesReceived).toBe(rounds * 1000);
    expect(receivedHash.digest("hex")).toBe(sent.digest("hex"));

    streamWebSocket.close(1000, "Closed due to user request.");
    // The echo of a close carries the peer's code (reference §9; node README).
    expect((await closedArgs).code).toBe(1000);
    // "the socket is now useless": reads give the end of the stream.
    expect(
      (await streamWebSocket.inputStream.readAsync(readBuffer, 1000, InputStreamOptions.partial))
        .length,
    ).toBe(0);
  });

  it("WebSockets article: Control.NoDelay = false before connect enables Nagle; setting it afterwards throws (§17.2)", async () => {
    const streamWebSocket = newSocket();
    expect(streamWebSocket.control.noDelay).toBe(true);
    streamWebSocket.control.noDelay = false;
    await streamWebSocket.connectAsync(url());
    expect(() => {
      streamWebSocket.control.noDelay = true;
    }).toThrow(expect.objectContaining({ code: "ERR_INVALID_STATE" }));
    expect(streamWebSocket.information.protocol).toBeNull();
    expect(streamWebSocket.information.localAddress).toBe("127.0.0.1");
    if (scheme === "wss") {
      expect(streamWebSocket.information.serverCertificate).toBeInstanceOf(X509Certificate);
    } else {
      expect(streamWebSocket.information.serverCertificate).toBeNull();
    }
    streamWebSocket.close(1000, "done");
  });

  it("WebSocket sample: a failed connect is classified with WebSocketError.getStatus", async () => {
    const port = await refusingPort();
    const streamWebSocket = newSocket();
    const error = await streamWebSocket
      .connectAsync(`${scheme}://127.0.0.1:${port}/`)
      .catch((e: unknown) => e);
    expect(WebSocketError.getStatus(error)).toBe(WebErrorStatus.cannotConnect);
    // After a failed connect the socket may connect again (reference §17.2).
    await streamWebSocket.connectAsync(url());
    streamWebSocket.close();
  });
});

describe("reference §10 sample over wss://: ServerCustomValidationRequested pins the certificate", () => {
  const url = () => (servers.wss as TestServer).url;
  const sha256 = (cert: X509Certificate) => createHash("sha256").update(cert.raw).digest("hex");

  it("accepts the pinned certificate (with a deferral)", async () => {
    const pinned = sha256(new X509Certificate(certs.server.cert));
    const streamWebSocket = newSocket();
    let called = 0;
    streamWebSocket.addEventListener("servercustomvalidationrequested", (args) => {
      called++;
      const deferral = args.getDeferral();
      setImmediate(() => {
        if (sha256(args.serverCertificate) !== pinned) args.reject();
        deferral.complete();
      });
    });
    await streamWebSocket.connectAsync(url());
    expect(called).toBe(1);
    streamWebSocket.close();
  });

  it("rejects another certificate: connectAsync fails with the security problem", async () => {
    const streamWebSocket = newSocket();
    streamWebSocket.onservercustomvalidationrequested = (args) => {
      if (sha256(args.serverCertificate) !== "00") args.reject();
    };
    const error = await streamWebSocket.connectAsync(url()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CertificateError);
    expect((error as CertificateError).code).toBe("ERR_SERVER_CERTIFICATE_REJECTED");
  });
});
