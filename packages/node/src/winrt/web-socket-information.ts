import type { X509Certificate } from "node:crypto";
import type { DeflateParameters } from "../deflate/deflate-negotiation.js";
import { type BandwidthStatistics, ZERO_BANDWIDTH_STATISTICS } from "./bandwidth-statistics.js";
import { type ChainValidationResult, SocketSslErrorSeverity } from "./chain-validation-result.js";

/** Where the information of a socket comes from (internal). */
export interface InformationSource {
  /** The live statistics of the connection, once there is one. */
  bandwidthStatistics(): BandwidthStatistics | undefined;
}

/** What a connect (or an accept) learned, recorded on the information object. */
export interface ConnectedInformation {
  readonly localAddress: string;
  readonly protocol: string | null;
  readonly serverCertificate: X509Certificate | null;
  readonly serverCertificateErrors: readonly ChainValidationResult[];
  readonly serverCertificateErrorSeverity: SocketSslErrorSeverity;
  readonly serverIntermediateCertificates: readonly X509Certificate[];
  /** The negotiated permessage-deflate parameters, when it was negotiated. */
  readonly perMessageDeflate?: DeflateParameters | null;
}

const NONE: readonly never[] = Object.freeze([]);

let record: (information: WebSocketInformation, connected: ConnectedInformation) => void;

/**
 * The members `MessageWebSocketInformation` (reference/uwp-api.md §6) and
 * `StreamWebSocketInformation` (§8.2) share — all of them: read-only facts about the connection,
 * readable at any time — before connect (`null`s, empty lists, zero statistics), while
 * connected, and after close (the values of the last connection). Each socket package exports
 * its own subclass under the WinRT name.
 *
 * @example
 * ```ts
 * await socket.connectAsync("wss://chat.example/");
 * console.log(socket.information.protocol, socket.information.serverCertificate?.subject);
 * ```
 */
export class WebSocketInformation {
  readonly #source: InformationSource;
  #connected: ConnectedInformation | undefined;

  /** Made by its socket (`socket.information`). */
  constructor(source: InformationSource) {
    this.#source = source;
  }

  /**
   * The connection's throughput over the last second, live (bytes in and out, framing
   * included). The `*Instability` fields are `0n` and `*BandwidthPeaked` `false`: Node has no
   * extended TCP statistics (like Windows with them off). All zero before connect.
   */
  get bandwidthStatistics(): BandwidthStatistics {
    return this.#source.bandwidthStatistics() ?? ZERO_BANDWIDTH_STATISTICS;
  }

  /** The local IP address of the connection; `null` before connect. */
  get localAddress(): string | null {
    return this.#connected?.localAddress ?? null;
  }

  /** The subprotocol the server selected; `null` before connect and when none was. */
  get protocol(): string | null {
    return this.#connected?.protocol ?? null;
  }

  /** The certificate the server presented (`wss:`); `null` otherwise and on the server side. */
  get serverCertificate(): X509Certificate | null {
    return this.#connected?.serverCertificate ?? null;
  }

  /** The certificate errors met (and ignored per `ignorableServerCertificateErrors`). */
  get serverCertificateErrors(): readonly ChainValidationResult[] {
    return this.#connected?.serverCertificateErrors ?? NONE;
  }

  /** The severity of {@link serverCertificateErrors}. */
  get serverCertificateErrorSeverity(): SocketSslErrorSeverity {
    return this.#connected?.serverCertificateErrorSeverity ?? SocketSslErrorSeverity.none;
  }

  /** The intermediate certificates the server sent. */
  get serverIntermediateCertificates(): readonly X509Certificate[] {
    return this.#connected?.serverIntermediateCertificates ?? NONE;
  }

  static {
    record = (information, connected) => {
      information.#connected = connected;
    };
  }
}

/** A frozen copy of a list; empty ones (every accepted socket's) share one. */
function frozenList<T>(list: readonly T[]): readonly T[] {
  return list.length === 0 ? NONE : Object.freeze([...list]);
}

/** The last facts made of a connection without TLS or extensions (see {@link connectionFacts}). */
let lastPlain: ConnectedInformation | undefined;

/**
 * What a connect or accept learned, as the information object keeps it: the lists copied and
 * frozen (internal; the socket keeps it until its information object is made). Only these
 * fields are copied, so `connected` may be a larger object — a client's upgraded transport,
 * whose socket and buffers the information must not keep once the connection is gone.
 *
 * The facts are frozen, so connections with equal ones may share them: a plain `ws:` server's
 * accepted sockets (one local address, no certificate, no extension) all keep one object, not
 * ≈ 110 bytes each (the object and its local-address string).
 */
export function connectionFacts(connected: ConnectedInformation): ConnectedInformation {
  const perMessageDeflate = connected.perMessageDeflate ?? null;
  const plain =
    connected.serverCertificate === null &&
    connected.serverCertificateErrors.length === 0 &&
    connected.serverCertificateErrorSeverity === SocketSslErrorSeverity.none &&
    connected.serverIntermediateCertificates.length === 0 &&
    perMessageDeflate === null;
  const last = lastPlain;
  if (
    plain &&
    last !== undefined &&
    last.localAddress === connected.localAddress &&
    last.protocol === connected.protocol
  ) {
    return last;
  }
  const facts: ConnectedInformation = Object.freeze({
    localAddress: connected.localAddress,
    protocol: connected.protocol,
    serverCertificate: connected.serverCertificate,
    serverCertificateErrors: frozenList(connected.serverCertificateErrors),
    serverCertificateErrorSeverity: connected.serverCertificateErrorSeverity,
    serverIntermediateCertificates: frozenList(connected.serverIntermediateCertificates),
    perMessageDeflate,
  });
  if (plain) lastPlain = facts;
  return facts;
}

/** Records what a connect or accept learned, from {@link connectionFacts} (internal). */
export function recordConnection(
  information: WebSocketInformation,
  connected: ConnectedInformation,
): void {
  record(information, connected);
}
