/**
 * The command line, as a function of its arguments and its output streams (so tests run it
 * in-process):
 *
 *     file-transfer send FILE ws://HOST:PORT/ [--name NAME]
 *     file-transfer receive --port P --dir D [--host H] [--once] [--max-size BYTES]
 *
 * Results go to stdout, progress and failures to stderr. Exit codes: 0 success, 1 a transfer
 * failed, 2 a bad command line.
 */
import { stat } from "node:fs/promises";
import { basename } from "node:path";
import { parseArgs } from "node:util";
import { messageOf, statusName } from "./outcome.js";
import { formatBytes, ProgressBar, type ProgressOutput } from "./progress.js";
import { type ReceivedTransfer, startReceiver } from "./receiver.js";
import { type SendOptions, sendFile } from "./sender.js";

/** Where the CLI writes, and what stops a `receive`. */
export interface CliIo {
  readonly stdout: ProgressOutput;
  readonly stderr: ProgressOutput;
  /** Aborting it stops a running `receive` (main.ts wires SIGINT/SIGTERM to it). */
  readonly signal?: AbortSignal;
  /** Test hooks and socket options for `send`. */
  readonly sendOptions?: SendOptions;
}

/** The usage text. */
export const USAGE = `usage: file-transfer send FILE ws://HOST:PORT/ [--name NAME]
       file-transfer receive --port P --dir D [--host 127.0.0.1] [--once] [--max-size BYTES]`;

class UsageError extends Error {}

function portOf(value: string | undefined): number {
  const n = Number(value);
  if (value === undefined || !Number.isInteger(n) || n < 0 || n > 65_535) {
    throw new UsageError(`--port: not a port: ${String(value)}`);
  }
  return n;
}

/** Runs the CLI with `args` (without `node main.js`); resolves with the exit code. */
export async function runCli(args: readonly string[], io: CliIo): Promise<number> {
  try {
    const [command, ...rest] = args;
    if (command === "send") return await send(rest, io);
    if (command === "receive") return await receive(rest, io);
    if (command === "--help" || command === "-h") {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    }
    throw new UsageError(command === undefined ? "no command" : `unknown command ${command}`);
  } catch (error) {
    if (
      error instanceof UsageError ||
      (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")
    ) {
      io.stderr.write(`${messageOf(error)}\n${USAGE}\n`);
      return 2;
    }
    throw error;
  }
}

async function send(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { name: { type: "string" } },
    allowPositionals: true,
  });
  const [file, url] = positionals;
  if (file === undefined || url === undefined || positionals.length > 2) {
    throw new UsageError("send needs FILE and ws://HOST:PORT/");
  }
  try {
    if (!(await stat(file)).isFile()) throw new Error(`${file} is not a file`);
  } catch (error) {
    io.stderr.write(`send failed: ${messageOf(error)}\n`);
    return 1;
  }
  let bar: ProgressBar | undefined;
  const result = await sendFile(file, url, {
    ...io.sendOptions,
    ...(values.name === undefined ? {} : { name: values.name }),
    onHashed: (size) => {
      bar = new ProgressBar(io.stderr, `send ${values.name ?? basename(file)}`, size);
    },
    onProgress: (sent) => bar?.update(sent),
  });
  bar?.finish(result.sent);
  if (result.ok) {
    io.stdout.write(
      `sent ${result.name}: ${result.size} bytes (${formatBytes(result.size)}), sha256 ${result.sha256}, confirmed by the receiver\n`,
    );
    return 0;
  }
  io.stderr.write(
    `send failed: ${statusName(result.errorStatus)} (${result.detail}): ${result.sent} bytes sent, ${result.confirmed} bytes confirmed by the receiver\n`,
  );
  return 1;
}

function report(transfer: ReceivedTransfer, io: CliIo): void {
  if (transfer.ok) {
    io.stdout.write(
      `received ${transfer.name} -> ${transfer.path}: ${transfer.size} bytes, sha256 ${transfer.sha256} verified\n`,
    );
  } else {
    io.stderr.write(
      `receive failed: ${JSON.stringify(transfer.name)}: ${statusName(transfer.errorStatus)} (${transfer.detail}): ${transfer.confirmed} of ${transfer.size} bytes confirmed\n`,
    );
  }
}

async function receive(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      port: { type: "string" },
      dir: { type: "string" },
      host: { type: "string" },
      once: { type: "boolean" },
      "max-size": { type: "string" },
    },
  });
  if (values.dir === undefined) throw new UsageError("receive needs --dir D");
  const maxSize = values["max-size"] === undefined ? undefined : Number(values["max-size"]);
  if (maxSize !== undefined && !(Number.isSafeInteger(maxSize) && maxSize >= 0)) {
    throw new UsageError(`--max-size: not a byte count: ${values["max-size"]}`);
  }
  if (!(await stat(values.dir).catch(() => null))?.isDirectory()) {
    io.stderr.write(`receive failed: ${values.dir} is not a directory\n`);
    return 1;
  }
  let finish: (code: number) => void = () => {};
  const finished = new Promise<number>((resolve) => {
    finish = resolve;
  });
  const receiver = await startReceiver({
    port: portOf(values.port),
    host: values.host ?? "127.0.0.1",
    dir: values.dir,
    ...(maxSize === undefined ? {} : { maxSize }),
    hooksFor: () => {
      let bar: ProgressBar | undefined;
      return {
        onStart: (header, fileName) => {
          bar = new ProgressBar(io.stderr, `receive ${fileName}`, header.size);
        },
        onProgress: (done) => bar?.update(done),
        onEnd: (transfer) => bar?.finish(transfer.confirmed),
      };
    },
    onTransfer: (transfer) => {
      report(transfer, io);
      if (values.once === true) finish(transfer.ok ? 0 : 1);
    },
  });
  io.stdout.write(`listening ${receiver.url}\n`);
  const onAbort = () => finish(0);
  io.signal?.addEventListener("abort", onAbort, { once: true });
  const code = await finished;
  io.signal?.removeEventListener("abort", onAbort);
  await receiver.close();
  return code;
}
