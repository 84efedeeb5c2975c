import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DataReader, DataWriter, StreamWebSocket, WebErrorStatus } from "netsockets";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../src/cli.js";
import {
  type ReceivedTransfer,
  type Receiver,
  readStatus,
  sendFile,
  startReceiver,
  TransferStatus,
  writeHeader,
} from "../src/index.js";
import { writeGeneratedFile } from "./generated-file.js";

const MiB = 1024 * 1024;
const root = mkdtempSync(join(tmpdir(), "file-transfer-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirCount = 0;
const freshDir = () => {
  const dir = join(root, `d${dirCount++}`);
  mkdirSync(dir);
  return dir;
};
const capture = () => {
  const out = { text: "", isTTY: false, write: (s: string) => (out.text += s) };
  return out;
};
const socketOptions = { proxy: false } as const;

describe("with an in-process receiver", () => {
  let dir: string;
  let receiver: Receiver;
  /** Transfers that ended, in order; `next()` takes the oldest, waiting if there is none. */
  let ended: ReceivedTransfer[];
  let waiting: ((t: ReceivedTransfer) => void)[];
  const next = () =>
    new Promise<ReceivedTransfer>((resolve) => {
      const first = ended.shift();
      if (first !== undefined) resolve(first);
      else waiting.push(resolve);
    });
  beforeEach(async () => {
    dir = freshDir();
    ended = [];
    waiting = [];
    receiver = await startReceiver({
      dir,
      onTransfer: (t) => {
        const waiter = waiting.shift();
        if (waiter !== undefined) waiter(t);
        else ended.push(t);
      },
    });
  });
  afterEach(() => receiver.close());

  it("sends a file: same bytes, final name, no .part, progress on both sides", async () => {
    const file = join(freshDir(), "notes.txt");
    await writeGeneratedFile(file, 3 * MiB + 17, 5);
    const progress: number[] = [];
    const received = next();
    const sent = await sendFile(file, receiver.url, {
      socketOptions,
      onProgress: (s) => progress.push(s),
    });
    expect(sent).toMatchObject({ ok: true, status: TransferStatus.complete, sent: 3 * MiB + 17 });
    expect(sent.confirmed).toBe(3 * MiB + 17);
    expect(progress.at(-1)).toBe(3 * MiB + 17);
    const transfer = await received;
    expect(transfer).toMatchObject({ ok: true, name: "notes.txt", path: join(dir, "notes.txt") });
    expect(readdirSync(dir)).toEqual(["notes.txt"]);
    expect(readFileSync(join(dir, "notes.txt")).equals(readFileSync(file))).toBe(true);
  });

  it("an empty file arrives too", async () => {
    const file = join(freshDir(), "empty");
    writeFileSync(file, "");
    const sent = await sendFile(file, receiver.url, { socketOptions });
    expect(sent.ok).toBe(true);
    await next();
    expect(readdirSync(dir)).toEqual(["empty"]);
  });

  it("a name with path components is sanitized: ../../etc/passwd lands as DIR/passwd", async () => {
    const file = join(freshDir(), "payload");
    writeFileSync(file, "root::0:0::/:/bin/sh\n");
    const sent = await sendFile(file, receiver.url, { socketOptions, name: "../../etc/passwd" });
    expect(sent.ok).toBe(true);
    const transfer = await next();
    expect(transfer.name).toBe("../../etc/passwd");
    expect(transfer.path).toBe(join(dir, "passwd"));
    expect(readdirSync(dir)).toEqual(["passwd"]);
    expect(readdirSync(root).filter((f) => f === "passwd" || f === "etc")).toEqual([]);
  });

  it("never replaces an existing file: the second copy is NAME (1).EXT", async () => {
    writeFileSync(join(dir, "a.txt"), "existing");
    const file = join(freshDir(), "a.txt");
    writeFileSync(file, "new");
    expect((await sendFile(file, receiver.url, { socketOptions })).ok).toBe(true);
    expect((await next()).path).toBe(join(dir, "a (1).txt"));
    expect(readFileSync(join(dir, "a.txt"), "utf8")).toBe("existing");
    expect(readFileSync(join(dir, "a (1).txt"), "utf8")).toBe("new");
  });

  it("a byte corrupted in flight: hash mismatch, no rename, .part deleted, both sides report", async () => {
    const file = join(freshDir(), "data.bin");
    await writeGeneratedFile(file, 9 * MiB, 6);
    const sent = await sendFile(file, receiver.url, {
      socketOptions,
      tamper: (chunk, offset) => {
        // Flip one byte of the 6th MiB after it was hashed.
        if (offset === 5 * MiB) chunk[1234] = (chunk[1234] as number) ^ 0xff;
      },
    });
    const transfer = await next();
    for (const side of [sent, transfer]) {
      expect(side.ok).toBe(false);
      expect(side.status).toBe(TransferStatus.hashMismatch);
      expect(side.errorStatus).toBe(WebErrorStatus.preconditionFailed);
      expect(side.confirmed).toBe(9 * MiB);
    }
    expect(readdirSync(dir)).toEqual([]);
  });

  it("a malformed header gets a badHeader status record and nothing is written", async () => {
    const socket = new StreamWebSocket(socketOptions);
    await socket.connectAsync(receiver.url);
    await socket.outputStream.writeAsync(new TextEncoder().encode("GET / HTTP/1.1\r\n\r\n"));
    const record = await readStatus(new DataReader(socket.inputStream));
    expect(record).toEqual({ confirmed: 0, status: TransferStatus.badHeader });
    const transfer = await next();
    expect(transfer).toMatchObject({ ok: false, errorStatus: WebErrorStatus.badRequest });
    expect(readdirSync(dir)).toEqual([]);
    socket.close();
  });

  it("a sender that disconnects mid-body: the receiver reports disconnected and deletes the .part", async () => {
    const socket = new StreamWebSocket(socketOptions);
    await socket.connectAsync(receiver.url);
    const writer = new DataWriter(socket.outputStream);
    writeHeader(writer, { name: "half.bin", size: 1000, sha256: new Uint8Array(32) });
    writer.writeBytes(new Uint8Array(400));
    await writer.storeAsync();
    socket.close(1000, "bye");
    const transfer = await next();
    expect(transfer).toMatchObject({
      ok: false,
      status: null,
      errorStatus: WebErrorStatus.disconnected,
      confirmed: 400,
    });
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe("limits", () => {
  it("--max-size: a bigger file is refused at the header; the sender stops and both report badRequest", async () => {
    const dir = freshDir();
    let transfer: ReceivedTransfer | undefined;
    const receiver = await startReceiver({
      dir,
      maxSize: MiB,
      onTransfer: (t) => {
        transfer = t;
      },
    });
    try {
      const file = join(freshDir(), "big.bin");
      await writeGeneratedFile(file, 32 * MiB, 10);
      const sent = await sendFile(file, receiver.url, { socketOptions });
      expect(sent).toMatchObject({
        ok: false,
        status: TransferStatus.badHeader,
        errorStatus: WebErrorStatus.badRequest,
        confirmed: 0,
      });
      expect(sent.sent).toBeLessThan(32 * MiB); // it stopped early
      expect(transfer).toMatchObject({ ok: false, errorStatus: WebErrorStatus.badRequest });
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      await receiver.close();
    }
  });
});

describe("the CLI (in-process)", () => {
  it("hash mismatch: both sides print preconditionFailed and the bytes confirmed; exit 1", async () => {
    const dir = freshDir();
    const file = join(freshDir(), "c.bin");
    await writeGeneratedFile(file, 2 * MiB, 8);
    const rOut = capture();
    const rErr = capture();
    const listening = new Promise<string>((resolve) => {
      rOut.write = (s: string) => {
        rOut.text += s;
        const url = /^listening (\S+)\n/.exec(s)?.[1];
        if (url !== undefined) resolve(url);
        return s;
      };
    });
    const receiving = runCli(["receive", "--port", "0", "--dir", dir, "--once"], {
      stdout: rOut,
      stderr: rErr,
    });
    const url = await listening;
    const sOut = capture();
    const sErr = capture();
    const sendCode = await runCli(["send", file, url], {
      stdout: sOut,
      stderr: sErr,
      sendOptions: { socketOptions, tamper: (chunk) => chunk.fill(0, 0, 1) },
    });
    expect(sendCode).toBe(1);
    expect(await receiving).toBe(1);
    expect(sOut.text).toBe("");
    expect(sErr.text).toMatch(
      /\nsend failed: preconditionFailed \(SHA-256 mismatch\): 2097152 bytes sent, 2097152 bytes confirmed by the receiver\n$/,
    );
    expect(rErr.text).toMatch(
      /\nreceive failed: "c\.bin": preconditionFailed \(the SHA-256 .*\): 2097152 of 2097152 bytes confirmed\n$/,
    );
    // Non-TTY progress: plain lines.
    expect(sErr.text).toMatch(/^send c\.bin \[-+\] +0\.0%/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("success: both sides print the name, size and hash; exit 0", async () => {
    const dir = freshDir();
    const file = join(freshDir(), "ok.bin");
    const sha = await writeGeneratedFile(file, MiB, 9);
    const rOut = capture();
    const listening = new Promise<string>((resolve) => {
      rOut.write = (s: string) => {
        rOut.text += s;
        const url = /^listening (\S+)\n/.exec(s)?.[1];
        if (url !== undefined) resolve(url);
        return s;
      };
    });
    const receiving = runCli(["receive", "--port", "0", "--dir", dir, "--once"], {
      stdout: rOut,
      stderr: capture(),
    });
    const sOut = capture();
    const code = await runCli(["send", file, await listening], {
      stdout: sOut,
      stderr: capture(),
      sendOptions: { socketOptions },
    });
    expect(code).toBe(0);
    expect(await receiving).toBe(0);
    expect(sOut.text).toBe(
      `sent ok.bin: 1048576 bytes (1.0 MiB), sha256 ${sha}, confirmed by the receiver\n`,
    );
    expect(rOut.text).toContain(
      `received ok.bin -> ${join(dir, "ok.bin")}: 1048576 bytes, sha256 ${sha} verified\n`,
    );
  });

  it("nobody listening: cannotConnect, 0 bytes confirmed", async () => {
    const file = join(freshDir(), "x");
    writeFileSync(file, "x");
    const receiver = await startReceiver({ dir: freshDir() });
    const url = receiver.url;
    await receiver.close();
    const err = capture();
    const code = await runCli(["send", file, url], {
      stdout: capture(),
      stderr: err,
      sendOptions: { socketOptions },
    });
    expect(code).toBe(1);
    expect(err.text).toMatch(/send failed: cannotConnect \(.*\): 0 bytes sent, 0 bytes confirmed/);
  });

  it("a bad command line exits 2 with the usage", async () => {
    for (const args of [
      [],
      ["send", "only-file"],
      ["receive", "--port", "x", "--dir", "."],
      ["fly"],
    ]) {
      const err = capture();
      expect(await runCli(args, { stdout: capture(), stderr: err })).toBe(2);
      expect(err.text).toContain("usage: file-transfer send FILE");
    }
  });
});
