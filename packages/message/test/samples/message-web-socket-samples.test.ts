/**
 * The MessageWebSocket samples of the Windows Runtime documentation (reference/uwp-api.md §4 and
 * the sources it cites: the *WebSockets* conceptual article, the MessageWebSocket class page's
 * JavaScript sample, and Windows-universal-samples *WebSocket*), ported line by line and run
 * against the local echo server (apps/echo-server) instead of `wss://echo.websocket.org`, over
 * `ws://` and `wss://`.
 *
 * For `wss://` the echo server has a certificate from a test CA the client does not trust; the
 * client trusts it the WinRT way, as the custom-validation sample does: it adds
 * `ChainValidationResult.untrusted` to `control.ignorableServerCertificateErrors` and pins the
 * server certificate's SHA-256 in `servercustomvalidationrequested`.
 *
 * C#'s `Debug.WriteLine` becomes a `log` array the tests assert; C#'s `using` / `Dispose()`
 * become `close()`.
 */

import { type DataReader, DataWriter, UnicodeEncoding } from "@netsockets/data";
import { HResult, WebErrorStatus, WebSocketError, webErrorStatusName } from "@netsockets/errors";
import { ChainValidationResult, type WebSocketClosedEventArgs } from "@netsockets/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EchoServer, startEchoServer } from "../../../../apps/echo-server/src/echo-server.js";
import { makeAuthority } from "../../../../tests/support/certs.js";
import { refusingPort } from "../../../../tests/support/servers.js";
import {
  MessageWebSocket,
  type MessageWebSocketListenerOf,
  type MessageWebSocketMessageReceivedEventArgs,
  MessageWebSocketReceiveMode,
  SocketMessageType,
} from "../../src/index.js";

let server: EchoServer;
/** The SHA-256 fingerprint of the echo server's certificate (the pinned copy). */
let pinnedFingerprint = "";

beforeAll(async () => {
  const authority = await makeAuthority("samples CA (not trusted by the client)");
  const issued = await authority.issue({
    commonName: "localhost",
    dns: ["localhost"],
    ips: ["127.0.0.1"],
  });
  const { X509Certificate } = await import("node:crypto");
  pinnedFingerprint = new X509Certificate(issued.cert).fingerprint256;
  // The server sends its whole chain (leaf + root), so the client's verdict is `untrusted`
  // (a root it does not trust) rather than `incompleteChain`.
  server = await startEchoServer({
    tls: { port: 0, cert: `${issued.cert}\n${authority.cert}`, key: issued.key },
  });
});
afterAll(() => server.close());

/**
 * What the samples do before `connectAsync` for `wss://` (Windows-universal-samples WebSocket,
 * server certificate validation): ignore `untrusted`, then accept only the pinned certificate.
 */
function trustPinnedCertificate(socket: MessageWebSocket, pin: () => string): void {
  socket.control.ignorableServerCertificateErrors.push(ChainValidationResult.untrusted);
  socket.addEventListener("servercustomvalidationrequested", (args) => {
    // In order to call async APIs in this handler, you must first take a deferral and then
    // release it once you are done with the operation.
    const deferral = args.getDeferral();
    queueMicrotask(() => {
      const isValid = args.serverCertificate.fingerprint256 === pin();
      if (!isValid) args.reject();
      deferral.complete();
    });
  });
}

describe.each([
  ["ws", () => server.url],
  ["wss", () => server.tlsUrl as string],
])("MessageWebSocket samples over %s://", (scheme, echoUrl) => {
  const prepare = (socket: MessageWebSocket) => {
    if (scheme === "wss") trustPinnedCertificate(socket, () => pinnedFingerprint);
  };

  it('C# (WebSockets article): "Hello, World!" with DataWriter.storeAsync, read with readString(unconsumedBufferLength), then Dispose', async () => {
    const log: string[] = [];
    let webErrorStatus: WebErrorStatus | undefined;
    let done: () => void = () => {};
    const closedSeen = new Promise<void>((resolve) => {
      done = resolve;
    });

    // protected override async void OnNavigatedTo(NavigationEventArgs e)
    const messageWebSocket = new MessageWebSocket();
    prepare(messageWebSocket);

    // In this example, we send/receive a string, so we need to set the MessageType to Utf8.
    messageWebSocket.control.messageType = SocketMessageType.utf8;

    const webSocketMessageReceived = (args: MessageWebSocketMessageReceivedEventArgs) => {
      try {
        const dataReader: DataReader = args.getDataReader();
        dataReader.unicodeEncoding = UnicodeEncoding.utf8;
        const message = dataReader.readString(dataReader.unconsumedBufferLength);
        log.push(`Message received from MessageWebSocket: ${message}`);
        dataReader.close();
        messageWebSocket.close(); // this.messageWebSocket.Dispose();
      } catch (ex) {
        webErrorStatus = WebSocketError.getStatus(ex);
        // Add additional code here to handle exceptions.
      }
    };
    const webSocketClosed = (args: WebSocketClosedEventArgs) => {
      log.push(`WebSocket_Closed; Code: ${args.code}, Reason: "${args.reason}"`);
      // Add additional code here to handle the WebSocket being closed.
      done();
    };
    messageWebSocket.addEventListener("messagereceived", webSocketMessageReceived);
    messageWebSocket.addEventListener("closed", webSocketClosed);

    const sendMessageUsingMessageWebSocketAsync = async (message: string) => {
      const dataWriter = new DataWriter(messageWebSocket.outputStream);
      dataWriter.writeString(message);
      await dataWriter.storeAsync();
      dataWriter.detachStream();
      dataWriter.close();
      log.push(`Sending message using MessageWebSocket: ${message}`);
    };

    try {
      await messageWebSocket.connectAsync(new URL(echoUrl()));
      await sendMessageUsingMessageWebSocketAsync("Hello, World!");
    } catch (ex) {
      webErrorStatus = WebSocketError.getStatus(ex);
    }

    await closedSeen;
    expect(webErrorStatus).toBeUndefined();
    expect(log).toContain("Sending message using MessageWebSocket: Hello, World!");
    expect(log).toContain("Message received from MessageWebSocket: Hello, World!");
    // Close() sends an empty close frame; the echo server answers with an empty one: 1005.
    expect(log.at(-1)).toBe('WebSocket_Closed; Code: 1005, Reason: ""');
  });

  it('C# (WebSockets article): close(1000, "Closed due to user request.") raises closed with 1000', async () => {
    const messageWebSocket = new MessageWebSocket();
    prepare(messageWebSocket);
    const closed = new Promise<{ code: number; type: string; target: unknown }>((resolve) =>
      messageWebSocket.addEventListener("closed", (args) =>
        resolve({ code: args.code, type: args.type, target: args.target }),
      ),
    );
    await messageWebSocket.connectAsync(echoUrl());
    messageWebSocket.close(1000, "Closed due to user request.");
    const args = await closed;
    expect(args.code).toBe(1000);
    expect(args.type).toBe("closed");
    expect(args.target).toBe(messageWebSocket);
  });

  it("JavaScript (MessageWebSocket class page): startSend / sendMessage / onMessageReceived / onClosed with on* slots", async () => {
    let messageWebSocket: MessageWebSocket | null = null;
    let messageWriter: DataWriter | null = null;
    const received: string[] = [];
    const inputField = { value: "a message from the JavaScript sample" };
    let sendError: unknown;
    let closedCode = -1;
    let finished: () => void = () => {};
    const allDone = new Promise<void>((resolve) => {
      finished = resolve;
    });

    function onMessageReceived(args: MessageWebSocketMessageReceivedEventArgs) {
      // The incoming message is already buffered.
      const dataReader = args.getDataReader();
      // Use the dataReader to read data from the received message
      received.push(dataReader.readString(dataReader.unconsumedBufferLength));
      messageWebSocket?.close(1000, "");
    }
    function onClosed(args: WebSocketClosedEventArgs) {
      // You can add code to log or display the code and reason
      // for the closure (stored in args.code and args.reason)
      closedCode = args.code;
      if (messageWebSocket) {
        messageWebSocket.close();
      }
      messageWebSocket = null;
      finished();
    }
    function sendMessage() {
      // Buffer any data we want to send.
      messageWriter?.writeString(inputField.value);
      // Send the data as one complete message.
      messageWriter?.storeAsync().catch((error: unknown) => {
        sendError = error;
      });
    }
    async function startSend() {
      if (!messageWebSocket) {
        const webSocket = new MessageWebSocket();
        prepare(webSocket);
        // MessageWebSocket supports both utf8 and binary messages.
        // When utf8 is specified as the messageType, then the developer
        // promises to only send utf8-encoded data.
        webSocket.control.messageType = SocketMessageType.utf8;
        // Set up callbacks
        webSocket.onmessagereceived = onMessageReceived;
        webSocket.onclosed = onClosed;
        const serverAddress = new URL(echoUrl());
        await webSocket.connectAsync(serverAddress);
        messageWebSocket = webSocket;
        // The default DataWriter encoding is utf8.
        messageWriter = new DataWriter(webSocket.outputStream);
        sendMessage();
      } else {
        // The connection already exists; go ahead and send the message.
        sendMessage();
      }
    }

    await startSend();
    await allDone;
    expect(sendError).toBeUndefined();
    expect(received).toEqual([inputField.value]);
    expect(closedCode).toBe(1000);
    expect(messageWebSocket).toBeNull();
  });

  it("Windows-universal-samples (partial messages): receiveMode partialMessage, sections decoded with a streaming decoder", async () => {
    const socket = new MessageWebSocket();
    prepare(socket);
    socket.control.receiveMode = MessageWebSocketReceiveMode.partialMessage;
    socket.control.messageType = SocketMessageType.utf8;
    const text = "κόσμε ✓ 🚀 ".repeat(40_000); // ~0.9 MB, multi-byte code points everywhere
    const decoder = new TextDecoder("utf-8", { fatal: true });
    let assembled = "";
    let sections = 0;
    const complete = new Promise<void>((resolve) => {
      socket.addEventListener("messagereceived", (args) => {
        const reader = args.getDataReader();
        // A chunk boundary may fall inside a multi-byte character: decode with { stream }.
        assembled += decoder.decode(reader.readBuffer(reader.unconsumedBufferLength), {
          stream: !args.isMessageComplete,
        });
        sections++;
        expect(args.messageType).toBe(SocketMessageType.utf8);
        if (args.isMessageComplete) resolve();
      });
    });
    await socket.connectAsync(echoUrl());
    await socket.sendAsync(text);
    await complete;
    expect(assembled).toBe(text);
    expect(sections).toBeGreaterThan(1);
    socket.close();
  });

  it("Windows-universal-samples (frames): messageType utf8 with sendNonfinalFrameAsync / sendFinalFrameAsync", async () => {
    const socket = new MessageWebSocket();
    prepare(socket);
    socket.control.messageType = SocketMessageType.utf8;
    const reply = new Promise<{ type: SocketMessageType; text: string }>((resolve) =>
      socket.addEventListener("messagereceived", (args) => {
        const reader = args.getDataReader();
        resolve({ type: args.messageType, text: reader.readString(reader.unconsumedBufferLength) });
      }),
    );
    await socket.connectAsync(echoUrl());
    const encoder = new TextEncoder();
    expect(await socket.sendNonfinalFrameAsync(encoder.encode("Hello, "))).toBe(7);
    await socket.sendNonfinalFrameAsync(encoder.encode("World"));
    expect(await socket.sendFinalFrameAsync(encoder.encode("!"))).toBe(1);
    expect(await reply).toEqual({ type: SocketMessageType.utf8, text: "Hello, World!" });
    socket.close();
  });

  it("Windows-universal-samples WebSocket, scenario 1 (JS, UTF-8): connect, validate, send, receive, disconnect", async () => {
    const output: string[] = [];
    const appendOutputLine = (text: string) => output.push(text);
    const buildWebSocketError = (error: unknown) =>
      `Error: ${webErrorStatusName(WebSocketError.getStatus(error)) ?? "unknown"}`;
    const lookupEnumName = (enumeration: Record<string, number>, value: number) =>
      Object.keys(enumeration).find((key) => enumeration[key] === value);
    const secureWebSocketCheckBox = { checked: scheme === "wss" };
    let messageWebSocket: MessageWebSocket | null = null;
    let messageWriter: DataWriter | null = null;
    let closedLine: () => void = () => {};
    const closedSeen = new Promise<void>((resolve) => {
      closedLine = resolve;
    });
    let received: () => void = () => {};
    const messageSeen = new Promise<void>((resolve) => {
      received = resolve;
    });

    // SdkSample.areCertificateAndCertChainValidAsync: here, the pinned SHA-256.
    const areCertificateAndCertChainValidAsync = async (certificate: { fingerprint256: string }) =>
      certificate.fingerprint256 === pinnedFingerprint;

    function onServerCustomValidationRequested(
      args: Parameters<MessageWebSocketListenerOf<"servercustomvalidationrequested">>[0],
    ) {
      // Async work in this handler needs a deferral, completed once the check is done.
      const deferral = args.getDeferral();
      areCertificateAndCertChainValidAsync(args.serverCertificate).then((isValid) => {
        if (isValid) {
          appendOutputLine("Custom validation of server certificate passed.");
        } else {
          args.reject();
          appendOutputLine("Custom validation of server certificate failed.");
        }
        deferral.complete();
      });
    }
    function onMessageReceived(args: MessageWebSocketMessageReceivedEventArgs) {
      appendOutputLine(
        `Message Received; Type: ${lookupEnumName(SocketMessageType, args.messageType)}`,
      );
      // The whole message is already buffered.
      const reader = args.getDataReader();
      reader.unicodeEncoding = UnicodeEncoding.utf8;
      try {
        appendOutputLine(reader.readString(reader.unconsumedBufferLength));
      } catch (error) {
        appendOutputLine(buildWebSocketError(error));
      }
      received();
    }
    function closeSocket() {
      if (messageWriter) {
        // Detach first, so closing the writer does not close the socket's output stream.
        messageWriter.detachStream();
        messageWriter.close();
        messageWriter = null;
      }
      if (messageWebSocket) {
        try {
          messageWebSocket.close(1000, "Closed due to user request.");
        } catch (error) {
          appendOutputLine(buildWebSocketError(error));
        }
        messageWebSocket = null;
      }
    }
    function onClosed(e: { code: number; reason: string }) {
      appendOutputLine(`Closed; Code: ${e.code} Reason: ${e.reason}`);
      if (messageWebSocket) closeSocket();
      closedLine();
    }
    async function connectAsync() {
      const server = new URL(echoUrl());
      // Set up the socket data format and callbacks.
      messageWebSocket = new MessageWebSocket();
      messageWebSocket.control.messageType = SocketMessageType.utf8;
      messageWebSocket.addEventListener("messagereceived", onMessageReceived);
      messageWebSocket.addEventListener("closed", onClosed);
      if (secureWebSocketCheckBox.checked) {
        // Test applications only: the local certificate is not from a trusted root.
        messageWebSocket.control.ignorableServerCertificateErrors.push(
          ChainValidationResult.untrusted,
          ChainValidationResult.invalidName,
        );
        messageWebSocket.addEventListener(
          "servercustomvalidationrequested",
          onServerCustomValidationRequested,
        );
      }
      appendOutputLine(`Connecting to: ${server.href}`);
      try {
        await messageWebSocket.connectAsync(server);
        // The default DataWriter encoding is utf8.
        messageWriter = new DataWriter(messageWebSocket.outputStream);
      } catch (error) {
        messageWebSocket.close();
        messageWebSocket = null;
        appendOutputLine(buildWebSocketError(error));
      }
    }
    async function sendAsync(message: string) {
      appendOutputLine(`Sending Message: ${message}`);
      // Buffer the data, then send it as one complete message.
      messageWriter?.writeString(message);
      try {
        await messageWriter?.storeAsync();
      } catch (error) {
        appendOutputLine(buildWebSocketError(error));
      }
    }

    await connectAsync();
    await sendAsync("Hello from scenario 1 ✓");
    await messageSeen;
    closeSocket(); // onDisconnect
    await closedSeen;
    expect(output).toEqual([
      `Connecting to: ${echoUrl()}`,
      ...(scheme === "wss" ? ["Custom validation of server certificate passed."] : []),
      "Sending Message: Hello from scenario 1 ✓",
      "Message Received; Type: utf8",
      "Hello from scenario 1 ✓",
      "Closed; Code: 1000 Reason: ",
    ]);
  });

  it("Windows-universal-samples WebSocket, scenario 4 (C#, partial read/write): frames from DataWriter.detachBuffer", async () => {
    const output: string[] = [];
    const appendOutputLine = (value: string) => output.push(value);
    const messageWebSocket = new MessageWebSocket();
    messageWebSocket.control.messageType = SocketMessageType.utf8;
    // Partial receive mode: sections are delivered as they arrive, the last marked complete.
    messageWebSocket.control.receiveMode = MessageWebSocketReceiveMode.partialMessage;
    let complete: () => void = () => {};
    const completeSeen = new Promise<void>((resolve) => {
      complete = resolve;
    });
    messageWebSocket.addEventListener("messagereceived", (args) => {
      const partialOrCompleted = args.isMessageComplete ? "Complete" : "Partial";
      appendOutputLine(
        `${partialOrCompleted} message received; Type: ${args.messageType === SocketMessageType.utf8 ? "Utf8" : "Binary"}`,
      );
      const reader = args.getDataReader();
      reader.unicodeEncoding = UnicodeEncoding.utf8;
      // ASCII only, as in the sample, so no section ends inside a character.
      appendOutputLine(reader.readString(reader.unconsumedBufferLength));
      reader.close();
      if (args.isMessageComplete) complete();
    });
    if (scheme === "wss") {
      messageWebSocket.control.ignorableServerCertificateErrors.push(
        ChainValidationResult.untrusted,
        ChainValidationResult.invalidName,
      );
    }
    await messageWebSocket.connectAsync(new URL(echoUrl()));

    const sendAsync = async (message: string, endOfMessage: boolean) => {
      const messageWriter = new DataWriter();
      messageWriter.writeString(message);
      const buffer = messageWriter.detachBuffer();
      if (endOfMessage) {
        appendOutputLine(`Sending end of message: ${message}`);
        await messageWebSocket.sendFinalFrameAsync(buffer);
      } else {
        appendOutputLine(`Sending partial message: ${message}`);
        await messageWebSocket.sendNonfinalFrameAsync(buffer);
      }
    };
    await sendAsync("Hello ", false);
    await sendAsync("partial ", false);
    await sendAsync("world!", true);
    await completeSeen;
    messageWebSocket.close(1000, "Closed due to user request.");
    expect(output.slice(0, 3)).toEqual([
      "Sending partial message: Hello ",
      "Sending partial message: partial ",
      "Sending end of message: world!",
    ]);
    // The echo server returns the whole message; it may arrive in one or more sections.
    const sections = output.slice(3);
    expect(sections.at(-2)).toBe("Complete message received; Type: Utf8");
    expect(sections.filter((_, i) => i % 2 === 1).join("")).toBe("Hello partial world!");
  });

  it("binary messages (the default messageType) with DataWriter values come back byte for byte", async () => {
    const socket = new MessageWebSocket();
    prepare(socket);
    expect(socket.control.messageType).toBe(SocketMessageType.binary);
    const reply = new Promise<{ type: SocketMessageType; reader: DataReader }>((resolve) =>
      socket.addEventListener("messagereceived", (args) =>
        resolve({ type: args.messageType, reader: args.getDataReader() }),
      ),
    );
    await socket.connectAsync(echoUrl());
    const writer = new DataWriter(socket.outputStream);
    writer.writeUInt32(0xdeadbeef);
    writer.writeDouble(Math.PI);
    writer.writeString("π");
    expect(await writer.storeAsync()).toBe(4 + 8 + 2);
    writer.detachStream();
    const { type, reader } = await reply;
    expect(type).toBe(SocketMessageType.binary);
    expect(reader.unconsumedBufferLength).toBe(14);
    expect(reader.readUInt32()).toBe(0xdeadbeef);
    expect(reader.readDouble()).toBe(Math.PI);
    // UTF-8 code units are bytes: "π" is 2 of them (what unconsumedBufferLength counts).
    expect(reader.readString(2)).toBe("π");
    socket.close();
  });
});

describe("MessageWebSocket error samples", () => {
  it("C#: a failed connect → WebSocketError.getStatus(ex) and getStatus(ex.hresult) name the cause", async () => {
    const port = await refusingPort();
    const messageWebSocket = new MessageWebSocket({ connectTimeoutMs: 5_000 });
    let webErrorStatus: WebErrorStatus | undefined;
    let statusFromHResult: WebErrorStatus | undefined;
    try {
      await messageWebSocket.connectAsync(`ws://127.0.0.1:${port}/`);
    } catch (ex) {
      // Windows.Web.WebErrorStatus webErrorStatus =
      //   WebSocketError.GetStatus(ex.GetBaseException().HResult);
      webErrorStatus = WebSocketError.getStatus(ex);
      statusFromHResult = WebSocketError.getStatus((ex as { hresult: number }).hresult);
    }
    expect(webErrorStatus).toBe(WebErrorStatus.cannotConnect);
    expect(statusFromHResult).toBe(WebErrorStatus.cannotConnect);
  });

  it("Windows-universal-samples (server certificate validation): a wrong pin is rejected with INET_E_SECURITY_PROBLEM", async () => {
    const messageWebSocket = new MessageWebSocket();
    trustPinnedCertificate(messageWebSocket, () => "00:11:22");
    let hresult: number | undefined;
    try {
      await messageWebSocket.connectAsync(server.tlsUrl as string);
    } catch (ex) {
      // The sample special-cases INET_E_SECURITY_PROBLEM before calling GetStatus.
      hresult = (ex as { hresult: number }).hresult;
    }
    expect(hresult).toBe(HResult.INET_E_SECURITY_PROBLEM);
    expect(hresult).toBe(0x800c000e);
  });

  it("without the ignorable error, the untrusted certificate fails validation before any pin check", async () => {
    const messageWebSocket = new MessageWebSocket();
    let asked = false;
    messageWebSocket.addEventListener("servercustomvalidationrequested", () => {
      asked = true;
    });
    let status: WebErrorStatus | undefined;
    try {
      await messageWebSocket.connectAsync(server.tlsUrl as string);
    } catch (ex) {
      status = WebSocketError.getStatus(ex);
    }
    expect(status).toBe(WebErrorStatus.certificateIsInvalid);
    expect(asked).toBe(false);
  });
});
