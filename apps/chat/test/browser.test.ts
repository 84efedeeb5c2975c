/**
 * The chat end to end in real headless Chromium (Debian's package, driven by playwright-core):
 * two pages join a room and see each other's messages and join/leave notices, a late joiner gets
 * the history, and a screenshot goes to test-artifacts/chat.png at the repository root.
 */
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChatServer, startChatServer } from "../src/chat-server.js";
import { CHROMIUM_ARGS, CHROMIUM_PATH, ensureChromium } from "./chromium.js";

const status = ensureChromium();
if (!status.ok) {
  // In CI a missing browser is a failure; on a developer's machine a loud skip.
  if (process.env.CI) throw new Error(`chat browser test: ${status.reason}`);
  console.warn(
    `\n${"!".repeat(78)}\n!! chat browser test SKIPPED: ${status.reason}\n${"!".repeat(78)}\n`,
  );
}

const ARTIFACTS = fileURLToPath(new URL("../../../test-artifacts/", import.meta.url));
const WAIT = { timeout: 15_000 };

describe.skipIf(!status.ok)("chat in headless Chromium", () => {
  let server: ChatServer;
  let browser: Browser;
  beforeAll(async () => {
    server = await startChatServer();
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
    });
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** Opens the page in its own browser context and joins `room` as `nick`. */
  async function join(nick: string, room = "lobby"): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 900, height: 620 } });
    const page = await context.newPage();
    await page.goto(server.url);
    await page.locator("#join:not([disabled])").waitFor(WAIT);
    await page.fill("#nick", nick);
    await page.fill("#room", room);
    await page.click("#join");
    await logLine(page, `You joined #${room} as ${nick}`);
    return page;
  }

  /** Waits for a log line containing `text` (optionally with a class). */
  const logLine = (page: Page, text: string, kind = "") =>
    page.locator(`#log li${kind}`, { hasText: text }).first().waitFor(WAIT);

  async function say(page: Page, text: string): Promise<void> {
    await page.fill("#text", text);
    await page.click("#send");
  }

  it("two pages chat; notices; a late joiner gets the history; screenshot", async () => {
    const alice = await join("alice");
    const bob = await join("bob");
    await logLine(alice, "bob joined", ".notice");

    await say(alice, "Hello from Alice <b>not bold</b>");
    await logLine(bob, "Hello from Alice <b>not bold</b>", ".message");
    await logLine(alice, "Hello from Alice", ".message"); // the sender sees its own line
    await say(bob, "Hi Alice, Bob here");
    await logLine(alice, "Hi Alice, Bob here", ".message");
    expect(await bob.locator("#log b").count()).toBe(0); // text, never HTML

    const carol = await join("carol");
    await logLine(alice, "carol joined", ".notice");
    await logLine(bob, "carol joined", ".notice");
    const history = await carol.locator("#log li.history").allTextContents();
    expect(history.length).toBe(2);
    expect(history[0]).toContain("alice");
    expect(history[0]).toContain("Hello from Alice");
    expect(history[1]).toContain("Hi Alice, Bob here");
    expect(await alice.locator("#members li").allTextContents()).toEqual(["alice", "bob", "carol"]);

    // Another page in another room sees none of it.
    const dave = await join("dave", "other");
    expect(await dave.locator("#log li.history").count()).toBe(0);

    await carol.context().close();
    await logLine(alice, "carol left", ".notice");
    await logLine(bob, "carol left", ".notice");
    expect(await alice.locator("#members li").allTextContents()).toEqual(["alice", "bob"]);

    // A taken nickname is refused with a clear message.
    const eve = await browser.newPage();
    await eve.goto(server.url);
    await eve.locator("#join:not([disabled])").waitFor(WAIT);
    await eve.fill("#nick", "Alice");
    await eve.click("#join");
    await logLine(eve, "the nickname Alice is taken in lobby", ".error");

    await say(alice, "See you, Bob!");
    await logLine(bob, "See you, Bob!", ".message");
    mkdirSync(ARTIFACTS, { recursive: true });
    await alice.screenshot({ path: `${ARTIFACTS}chat.png` });
    console.log(`screenshot: ${ARTIFACTS}chat.png`);
  }, 60_000);
});
