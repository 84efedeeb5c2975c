/**
 * The README example, verbatim between the region markers: a test below checks that README.md
 * holds exactly this code, and another that it does what the README says.
 */
// #region readme-example
import { Connection, type ConnectionEvent } from "@netsockets/protocol";

const client = new Connection({ role: "client" });
const server = new Connection({ role: "server" });

/** The driver loop: deliver bytes, then drain events one batch at a time. */
function deliver(from: Connection, to: Connection, onEvent: (event: ConnectionEvent) => void) {
  for (const bytes of from.dataToSend()) to.receiveData(bytes);
  for (let events = to.nextEvents(); events.length > 0; events = to.nextEvents()) {
    for (const event of events) onEvent(event);
  }
}

const log: string[] = [];
client.sendText("Hello");
deliver(client, server, (event) => {
  // An echo server: answers each message from its event handler.
  if (event.type === "data" && event.messageFinished) server.sendText(event.data);
});
deliver(server, client, (event) => {
  if (event.type === "data") log.push(new TextDecoder().decode(event.data));
});

client.sendClose(1000, "done");
deliver(client, server, (event) => log.push(`server: ${event.type}`));
deliver(server, client, (event) => log.push(`client: ${event.type}`));

console.log(log);
// [ 'Hello', 'server: close-received', 'server: close', 'client: close-received', 'client: close' ]
console.log(server.state, client.state); // closed closed
// #endregion readme-example

// Imported here, not above, so that sorting imports cannot move them into the example.
const { readFileSync } = await import("node:fs");
const { expect, it } = await import("vitest");

it("does what the README says", () => {
  expect(log).toEqual([
    "Hello",
    "server: close-received",
    "server: close",
    "client: close-received",
    "client: close",
  ]);
  expect([server.state, client.state]).toEqual(["closed", "closed"]);
});

it("is the code in README.md", () => {
  const region = (text: string, start: string, end: string) => {
    const from = text.indexOf(start) + start.length;
    return text.slice(from, text.indexOf(end, from));
  };
  const here = readFileSync(new URL(import.meta.url), "utf8");
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  const inReadme = region(
    region(readme, "## Example: two Connections in memory", "## The driver contract"),
    "```ts\n",
    "```",
  );
  expect(region(here, "// #region readme-example\n", "// #endregion readme-example")).toBe(
    inReadme,
  );
});
