/**
 * An in-repo stand-in for Autobahn's `wstest -m fuzzingserver` (reference/peers.md §4.4): it
 * speaks the same URL protocol — every endpoint a WebSocket — so a client driver written for the
 * real suite runs against it unchanged:
 *
 * - `/getCaseCount` — one text message with the JSON number of selected cases, then a close;
 * - `/getCaseInfo?case=N` — one text message `{"id","description"}`, then a close;
 * - `/runCase?case=N&agent=A` — runs the N-th selected case (1-based) with raw frames and
 *   records a verdict for agent A (see case-runner.ts);
 * - `/getCaseStatus?case=N&agent=A` — one text message `{"behavior"}`, then a close;
 * - `/updateReports?agent=A` — records that the agent asked for its report, then a close.
 *
 * Instead of HTML reports, the verdicts are kept in memory for the test to assert.
 */
import { Opcode } from "@netsockets/protocol";
import { closePayload, frame } from "@netsockets/protocol/testing";
import { type AutobahnCase, selectCases } from "./autobahn-cases.js";
import { type CaseVerdict, runCaseScript } from "./case-runner.js";
import { type RawConnection, startRawServer } from "./raw-peer.js";

/** A running fake fuzzing server. */
export interface FakeFuzzingServer {
  /** `ws://127.0.0.1:PORT` (`wss://` with TLS) */
  readonly url: string;
  readonly port: number;
  /** The selected cases, in the order `case=N` counts them. */
  readonly cases: readonly AutobahnCase[];
  /** Verdicts by agent, then case id, as index.json has them. */
  readonly verdicts: Map<string, Map<string, CaseVerdict>>;
  /** Agents that called `/updateReports`, in order. */
  readonly reportsUpdated: string[];
  /** Every request target, in order (`/getCaseCount`, `/runCase?case=1&agent=x`, …). */
  readonly requests: string[];
  /** Resolves with the verdict of case `id` for `agent` once the case has finished. */
  verdict(agent: string, id: string): Promise<CaseVerdict>;
  close(): Promise<void>;
}

/** Which cases the server selects, like `cases` / `exclude-cases` of fuzzingserver.json. */
export interface FakeFuzzingServerOptions {
  readonly cases?: readonly string[];
  readonly excludeCases?: readonly string[];
  /** Serve `wss://` with this PEM certificate chain and key. */
  readonly tls?: { readonly cert: string; readonly key: string };
}

const textEncoder = new TextEncoder();

/** Sends one text message and a close (1000), then waits for the close reply and drops TCP. */
async function replyAndClose(connection: RawConnection, message?: string): Promise<void> {
  if (message !== undefined) {
    await connection.write(frame(Opcode.text, textEncoder.encode(message)));
  }
  await connection.write(frame(Opcode.close, closePayload(1000)));
  await connection
    .waitFor((frames) => frames.some((f) => f.opcode === Opcode.close), "the close reply")
    .catch(() => {});
  connection.end();
  await connection.ended;
}

/** Starts the fake fuzzing server on 127.0.0.1 (port 0). */
export async function startFakeFuzzingServer(
  options: FakeFuzzingServerOptions = {},
): Promise<FakeFuzzingServer> {
  const cases = selectCases(options.cases ?? ["*"], options.excludeCases ?? []);
  const verdicts = new Map<string, Map<string, CaseVerdict>>();
  const waiters = new Map<string, ((verdict: CaseVerdict) => void)[]>();
  const reportsUpdated: string[] = [];
  const requests: string[] = [];
  const key = (agent: string, id: string) => `${agent}\u0000${id}`;

  const record = (agent: string, verdict: CaseVerdict) => {
    let byCase = verdicts.get(agent);
    if (byCase === undefined) {
      byCase = new Map();
      verdicts.set(agent, byCase);
    }
    byCase.set(verdict.id, verdict);
    for (const resolve of waiters.get(key(agent, verdict.id)) ?? []) resolve(verdict);
    waiters.delete(key(agent, verdict.id));
  };

  const caseAt = (query: URLSearchParams): AutobahnCase | undefined => {
    const n = Number(query.get("case"));
    return Number.isInteger(n) && n >= 1 ? cases[n - 1] : undefined;
  };

  const handle = async (connection: RawConnection) => {
    requests.push(connection.path);
    const url = new URL(connection.path, "http://fuzzingserver");
    const agent = url.searchParams.get("agent") ?? "";
    switch (url.pathname) {
      case "/getCaseCount":
        await replyAndClose(connection, JSON.stringify(cases.length));
        return;
      case "/getCaseInfo": {
        const found = caseAt(url.searchParams);
        await replyAndClose(
          connection,
          JSON.stringify(found ? { id: found.id, description: `Autobahn case ${found.id}` } : null),
        );
        return;
      }
      case "/getCaseStatus": {
        const found = caseAt(url.searchParams);
        const verdict = found ? verdicts.get(agent)?.get(found.id) : undefined;
        await replyAndClose(connection, JSON.stringify({ behavior: verdict?.behavior ?? null }));
        return;
      }
      case "/runCase": {
        const found = caseAt(url.searchParams);
        if (found === undefined) {
          await replyAndClose(connection);
          return;
        }
        record(agent, await runCaseScript(found.id, connection, found.build(), "server"));
        return;
      }
      case "/updateReports":
        reportsUpdated.push(agent);
        await replyAndClose(connection);
        return;
      default:
        await replyAndClose(connection);
    }
  };

  const raw = await startRawServer(
    (connection) => {
      handle(connection).catch(() => connection.destroy());
    },
    options.tls === undefined ? {} : { tls: options.tls },
  );
  return {
    url: `${options.tls === undefined ? "ws" : "wss"}://127.0.0.1:${raw.port}`,
    port: raw.port,
    cases,
    verdicts,
    reportsUpdated,
    requests,
    verdict(agent, id) {
      const done = verdicts.get(agent)?.get(id);
      if (done !== undefined) return Promise.resolve(done);
      return new Promise((resolve) => {
        const list = waiters.get(key(agent, id)) ?? [];
        list.push(resolve);
        waiters.set(key(agent, id), list);
      });
    },
    close: () => raw.close(),
  };
}
