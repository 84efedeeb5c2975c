/**
 * Interop with Debian's python3-websockets (10.4, asyncio API) run by /usr/bin/python3, both
 * roles, over ws:// and wss:// (Python's ssl module on one side, Node's TLS on the other): our
 * MessageWebSocket client ↔ its echo server, its client ↔ our MessageWebSocketListener echo —
 * text, binary, fragmented, 16 MiB, close codes, subprotocols, pings.
 *
 * CI installs it with `apt-get install -y python3-websockets`. Without it the suite is skipped
 * with a loud message (the only reason it may skip).
 */
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeAuthority } from "../../../../tests/support/certs.js";
import {
  connectClient,
  type OurServer,
  SocketMessageType,
  sendFragmented,
  sixteenMiB,
  startOurServer,
} from "./interop-helpers.js";

const PYTHON = "/usr/bin/python3";
const fixture = (name: string) => fileURLToPath(new URL(`fixtures/${name}`, import.meta.url));
const probe = spawnSync(PYTHON, ["-c", "import websockets; print(websockets.__version__)"], {
  encoding: "utf8",
});
const pythonVersion = probe.status === 0 ? probe.stdout.trim() : undefined;
if (pythonVersion === undefined) {
  console.warn(
    "\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n" +
      `!!! SKIPPING the python3-websockets interop tests: ${PYTHON} cannot import websockets.\n` +
      "!!! Install it with: sudo apt-get install -y python3-websockets\n" +
      "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n",
  );
}

/** A running Python process and its stdout lines. */
interface PythonProcess {
  readonly proc: ChildProcessWithoutNullStreams;
  readonly lines: string[];
  /** Resolves with the first line matching `re` (now or later). */
  line(re: RegExp): Promise<string>;
}

function startPython(args: string[]): PythonProcess {
  const proc = spawn(PYTHON, args);
  const lines: string[] = [];
  let waiters: (() => void)[] = [];
  let stderr = "";
  proc.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  createInterface({ input: proc.stdout }).on("line", (l) => {
    lines.push(l);
    for (const w of waiters) w();
  });
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  return {
    proc,
    lines,
    line: (re) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const found = lines.find((l) => re.test(l));
          if (found !== undefined) {
            waiters = waiters.filter((w) => w !== check);
            resolve(found);
          }
        };
        waiters.push(check);
        check();
        exited.then(() => {
          check();
          reject(new Error(`python exited without printing ${re}; stderr:\n${stderr}`));
        });
      }),
  };
}

/** A CA and a localhost certificate, as PEM text and as files for Python. */
const tls = { ca: "", cert: "", key: "", caFile: "", certFile: "", keyFile: "" };

describe.skipIf(pythonVersion === undefined)(`python3-websockets ${pythonVersion}`, () => {
  beforeAll(async () => {
    const authority = await makeAuthority("python interop CA");
    const issued = await authority.issue({
      commonName: "localhost",
      dns: ["localhost"],
      ips: ["127.0.0.1"],
    });
    const dir = mkdtempSync(join(tmpdir(), "netsockets-python-"));
    Object.assign(tls, {
      ca: authority.cert,
      cert: issued.cert,
      key: issued.key,
      caFile: join(dir, "ca.pem"),
      certFile: join(dir, "cert.pem"),
      keyFile: join(dir, "key.pem"),
    });
    writeFileSync(tls.caFile, authority.cert);
    writeFileSync(tls.certFile, issued.cert);
    writeFileSync(tls.keyFile, issued.key);
  });

  describe.each(["ws", "wss"])("our client ↔ its echo server (%s://)", (scheme) => {
    let server: PythonProcess;
    let base = "";
    const options = () => (scheme === "wss" ? { ca: tls.ca } : {});
    beforeAll(async () => {
      const args = scheme === "wss" ? [tls.certFile, tls.keyFile] : [];
      server = startPython([fixture("python_echo_server.py"), ...args]);
      const port = (await server.line(/^listening \d+$/)).split(" ")[1];
      base = `${scheme}://127.0.0.1:${port}`;
    });
    afterAll(() => {
      server.proc.kill();
    });

    it("echoes text, binary, fragmented and 16 MiB messages; negotiates the subprotocol; close 4000 both ways", async () => {
      const client = await connectClient(`${base}/`, {
        supportedProtocols: ["x.v9", "echo.v2"],
        ...options(),
      });
      expect(client.socket.information.protocol).toBe("echo.v2");
      await client.socket.sendAsync("héllo ✓");
      expect(await client.next()).toMatchObject({ type: SocketMessageType.utf8, text: "héllo ✓" });
      const binary = new Uint8Array([0, 1, 0xfe, 0xff]);
      await client.socket.sendAsync(binary, { messageType: SocketMessageType.binary });
      const echoed = await client.next();
      expect(echoed.type).toBe(SocketMessageType.binary);
      expect(echoed.bytes).toEqual(binary);
      // "✓" (e2 9c 93) split across frames: the message as a whole is valid UTF-8.
      const check = Buffer.from("fragmented ✓");
      await sendFragmented(client.socket, SocketMessageType.utf8, [
        check.subarray(0, 4),
        check.subarray(4, 12),
        check.subarray(12),
      ]);
      expect(await client.next()).toMatchObject({
        type: SocketMessageType.utf8,
        text: "fragmented ✓",
      });
      await sendFragmented(client.socket, SocketMessageType.binary, [
        new Uint8Array([1]),
        new Uint8Array(0),
        new Uint8Array([2]),
      ]);
      expect((await client.next()).bytes).toEqual(new Uint8Array([1, 2]));
      const big = sixteenMiB();
      await client.socket.sendAsync(big, { messageType: SocketMessageType.binary });
      const bigEcho = await client.next();
      expect(bigEcho.bytes.length).toBe(big.length);
      expect(Buffer.from(bigEcho.bytes).equals(big)).toBe(true);
      client.socket.close(4000, "done");
      expect(await client.closed).toEqual({ code: 4000, reason: "done" });
      const report = JSON.parse(await server.line(/"path": "\/".*"code": 4000/));
      expect(report).toEqual({ path: "/", code: 4000, reason: "done", subprotocol: "echo.v2" });
    });

    it("reports the server's close code and reason (4001 'bye')", async () => {
      const client = await connectClient(`${base}/server-closes`, options());
      expect(client.socket.information.protocol).toBeNull();
      await client.socket.sendAsync("close please");
      expect(await client.closed).toEqual({ code: 4001, reason: "bye" });
    });

    it("answers the server's ping with a pong (the server waits for it before sending)", async () => {
      const client = await connectClient(`${base}/server-pings`, options());
      expect((await client.next()).text).toBe("pong received");
      client.socket.close(1000, "");
      expect((await client.closed).code).toBe(1000);
    });
  });

  describe.each(["ws", "wss"])("its client ↔ our echo server (%s://)", (scheme) => {
    let ours: OurServer;
    beforeAll(async () => {
      ours = await startOurServer(scheme === "wss" ? { cert: tls.cert, key: tls.key } : undefined);
    });
    afterAll(() => ours.close());

    it("text, binary, fragmented, 16 MiB, subprotocol, ping, close 4002 both ways", async () => {
      const args = scheme === "wss" ? [ours.url, tls.caFile] : [ours.url];
      const client = startPython([fixture("python_client.py"), ...args]);
      const seen = JSON.parse(await client.line(/^\{/));
      expect(seen).toEqual({
        subprotocol: "chat.v1",
        echoes: 5,
        pong: true,
        close_code: 4002,
        // Our close reply echoes the code, not the reason (RFC 6455 §5.5.1: "typically echos
        // the status code it received"); Python websockets echoes both (4000 "done" above).
        close_reason: "",
      });
      expect(await ours.closes[0]).toEqual({ code: 4002, reason: "py bye" });
    });
  });
});
