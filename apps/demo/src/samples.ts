/**
 * The samples of the Windows Runtime WebSocket reference (shared/reference/uwp-api.md §4, §8, §10,
 * §11, §17, and the WinRT "WebSockets" article they come from), ported line by line to netsockets.
 * Each prints what the C# sample's `Debug.WriteLine` calls print, through `log`.
 */
import { webcrypto } from "node:crypto";
import {
  ChainValidationResult,
  DataReader,
  DataWriter,
  InputStreamOptions,
  MessageWebSocket,
  type MessageWebSocketEventMap,
  SocketMessageType,
  StreamWebSocket,
  UnicodeEncoding,
  WebErrorStatus,
  WebSocketError,
  webErrorStatusName,
} from "netsockets";

/** Where a sample prints its lines (`Debug.WriteLine`). */
export type Log = (line: string) => void;

/** The status of a failed operation, as the samples print it: `WebSocketError.GetStatus(ex.HResult)`. */
export function statusName(error: unknown): string {
  const status = WebSocketError.getStatus(error);
  return webErrorStatusName(status) ?? String(status);
}

const hex = (bytes: Uint8Array) =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, "0").toUpperCase()).join(":");

/** Resolves with the first `closed` event of a socket, printed as the article's handler does. */
function printClosed(socket: MessageWebSocket | StreamWebSocket, log: Log): Promise<void> {
  return new Promise((resolve) => {
    const onClosed = (args: MessageWebSocketEventMap["closed"]) => {
      log(`${name}_Closed; Code: ${args.code}, Reason: "${args.reason}"`);
      resolve();
    };
    const name = socket instanceof MessageWebSocket ? "MessageWebSocket" : "StreamWebSocket";
    if (socket instanceof MessageWebSocket) socket.addEventListener("closed", onClosed);
    else socket.addEventListener("closed", onClosed);
  });
}

/**
 * §10: the default validation ignores `untrusted` (a self-signed certificate), then
 * `servercustomvalidationrequested` accepts the server only if its certificate's SHA-256 is the
 * pinned one — the check the reference describes ("compares the SHA-256 hash of the server
 * certificate with a pinned local copy").
 */
export function trustPinnedCertificate(
  socket: MessageWebSocket | StreamWebSocket,
  pinnedSha256: string,
  log: Log,
): void {
  // `untrusted` is the one error of a self-signed certificate whose name matches.
  socket.control.ignorableServerCertificateErrors.push(ChainValidationResult.untrusted);
  const onValidation = (args: MessageWebSocketEventMap["servercustomvalidationrequested"]) => {
    // Take a deferral: hashing is asynchronous. Complete it whether we accept or reject.
    const deferral = args.getDeferral();
    webcrypto.subtle.digest("SHA-256", args.serverCertificate.raw).then(
      (digest) => {
        const sha256 = hex(new Uint8Array(digest));
        if (sha256 === pinnedSha256) {
          log(`Server certificate pinned: SHA-256 ${sha256}`);
        } else {
          log(`Server certificate rejected: SHA-256 ${sha256}`);
          args.reject();
        }
        deferral.complete();
      },
      () => {
        args.reject();
        deferral.complete();
      },
    );
  };
  if (socket instanceof MessageWebSocket) {
    socket.addEventListener("servercustomvalidationrequested", onValidation);
  } else {
    socket.addEventListener("servercustomvalidationrequested", onValidation);
  }
}

/**
 * §4 + §10: a MessageWebSocket sends "Hello, World!" as UTF-8 over `wss://` and prints the echo;
 * the server's self-signed certificate passes the default validation because `untrusted` is
 * ignorable, and is then accepted only if its SHA-256 is the pinned one.
 */
export async function messageWebSocketSample(
  url: string,
  pinnedSha256: string,
  log: Log,
): Promise<void> {
  const messageWebSocket = new MessageWebSocket();
  messageWebSocket.control.proxy = false; // the echo server is on this machine

  // In this example, we send/receive a string, so we need to set the MessageType to Utf8.
  messageWebSocket.control.messageType = SocketMessageType.utf8;

  trustPinnedCertificate(messageWebSocket, pinnedSha256, log);

  const received = new Promise<void>((resolve) => {
    messageWebSocket.addEventListener("messagereceived", (args) => {
      try {
        const dataReader = args.getDataReader();
        dataReader.unicodeEncoding = UnicodeEncoding.utf8;
        const message = dataReader.readString(dataReader.unconsumedBufferLength);
        log(`Message received from MessageWebSocket: ${message}`);
        messageWebSocket.close(); // the sample's Dispose(): an empty close frame
      } catch (error) {
        log(`Error: ${statusName(error)}`);
      }
      resolve();
    });
  });
  const closed = printClosed(messageWebSocket, log);

  await messageWebSocket.connectAsync(url);
  log(
    `Connected to ${url} (server certificate: ${messageWebSocket.information.serverCertificate?.subject})`,
  );

  // SendMessageUsingMessageWebSocketAsync("Hello, World!")
  const message = "Hello, World!";
  const dataWriter = new DataWriter(messageWebSocket.outputStream);
  dataWriter.writeString(message);
  await dataWriter.storeAsync();
  dataWriter.detachStream();
  log(`Sending message using MessageWebSocket: ${message}`);

  await received;
  await closed;
}

/**
 * §8 + the article's StreamWebSocket sample: `NoDelay` set before connect, 10 bytes sent through a
 * `DataWriter`, read back with `DataReader.loadAsync(256)` and `InputStreamOptions.partial`.
 */
export async function streamWebSocketSample(
  url: string,
  pinnedSha256: string | undefined,
  log: Log,
): Promise<void> {
  const streamWebSocket = new StreamWebSocket();
  streamWebSocket.control.proxy = false; // the echo server is on this machine
  if (pinnedSha256 !== undefined) trustPinnedCertificate(streamWebSocket, pinnedSha256, log);

  // Control properties are set before ConnectAsync. NoDelay defaults to true (Nagle off);
  // false enables Nagle's algorithm.
  streamWebSocket.control.noDelay = false;
  log(
    `StreamWebSocket Control.NoDelay = ${streamWebSocket.control.noDelay} (set before ConnectAsync)`,
  );

  const closed = printClosed(streamWebSocket, log);
  await streamWebSocket.connectAsync(url);
  log(`Connected to ${url}`);

  // §17.2: after ConnectAsync, setting NoDelay is an error.
  try {
    streamWebSocket.control.noDelay = true;
  } catch (error) {
    const { code, hresult } = error as { code?: string; hresult?: number };
    log(
      `Setting NoDelay after ConnectAsync fails: ${code} (HRESULT 0x${(hresult ?? 0).toString(16)})`,
    );
  }

  const message = Uint8Array.of(0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09);
  const receiving = (async () => {
    // ReceiveMessageUsingStreamWebSocket
    const dataReader = new DataReader(streamWebSocket.inputStream);
    dataReader.inputStreamOptions = InputStreamOptions.partial;
    const received = new Uint8Array(message.length);
    let count = 0;
    // Partial: each load completes with whatever has arrived (at least one byte).
    while (count < received.length) {
      const loaded = await dataReader.loadAsync(256);
      if (loaded === 0) break; // end of stream: the socket closed
      const chunk = new Uint8Array(dataReader.unconsumedBufferLength);
      dataReader.readBytes(chunk);
      received.set(chunk.subarray(0, received.length - count), count);
      count += chunk.length;
    }
    dataReader.detachStream();
    log(`Data received from StreamWebSocket: ${count} bytes (${hex(received.subarray(0, count))})`);
  })();

  // SendMessageUsingStreamWebSocket
  const dataWriter = new DataWriter(streamWebSocket.outputStream);
  dataWriter.writeBytes(message);
  await dataWriter.storeAsync();
  dataWriter.detachStream();
  log(`Sending data using StreamWebSocket: ${message.length} bytes`);

  await receiving;
  streamWebSocket.close(); // Dispose(): an empty close frame
  await closed;
}

/**
 * §17.1: a connect to a server that never answers, cancelled after `cancelAfterMs` (the article's
 * `CancellationTokenSource.CancelAfter(TimeSpan.FromSeconds(5))`). Cancellation is
 * `WebErrorStatus.operationCanceled`.
 */
export async function cancelledConnectSample(
  url: string,
  cancelAfterMs: number,
  log: Log,
): Promise<void> {
  const streamWebSocket = new StreamWebSocket();
  streamWebSocket.control.proxy = false;
  log(`Connecting to ${url} (a server that never answers), cancelling after ${cancelAfterMs} ms`);
  // Measured from before the timer is armed: a timer never fires early, so the elapsed time
  // printed is never below cancelAfterMs, however slow the machine.
  const started = performance.now();
  const cts = new AbortController();
  const timer = setTimeout(() => cts.abort(), cancelAfterMs);
  try {
    await streamWebSocket.connectAsync(url, { signal: cts.signal });
    log("Connected (unexpected)");
    streamWebSocket.close();
  } catch (error) {
    const elapsed = Math.round(performance.now() - started);
    const status = WebSocketError.getStatus(error);
    log(`ConnectAsync cancelled after ${elapsed} ms: ${statusName(error)}`);
    if (status !== WebErrorStatus.operationCanceled) throw error;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * §11: failed connects classified with `WebSocketError.getStatus`, as the WebSocket sample's
 * `BuildWebSocketError` does: the status name, then the sample's hint for the statuses it
 * groups as "cannot connect to the server".
 */
export async function errorSample(url: string, log: Log): Promise<string> {
  const messageWebSocket = new MessageWebSocket();
  messageWebSocket.control.proxy = false;
  const error = await messageWebSocket.connectAsync(url).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (error === undefined) {
    messageWebSocket.close();
    throw new Error(`connected to ${url}, expected a failure`);
  }
  const status = WebSocketError.getStatus(error);
  log(`Error: ${statusName(error)} (${status})`);
  switch (status) {
    case WebErrorStatus.cannotConnect:
    case WebErrorStatus.notFound:
    case WebErrorStatus.requestTimeout:
      log("Cannot connect to the server. Please make sure the server is running.");
      break;
    default:
      log(error instanceof Error ? error.message : String(error));
  }
  return statusName(error);
}
