import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { MessageWebSocket } from "netsockets";
import { expect, it } from "vitest";

const main = fileURLToPath(new URL("../dist/main.js", import.meta.url));

it("node dist/main.js --port 0 prints the URL, serves the page and the chat; SIGTERM → 1001, exit 0", async () => {
  const proc = spawn(process.execPath, [main, "--port", "0"]);
  try {
    const url = await new Promise<string>((resolve, reject) => {
      proc.once("exit", (code) => reject(new Error(`exited with ${code} before listening`)));
      createInterface({ input: proc.stdout }).on("line", (line) => {
        const match = /^chat at (http:\/\/127\.0\.0\.1:\d+\/)$/.exec(line);
        if (match?.[1] !== undefined) resolve(match[1]);
      });
    });
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("<title>netsockets chat</title>");
    expect((await fetch(new URL("/chat.js", url))).status).toBe(200);

    const socket = new MessageWebSocket();
    const welcome = new Promise<{ type: string; members: string[] }>((resolve) =>
      socket.addEventListener("messagereceived", (args) => {
        const reader = args.getDataReader();
        resolve(JSON.parse(reader.readString(reader.unconsumedBufferLength)));
      }),
    );
    const closed = new Promise<number>((resolve) =>
      socket.addEventListener("closed", (args) => resolve(args.code)),
    );
    await socket.connectAsync(new URL("/ws", url.replace(/^http/, "ws")));
    await socket.sendAsync(JSON.stringify({ type: "join", room: "dist", nick: "smoke" }));
    expect(await welcome).toMatchObject({ type: "welcome", members: ["smoke"] });
    const exited = new Promise<number | null>((resolve) => proc.once("exit", resolve));
    proc.kill("SIGTERM");
    expect(await closed).toBe(1001);
    expect(await exited).toBe(0);
  } finally {
    proc.kill("SIGKILL");
  }
});

it("a bad --port exits 2", async () => {
  const proc = spawn(process.execPath, [main, "--port", "nope"]);
  expect(await new Promise((resolve) => proc.once("exit", resolve))).toBe(2);
});
