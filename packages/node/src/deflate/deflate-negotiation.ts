/**
 * permessage-deflate negotiation (RFC 7692 §5, §7.1) in both roles: the client's offers, the
 * server's choice among them, and the client's check of the server's answer.
 *
 * Theory of operation. Both roles end with the same four facts, {@link DeflateParameters}:
 * whether each side resets its compression context after every message, and the largest LZ77
 * window each side's compressor may use. A client offers one or more parameter sets (several
 * `permessage-deflate` elements in one header are fallbacks, in preference order); the server
 * accepts the first one it can honour and answers it (or answers nothing); the client checks
 * that the answer is one its offers allowed. The rules, per RFC 7692 §7:
 *
 * ```text
 * parameter                   in an offer                 in an answer
 * server_no_context_takeover  no value                    no value; MUST be there if offered
 * client_no_context_takeover  no value                    no value; may be there unasked
 * server_max_window_bits      8–15                        8–15, ≤ the offered value; may be unasked
 * client_max_window_bits      no value or 8–15            8–15; only if offered
 * ```
 *
 * Anything else — an unknown parameter, a value where none belongs or none where one does, a
 * window outside 8–15, a non-decimal or zero-led number, a repeated parameter — makes a server
 * decline that offer (and try the next) and makes a client fail the handshake
 * (`HandshakeError` `extension`, status `errorHttpInvalidServerResponse`).
 *
 * Window bits 8 and zlib: zlib's raw deflate cannot compress with a 256-byte window (asked
 * for 8, it silently uses 9, so its output could reach further back than the peer's window).
 * Where we choose, we never ask for 8 for our own compressor (our option is clamped to 9);
 * where the peer imposes 8 on our compressor (`server_max_window_bits=8` offered to our server,
 * `client_max_window_bits=8` answered to our client), we accept and send every message
 * uncompressed — RFC 7692 lets either side send any message uncompressed (§6), so this is
 * conformant and never produces a stream the peer cannot inflate. Inflating a peer's window-8
 * stream works with a larger window (a window only has to be at least as large as the
 * compressor's), so our inflater uses at least 9 bits, which also tolerates zlib-based peers
 * that were asked for 8 and used 9.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7692#section-7.1
 */
import { HandshakeError, InvalidArgumentError } from "@netsockets/errors";
import type { ExtensionOffer } from "@netsockets/protocol";

/** The extension token. */
export const PERMESSAGE_DEFLATE = "permessage-deflate";

/** The negotiated state of a permessage-deflate connection, role-neutral. */
export interface DeflateParameters {
  /** The server resets its compression context after every message. */
  readonly serverNoContextTakeover: boolean;
  /** The client resets its compression context after every message. */
  readonly clientNoContextTakeover: boolean;
  /** The largest window (log2, 8–15) the server's compressor may use. */
  readonly serverMaxWindowBits: number;
  /** The largest window (log2, 8–15) the client's compressor may use. */
  readonly clientMaxWindowBits: number;
}

/**
 * One set of negotiation parameters: what a client offers, or what a server is willing to
 * accept. Every field is optional.
 */
export interface DeflateOfferOptions {
  /**
   * Client: ask the server to reset its context after every message. Server: always answer
   * with it (then the server's compressor needs no memory between messages). Default `false`.
   */
  readonly serverNoContextTakeover?: boolean;
  /**
   * Client: announce that we reset our context after every message. Server: ask the client to
   * (answered when the server wants it, whether offered or not). Default `false`.
   */
  readonly clientNoContextTakeover?: boolean;
  /**
   * Client: the largest window the server may use (8–15; absent: not limited). Server: the
   * largest window we use for our compressor (9–15; 8 is taken as 9); answered when below 15
   * or when the client asked. Default 15.
   */
  readonly serverMaxWindowBits?: number;
  /**
   * Client: `true` (the default) offers `client_max_window_bits` without a value — "you may
   * limit my window"; a number (8–15) also limits it ourselves; `false` leaves it out (then the
   * server cannot limit our window). Server: the window we ask the client to limit itself to
   * (8–15), answered only when the client offered the parameter. Default: not limited.
   */
  readonly clientMaxWindowBits?: number | boolean;
}

const SERVER_NO_CONTEXT_TAKEOVER = "server_no_context_takeover";
const CLIENT_NO_CONTEXT_TAKEOVER = "client_no_context_takeover";
const SERVER_MAX_WINDOW_BITS = "server_max_window_bits";
const CLIENT_MAX_WINDOW_BITS = "client_max_window_bits";

/** The parameters of one offer or answer, checked for syntax (not yet for role rules). */
interface ParsedParams {
  serverNoContextTakeover: boolean;
  clientNoContextTakeover: boolean;
  /** `undefined`: absent. */
  serverMaxWindowBits: number | undefined;
  /** `undefined`: absent; `true`: present without a value. */
  clientMaxWindowBits: number | true | undefined;
}

/**
 * Reads an 8–15 window value: decimal digits without a leading zero (RFC 7692 §7.1.2.1:
 * "a decimal integer value without leading zeroes between 8 to 15, inclusive").
 */
function windowBitsOf(value: string | true): number | undefined {
  if (value === true) return undefined;
  if (value.length === 1) {
    const code = value.charCodeAt(0);
    return code === 0x38 || code === 0x39 ? code - 0x30 : undefined;
  }
  if (value.length === 2 && value.charCodeAt(0) === 0x31) {
    const code = value.charCodeAt(1);
    return code >= 0x30 && code <= 0x35 ? 10 + code - 0x30 : undefined;
  }
  return undefined;
}

/**
 * Parses one element's parameters. `null` when any is unknown, repeated, or has a bad value.
 * `answer` selects the answer grammar: there `client_max_window_bits` needs a value.
 *
 * "A server MUST decline an extension negotiation offer for this extension if any of the
 * following conditions are met: The negotiation offer contains an extension parameter not
 * defined for use in an offer. The negotiation offer contains an extension parameter with an
 * invalid value. The negotiation offer contains multiple extension parameters with the same
 * name." (and the same three conditions make a client fail on an answer)
 * @see https://www.rfc-editor.org/rfc/rfc7692#section-7
 */
function parseParams(element: ExtensionOffer, answer: boolean): ParsedParams | null {
  if (element.duplicateParams !== undefined && element.duplicateParams.length > 0) return null;
  const parsed: ParsedParams = {
    serverNoContextTakeover: false,
    clientNoContextTakeover: false,
    serverMaxWindowBits: undefined,
    clientMaxWindowBits: undefined,
  };
  for (const [rawName, value] of element.params) {
    // Parameter names are tokens; RFC 7692 defines them in lower case, as ws and Python compare.
    const name = rawName.toLowerCase();
    if (name === SERVER_NO_CONTEXT_TAKEOVER || name === CLIENT_NO_CONTEXT_TAKEOVER) {
      if (value !== true) return null;
      if (name === SERVER_NO_CONTEXT_TAKEOVER) {
        if (parsed.serverNoContextTakeover) return null;
        parsed.serverNoContextTakeover = true;
      } else {
        if (parsed.clientNoContextTakeover) return null;
        parsed.clientNoContextTakeover = true;
      }
    } else if (name === SERVER_MAX_WINDOW_BITS) {
      const bits = windowBitsOf(value);
      if (bits === undefined || parsed.serverMaxWindowBits !== undefined) return null;
      parsed.serverMaxWindowBits = bits;
    } else if (name === CLIENT_MAX_WINDOW_BITS) {
      if (parsed.clientMaxWindowBits !== undefined) return null;
      if (value === true && !answer) {
        parsed.clientMaxWindowBits = true;
      } else {
        const bits = windowBitsOf(value);
        if (bits === undefined) return null;
        parsed.clientMaxWindowBits = bits;
      }
    } else {
      return null;
    }
  }
  return parsed;
}

function isPermessageDeflate(element: ExtensionOffer): boolean {
  return element.name.toLowerCase() === PERMESSAGE_DEFLATE;
}

function checkBits(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min || value > 15) {
    throw new InvalidArgumentError(`${name} must be an integer from ${min} to 15, got ${value}`);
  }
}

/**
 * The client's offer for one parameter set, as an `ExtensionOffer` for
 * `formatExtensionHeader`.
 *
 * @throws InvalidArgumentError for a window outside 8–15.
 */
export function clientOfferOf(options: DeflateOfferOptions = {}): ExtensionOffer {
  const params = new Map<string, string | true>();
  if (options.serverNoContextTakeover === true) params.set(SERVER_NO_CONTEXT_TAKEOVER, true);
  if (options.clientNoContextTakeover === true) params.set(CLIENT_NO_CONTEXT_TAKEOVER, true);
  if (options.serverMaxWindowBits !== undefined) {
    checkBits("serverMaxWindowBits", options.serverMaxWindowBits, 8);
    params.set(SERVER_MAX_WINDOW_BITS, String(options.serverMaxWindowBits));
  }
  const clientBits = options.clientMaxWindowBits ?? true;
  if (typeof clientBits === "number") {
    checkBits("clientMaxWindowBits", clientBits, 8);
    params.set(CLIENT_MAX_WINDOW_BITS, String(clientBits));
  } else if (clientBits) {
    params.set(CLIENT_MAX_WINDOW_BITS, true);
  }
  return { name: PERMESSAGE_DEFLATE, params };
}

/**
 * The client's `Sec-WebSocket-Extensions` offers: one per parameter set, in preference order
 * (the server takes the first it can honour).
 */
export function clientOffersOf(
  options: DeflateOfferOptions | readonly DeflateOfferOptions[] = {},
): ExtensionOffer[] {
  const list = isOfferList(options) ? options : [options];
  if (list.length === 0) throw new InvalidArgumentError("at least one offer is needed");
  return list.map(clientOfferOf);
}

function isOfferList(
  options: DeflateOfferOptions | readonly DeflateOfferOptions[],
): options is readonly DeflateOfferOptions[] {
  return Array.isArray(options);
}

/** What a server answered and what it means. */
export interface ServerNegotiation {
  /** The element to answer in `Sec-WebSocket-Extensions`. */
  readonly response: ExtensionOffer;
  /** The negotiated parameters. */
  readonly parameters: DeflateParameters;
}

/**
 * Server side: picks the first acceptable permessage-deflate offer among `offers` (the parsed
 * `Sec-WebSocket-Extensions` of the request) and builds the answer. Offers that break the
 * grammar are skipped (declined); `null` when none is acceptable — then answer no extension.
 *
 * "A server accepts an extension negotiation offer with this parameter by including the
 * 'server_max_window_bits' extension parameter in the extension negotiation response to send
 * back to the client with the same or smaller value as the offer."
 * @see https://www.rfc-editor.org/rfc/rfc7692#section-7.1.2.1
 *
 * @throws InvalidArgumentError for bad `options` (window bits outside 8–15).
 */
export function negotiateServer(
  offers: readonly ExtensionOffer[],
  options: DeflateOfferOptions = {},
): ServerNegotiation | null {
  const ourBits = options.serverMaxWindowBits ?? 15;
  checkBits("serverMaxWindowBits", ourBits, 8);
  const askClientBits = options.clientMaxWindowBits;
  if (typeof askClientBits === "number") checkBits("clientMaxWindowBits", askClientBits, 8);
  for (const offer of offers) {
    if (!isPermessageDeflate(offer)) continue;
    const parsed = parseParams(offer, false);
    if (parsed === null) continue; // declined: try the next offer
    const params = new Map<string, string | true>();
    const serverNoContextTakeover =
      parsed.serverNoContextTakeover || options.serverNoContextTakeover === true;
    const clientNoContextTakeover =
      parsed.clientNoContextTakeover || options.clientNoContextTakeover === true;
    if (serverNoContextTakeover) params.set(SERVER_NO_CONTEXT_TAKEOVER, true);
    if (clientNoContextTakeover) params.set(CLIENT_NO_CONTEXT_TAKEOVER, true);
    // Our compressor's window: what we want, at most what the client allows. Where we choose,
    // at least 9 (zlib cannot do 8); a client that forces 8 gets 8, and uncompressed messages.
    const chosen = Math.max(9, ourBits);
    const serverBits =
      parsed.serverMaxWindowBits === undefined
        ? chosen
        : Math.min(chosen, parsed.serverMaxWindowBits);
    if (parsed.serverMaxWindowBits !== undefined || serverBits < 15) {
      params.set(SERVER_MAX_WINDOW_BITS, String(serverBits));
    }
    // "If a received extension negotiation offer has the 'client_max_window_bits' extension
    // parameter, the server MAY include the 'client_max_window_bits' extension parameter in the
    // corresponding extension negotiation response." Without it in the offer, we MUST NOT.
    // @see https://www.rfc-editor.org/rfc/rfc7692#section-7.1.2.2
    let clientBits = 15;
    if (parsed.clientMaxWindowBits !== undefined) {
      const offered = parsed.clientMaxWindowBits === true ? 15 : parsed.clientMaxWindowBits;
      const asked = typeof askClientBits === "number" ? askClientBits : 15;
      clientBits = Math.min(offered, asked);
      if (typeof askClientBits === "number" || parsed.clientMaxWindowBits !== true) {
        params.set(CLIENT_MAX_WINDOW_BITS, String(clientBits));
      }
    }
    return {
      response: { name: PERMESSAGE_DEFLATE, params },
      parameters: {
        serverNoContextTakeover,
        clientNoContextTakeover,
        serverMaxWindowBits: serverBits,
        clientMaxWindowBits: clientBits,
      },
    };
  }
  return null;
}

/**
 * A `negotiateExtensions` hook for `UpgradeServer`: accepts the first acceptable
 * permessage-deflate offer with {@link negotiateServer}, declines everything else. Read the
 * result back on the accepted upgrade with {@link parametersOfAnswer}.
 *
 * @throws InvalidArgumentError at once for bad `options`.
 */
export function perMessageDeflateNegotiator(
  options: DeflateOfferOptions = {},
): (offers: readonly ExtensionOffer[]) => ExtensionOffer[] {
  negotiateServer([], options); // checks the options now, not on the first request
  return (offers) => {
    const result = negotiateServer(offers, options);
    return result === null ? [] : [result.response];
  };
}

function badAnswer(message: string): HandshakeError {
  return new HandshakeError("extension", `permessage-deflate: ${message}`);
}

/**
 * Client side: checks the server's accepted extensions (from `validateServerResponse`) against
 * what we offered. `null` when the server did not accept permessage-deflate.
 *
 * "A client MUST _Fail the WebSocket Connection_ if the peer server accepted an extension
 * negotiation offer for this extension with an extension negotiation response meeting any of
 * the following conditions: The negotiation response contains an extension parameter not
 * defined for use in a response. The negotiation response contains an extension parameter with
 * an invalid value. The negotiation response contains multiple extension parameters with the
 * same name. The client does not support the configuration that the response represents."
 * @see https://www.rfc-editor.org/rfc/rfc7692#section-7
 *
 * @throws HandshakeError (`extension`) when the answer is not one our offers allow.
 */
export function acceptServerAnswer(
  accepted: readonly ExtensionOffer[],
  offered: DeflateOfferOptions | readonly DeflateOfferOptions[] = {},
): DeflateParameters | null {
  const answers = accepted.filter(isPermessageDeflate);
  if (answers.length === 0) return null;
  if (answers.length > 1) throw badAnswer("the server accepted it more than once");
  const answer = answers[0] as ExtensionOffer;
  const parsed = parseParams(answer, true);
  if (parsed === null) {
    throw badAnswer(`invalid, unknown or repeated parameter in the answer "${describe(answer)}"`);
  }
  const offers = isOfferList(offered) ? offered : [offered];
  // The answer must suit at least one of our offers (it answers one of them; which one the
  // server does not say).
  let reason = "no offer allows this answer";
  for (const offer of offers) {
    if (offer.serverNoContextTakeover === true && !parsed.serverNoContextTakeover) {
      reason = "server_no_context_takeover was offered but not answered";
      continue;
    }
    if (
      offer.serverMaxWindowBits !== undefined &&
      parsed.serverMaxWindowBits !== undefined &&
      parsed.serverMaxWindowBits > offer.serverMaxWindowBits
    ) {
      reason = "server_max_window_bits is larger than offered";
      continue;
    }
    const clientOffer = offer.clientMaxWindowBits ?? true;
    if (parsed.clientMaxWindowBits !== undefined) {
      if (clientOffer === false) {
        reason = "client_max_window_bits was not offered";
        continue;
      }
      if (typeof clientOffer === "number" && (parsed.clientMaxWindowBits as number) > clientOffer) {
        reason = "client_max_window_bits is larger than offered";
        continue;
      }
    }
    const clientBits =
      parsed.clientMaxWindowBits === undefined
        ? typeof clientOffer === "number"
          ? clientOffer
          : 15
        : (parsed.clientMaxWindowBits as number);
    return {
      serverNoContextTakeover: parsed.serverNoContextTakeover,
      clientNoContextTakeover:
        parsed.clientNoContextTakeover || offer.clientNoContextTakeover === true,
      // Absent: the server may use any window (we inflate with what it sends, up to 15).
      serverMaxWindowBits: parsed.serverMaxWindowBits ?? offer.serverMaxWindowBits ?? 15,
      clientMaxWindowBits: clientBits,
    };
  }
  throw badAnswer(`${reason}: "${describe(answer)}"`);
}

/**
 * The parameters of an accepted upgrade, read back from the answer a server sent (server side,
 * from `AcceptedUpgrade.extensions`). `null` when permessage-deflate was not accepted.
 */
export function parametersOfAnswer(accepted: readonly ExtensionOffer[]): DeflateParameters | null {
  const answer = accepted.find(isPermessageDeflate);
  if (answer === undefined) return null;
  const parsed = parseParams(answer, true);
  if (parsed === null) throw badAnswer(`invalid answer "${describe(answer)}"`);
  return {
    serverNoContextTakeover: parsed.serverNoContextTakeover,
    clientNoContextTakeover: parsed.clientNoContextTakeover,
    serverMaxWindowBits: parsed.serverMaxWindowBits ?? 15,
    clientMaxWindowBits: (parsed.clientMaxWindowBits as number | undefined) ?? 15,
  };
}

/** An element as text, for error messages (bounded: values are tokens, names are tokens). */
function describe(element: ExtensionOffer): string {
  let text = element.name;
  for (const [name, value] of element.params) {
    text += value === true ? `; ${name}` : `; ${name}=${value}`;
    if (text.length > 200) return `${text.slice(0, 200)}…`;
  }
  return text;
}
