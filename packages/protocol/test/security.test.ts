/**
 * Regression tests for the incidents of peers.md §3 that concern the frame layer: S2 (a huge
 * announced length), S11 (many tiny fragments and TCP chunks), S12 (a running total across
 * fragments), S14 (the 64-bit length's top bit). Memory is measured as the peak RSS of a forked
 * child, with headroom.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Connection } from "../src/connection.js";
import { concatBytes, drive, frame, hex, toHex } from "../src/testing/index.js";

const MiB = 1024 * 1024;

function child(mode: string): { result: { seen: string[]; dataEvents: number }; growth: number } {
  const script = fileURLToPath(new URL("./fixtures/flood-child.ts", import.meta.url));
  const run = spawnSync(
    process.execPath,
    ["--import", "tsx", "--conditions=@netsockets/source", script, mode],
    { encoding: "utf8", timeout: 240_000 },
  );
  expect(run.stderr).toBe("");
  expect(run.status).toBe(0);
  return JSON.parse(run.stdout.trim().split("\n").at(-1) as string);
}

describe("S2: a frame header announcing a huge length", () => {
  it.each(["client", "server"] as const)("closes 1009 on the header alone, as %s", (role) => {
    // Only the 10 header bytes (no mask key, no body): nothing more is waited for.
    const header = hex(`82 ${role === "server" ? "ff" : "7f"} 40 00 00 00 00 00 00 00`);
    const { events, output } = drive(new Connection({ role }), [header]);
    expect(events).toMatchObject([
      { type: "close", code: 1009, error: { code: "WS_ERR_MESSAGE_TOO_BIG" } },
    ]);
    expect(output.length).toBeGreaterThan(0);
  });

  it("closes 1009 on a length just over the limit, before its payload", () => {
    const connection = new Connection({ role: "client", limits: { maxMessageSize: 65_536 } });
    const { events } = drive(connection, [hex("82 7f 00 00 00 00 00 01 00 01")]);
    expect(events).toMatchObject([{ type: "close", code: 1009 }]);
    const atLimit = new Connection({ role: "client", limits: { maxMessageSize: 65_536 } });
    expect(drive(atLimit, [hex("82 7f 00 00 00 00 00 01 00 00")]).events).toEqual([]);
  });
});

describe("S12: the size limit holds across fragments", () => {
  it("fails when fragments each under the limit add up to more", () => {
    const connection = new Connection({ role: "client", limits: { maxMessageSize: 1000 } });
    const fragments = [
      frame(2, new Uint8Array(400), { fin: false }),
      frame(0, new Uint8Array(400), { fin: false }),
    ];
    const ok = drive(connection, [concatBytes(fragments)]);
    expect(ok.events.at(-1)).toMatchObject({ type: "data", messageFinished: false });
    // The third fragment's header is enough: 1200 > 1000.
    const { events, output } = drive(connection, [hex("00 7e 01 90")]);
    expect(events).toMatchObject([{ type: "close", code: 1009 }]);
    expect(toHex(output).slice(0, 4)).toBe("8882");
  });
});

describe("S11: many tiny fragments and TCP chunks", () => {
  it("10^6 empty continuation frames in 1-byte chunks close 1008 with bounded memory", () => {
    const { result, growth } = child("fragments");
    expect(result.seen).toEqual(["close 1008 WS_ERR_TOO_MANY_FRAGMENTS"]);
    // 6 MB of input arrived as 6·10^6 chunks; kept as chunk objects it would take > 500 MB.
    expect(growth).toBeLessThan(64 * MiB);
  });

  it("with maxFragments raised, the same message completes with bounded memory", () => {
    const { result, growth } = child("fragments-unlimited");
    // Only the first and the last (empty) pieces are reported: empty middles carry nothing.
    expect(result).toEqual({ seen: [], dataEvents: 2 });
    expect(growth).toBeLessThan(64 * MiB);
  });

  it("a 4 MiB message in 4·10^6 one-byte chunks costs memory by bytes, not by chunks", () => {
    const { result, growth } = child("bytes");
    expect(result.seen).toEqual([]);
    expect(result.dataEvents).toBeGreaterThan(0);
    expect(growth).toBeLessThan(96 * MiB);
  });
});

describe("S14: the 64-bit length", () => {
  it("fails with 1002 when its top bit is set, in both roles", () => {
    for (const role of ["client", "server"] as const) {
      const bytes = hex(`82 ${role === "server" ? "ff" : "7f"} 80 00 00 00 00 00 00 00`);
      const { events } = drive(new Connection({ role }), [bytes]);
      expect(events).toMatchObject([
        { type: "close", code: 1002, error: { code: "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH" } },
      ]);
    }
  });
});
