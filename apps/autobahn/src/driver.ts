/**
 * The Autobahn TestSuite client driver (reference/peers.md §4.4): against `wstest -m
 * fuzzingserver` it asks `/getCaseCount`, runs `/runCase?case=N&agent=A` for each case with a
 * `MessageWebSocket` that echoes every message with its type until the fuzzer closes, then calls
 * `/updateReports?agent=A` so the suite writes its report. Every endpoint is a WebSocket.
 *
 * The echo socket has the limits raised for the suite (64 MiB messages, no fragment-count
 * limit) and keeps UTF-8 validation on. With `partial`, it receives in `partialMessage` mode and
 * echoes fragment by fragment (each section as one frame, the last with FIN).
 */
import {
  MessageTooBigError,
  MessageWebSocket,
  type MessageWebSocketMessageReceivedEventArgs,
  MessageWebSocketReceiveMode,
  ProtocolError,
  WebSocketError,
  webErrorStatusName,
} from "netsockets";

/** Message size limit of the echo socket: Autobahn sends up to 16 MiB. */
export const SUITE_MAX_MESSAGE_SIZE = 64 * 1024 * 1024;
/** No fragment-count limit (9.3.1 sends 65,536 fragments). */
export const SUITE_MAX_FRAGMENTS = 0xffff_ffff;

/** How one case ended, from the echo socket's side. */
export interface CaseOutcome {
  /** The case number (1-based position among the fuzzer's selected cases). */
  readonly case: number;
  /** The `closed` code, or null when the connection ended without a closing handshake. */
  readonly closeCode: number | null;
  /** The error name (`WebErrorStatus`) when the connection was lost or the connect failed. */
  readonly error: string | null;
  /**
   * The receive error a `messagereceived` threw before `closed` (the peer broke the protocol or
   * sent too much; the socket closed with 1002/1007/1009), as a `WebErrorStatus` name.
   */
  readonly receiveError: string | null;
  /** Messages echoed (sections, in partial mode). */
  readonly echoed: number;
}

/** Options of the echo socket. */
export interface EchoOptions {
  /** Receive in partialMessage mode and echo fragment by fragment. */
  readonly partial?: boolean;
  /** Extra trusted CA certificates (PEM) for a `wss://` fuzzing server. */
  readonly ca?: string | Uint8Array;
  /** Offer permessage-deflate (groups 12 and 13 need it). */
  readonly deflate?: boolean;
}

const trimSlash = (url: string) => url.replace(/\/+$/, "");

/** A socket with the suite's limits. */
function suiteSocket(
  partial: boolean,
  ca?: string | Uint8Array,
  deflate = false,
): MessageWebSocket {
  return new MessageWebSocket({
    ...(ca === undefined ? {} : { ca }),
    perMessageDeflate: deflate,
    maxMessageSize: SUITE_MAX_MESSAGE_SIZE,
    maxFragments: SUITE_MAX_FRAGMENTS,
    receiveMode: partial
      ? MessageWebSocketReceiveMode.partialMessage
      : MessageWebSocketReceiveMode.fullMessage,
    proxy: false,
  });
}

function statusName(error: unknown): string {
  const status = WebSocketError.getStatus(error);
  return webErrorStatusName(status) ?? String(status);
}

/**
 * Makes `socket` echo every message (or section) with its type. The reply is handed to the
 * connection inside the handler, before anything later is processed. Returns a counter.
 */
export function echoEveryMessage(socket: MessageWebSocket): { readonly count: number } {
  const partial = socket.control.receiveMode === MessageWebSocketReceiveMode.partialMessage;
  const counter = { count: 0 };
  socket.addEventListener("messagereceived", (args: MessageWebSocketMessageReceivedEventArgs) => {
    let data: Uint8Array;
    try {
      const reader = args.getDataReader();
      data = reader.readBuffer(reader.unconsumedBufferLength);
    } catch {
      return; // the connection is ending: the `closed` event or the lost connection tells
    }
    counter.count++;
    if (partial) {
      socket.control.messageType = args.messageType;
      const sent = args.isMessageComplete
        ? socket.sendFinalFrameAsync(data)
        : socket.sendNonfinalFrameAsync(data);
      sent.catch(() => {});
    } else {
      socket.sendAsync(data, { messageType: args.messageType }).catch(() => {});
    }
  });
  return counter;
}

/**
 * Resolves when `socket` ends: with the `closed` code, or with the receive error when the
 * connection was lost without a closing handshake (the last `messagereceived` throws it). A
 * protocol error or an oversized message is reported the same way but is followed by `closed`
 * (the socket sent its 1002/1007/1009 close frame), so it does not end the wait.
 */
function ended(
  socket: MessageWebSocket,
): Promise<{ code: number | null; error: string | null; receiveError: string | null }> {
  return new Promise((resolve) => {
    let receiveError: string | null = null;
    socket.addEventListener("closed", (args) =>
      resolve({ code: args.code, error: null, receiveError }),
    );
    socket.addEventListener("messagereceived", (args) => {
      try {
        args.getDataReader();
      } catch (error) {
        if (ProtocolError.isInstance(error) || MessageTooBigError.isInstance(error)) {
          receiveError = statusName(error);
        } else {
          resolve({ code: null, error: statusName(error), receiveError });
        }
      }
    });
  });
}

/** Runs case `n`: connects to `/runCase`, echoes until the fuzzer closes. Never rejects. */
export async function runCase(
  url: string,
  n: number,
  agent: string,
  options: EchoOptions = {},
): Promise<CaseOutcome> {
  const socket = suiteSocket(options.partial === true, options.ca, options.deflate === true);
  const counter = echoEveryMessage(socket);
  const end = ended(socket);
  try {
    await socket.connectAsync(
      `${trimSlash(url)}/runCase?case=${n}&agent=${encodeURIComponent(agent)}`,
    );
  } catch (error) {
    return { case: n, closeCode: null, error: statusName(error), receiveError: null, echoed: 0 };
  }
  const { code, error, receiveError } = await end;
  return { case: n, closeCode: code, error, receiveError, echoed: counter.count };
}

/** Connects to a fuzzer endpoint, collects its text messages until it closes. */
async function query(url: string, ca?: string | Uint8Array): Promise<string[]> {
  const socket = suiteSocket(false, ca);
  const texts: string[] = [];
  socket.addEventListener("messagereceived", (args) => {
    try {
      const reader = args.getDataReader();
      texts.push(reader.readString(reader.unconsumedBufferLength));
    } catch {
      // the end is reported by `ended`
    }
  });
  const end = ended(socket);
  await socket.connectAsync(url);
  const { error } = await end;
  if (error !== null) throw new Error(`${url}: connection lost (${error})`);
  return texts;
}

/** `/getCaseCount`: the number of cases the fuzzer selected. */
export async function getCaseCount(url: string, options: EchoOptions = {}): Promise<number> {
  const [text] = await query(`${trimSlash(url)}/getCaseCount`, options.ca);
  const count = Number(JSON.parse(text ?? "null"));
  if (!Number.isInteger(count) || count < 0) throw new Error(`bad case count: ${text}`);
  return count;
}

/** `/updateReports?agent=A`: asks the fuzzer to write the reports. */
export async function updateReports(
  url: string,
  agent: string,
  options: EchoOptions = {},
): Promise<void> {
  await query(`${trimSlash(url)}/updateReports?agent=${encodeURIComponent(agent)}`, options.ca);
}

/**
 * Parses `--cases`: 1-based case numbers and ranges, comma-separated (`"1-10,15,20-"`; an open
 * range runs to the last case). Returns the numbers within 1…count, sorted, without duplicates.
 */
export function parseCaseSelection(spec: string, count: number): number[] {
  const picked = new Set<number>();
  for (const part of spec.split(",")) {
    const item = part.trim();
    if (item === "") continue;
    const match = /^(\d+)(?:\s*-\s*(\d*))?$/.exec(item);
    if (match === null) throw new Error(`--cases: not a number or range: ${item}`);
    const from = Number(match[1]);
    const to = match[2] === undefined ? from : match[2] === "" ? count : Number(match[2]);
    for (let n = Math.max(1, from); n <= Math.min(count, to); n++) picked.add(n);
  }
  return [...picked].sort((a, b) => a - b);
}

/** Options of {@link runSuite}. */
export interface SuiteOptions extends EchoOptions {
  /** The fuzzing server, e.g. `ws://127.0.0.1:9001`. */
  readonly url: string;
  /** The agent name the reports are filed under. */
  readonly agent: string;
  /** `--cases`: which case numbers to run (default all). */
  readonly cases?: string;
  /** Called after each case. */
  readonly onCase?: (outcome: CaseOutcome, count: number) => void;
}

/** What {@link runSuite} did. */
export interface SuiteResult {
  readonly count: number;
  readonly outcomes: readonly CaseOutcome[];
}

/** The whole driver: case count, every selected case in order, then the report update. */
export async function runSuite(options: SuiteOptions): Promise<SuiteResult> {
  const count = await getCaseCount(options.url, options);
  const numbers =
    options.cases === undefined
      ? Array.from({ length: count }, (_, i) => i + 1)
      : parseCaseSelection(options.cases, count);
  const outcomes: CaseOutcome[] = [];
  for (const n of numbers) {
    const outcome = await runCase(options.url, n, options.agent, options);
    outcomes.push(outcome);
    options.onCase?.(outcome, count);
  }
  await updateReports(options.url, options.agent, options);
  return { count, outcomes };
}
