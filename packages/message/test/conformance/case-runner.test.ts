/**
 * The judge must be able to say FAILED: the case runner against implementations that are
 * correct (ws, for cases it passes strictly), not strict (ws does not fail fast on UTF-8, 6.4.x)
 * or broken on purpose (echoing text as binary, closing with the wrong code).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import { caseById } from "./autobahn-cases.js";
import { runCaseScript } from "./case-runner.js";
import { rawClientConnect } from "./raw-peer.js";

describe("runCaseScript judges", () => {
  let wss: WebSocketServer;
  let port = 0;
  beforeAll(async () => {
    wss = new WebSocketServer({ host: "127.0.0.1", port: 0, maxPayload: 1024 });
    await new Promise((resolve) => wss.once("listening", resolve));
    port = (wss.address() as { port: number }).port;
    wss.on("connection", (ws, request) => {
      ws.on("error", () => {});
      ws.on("message", (data, isBinary) => {
        if (request.url === "/as-binary") ws.send(data, { binary: true });
        else if (request.url === "/close-1000") ws.close(1000);
        else ws.send(data, { binary: isBinary });
      });
    });
  });
  afterAll(() => new Promise<void>((resolve) => wss.close(() => resolve())));

  const judge = async (id: string, path = "/", guardMs = 20_000) =>
    runCaseScript(id, await rawClientConnect(port, path), caseById(id).build(), "client", guardMs);

  it("OK for a correct echo (ws on 1.1.2, 2.10, 5.6, 7.9.1)", async () => {
    for (const id of ["1.1.2", "2.10", "5.6", "7.9.1"]) {
      const verdict = await judge(id);
      expect(verdict, id).toMatchObject({ behavior: "OK", behaviorClose: "OK", failures: [] });
    }
  });

  it("FAILED when the echo has the wrong type", async () => {
    const verdict = await judge("1.1.2", "/as-binary");
    expect(verdict.behavior).toBe("FAILED");
    expect(verdict.failures.join()).toMatch(/expected \[text\(125: .*got \[binary\(125/);
  });

  it("FAILED (behaviorClose) when the close code is wrong: 1009 over ws's 1 KiB limit in 9.1.1", async () => {
    const verdict = await judge("9.1.1");
    expect(verdict.remoteCloseCode).toBe(1009);
    expect(verdict.behavior).toBe("FAILED"); // no echo either
  });

  it("FAILED when the implementation closes instead of echoing", async () => {
    const verdict = await judge("3.2", "/close-1000");
    expect(verdict.remoteCloseCode).toBe(1000);
    expect(verdict.failures.join()).toMatch(/expected \[text\(13: .*close\(1002\)\]/);
  });

  it("FAILED for 6.4.1 when the implementation does not fail fast (ws checks UTF-8 at the end)", async () => {
    const verdict = await judge("6.4.1", "/", 300);
    expect(verdict.behavior).toBe("FAILED");
    expect(verdict.failures[0]).toMatch(/fail fast/);
  });
});
