import { Connection } from "@netsockets/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { createDriver, type Driver } from "../../src/driver/driver.js";
import { nodeConnectionOptions } from "../../src/driver/node-connection-options.js";
import { Recorder, tcpPair } from "./harness.js";

// Drivers made with equal options share what those resolve to; these pin that each one still
// behaves by its own options when the options alternate.

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

async function driverWith(outboundBufferSizeInBytes: number): Promise<Driver> {
  const { socket, close } = await tcpPair(true);
  cleanups.push(close);
  const driver = createDriver(
    socket,
    new Connection(nodeConnectionOptions("client")),
    new Recorder(),
    { outboundBufferSizeInBytes },
  );
  cleanups.push(() => driver.abort());
  return driver;
}

describe("drivers with alternating options", () => {
  it("each keeps its own high-water mark", async () => {
    const small = await driverWith(1024);
    const large = await driverWith(1024 * 1024);
    const smallAgain = await driverWith(1024);
    const payload = new Uint8Array(8 * 1024);
    for (const driver of [small, large, smallAgain])
      void driver.sendBinary(payload).catch(() => {});
    expect([small.writable, large.writable, smallAgain.writable]).toEqual([false, true, false]);
  });
});
