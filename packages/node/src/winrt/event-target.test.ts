import { execFile } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { WebSocketClosedEventArgs } from "./closed-event-args.js";
import { type TypedEventListener, TypedEventTarget } from "./event-target.js";

interface Events {
  closed: WebSocketClosedEventArgs;
  pong: { data: Uint8Array };
}

class Sample extends TypedEventTarget<Events> {
  get onclosed(): TypedEventListener<WebSocketClosedEventArgs, "closed", this> | null {
    return this.getEventHandler("closed");
  }
  set onclosed(fn: TypedEventListener<WebSocketClosedEventArgs, "closed", this> | null) {
    this.setEventHandler("closed", fn);
  }
  fireClosed(code: number, reason: string) {
    return this.dispatchTypedEvent("closed", new WebSocketClosedEventArgs(code, reason));
  }
  firePong() {
    return this.dispatchTypedEvent("pong", { data: new Uint8Array([1]) });
  }
  has(type: keyof Events) {
    return this.hasEventListeners(type);
  }
}

describe("TypedEventTarget", () => {
  it("calls listeners with one argument: the args object with type and target added", () => {
    const target = new Sample();
    const seen: unknown[][] = [];
    target.addEventListener("closed", (...args) => seen.push(args));
    const args = target.fireClosed(1000, "bye");
    expect(seen).toHaveLength(1);
    const [event] = seen[0] as [WebSocketClosedEventArgs & { type: string; target: unknown }];
    expect(seen[0]).toHaveLength(1);
    expect(event).toBe(args);
    expect(event).toBeInstanceOf(WebSocketClosedEventArgs);
    expect(event.type).toBe("closed");
    expect(event.target).toBe(target);
    expect(event.code).toBe(1000);
    expect(event.reason).toBe("bye");
  });

  it("runs listeners synchronously in the order added, the on<type> slot in its place", () => {
    const target = new Sample();
    const order: string[] = [];
    target.addEventListener("closed", () => order.push("a"));
    target.onclosed = () => order.push("slot");
    target.addEventListener("closed", () => order.push("b"));
    target.fireClosed(1000, "");
    expect(order).toEqual(["a", "slot", "b"]);
    // Replacing the slot keeps its position; null removes it.
    order.length = 0;
    target.onclosed = () => order.push("slot2");
    target.fireClosed(1000, "");
    expect(order).toEqual(["a", "slot2", "b"]);
    order.length = 0;
    target.onclosed = null;
    expect(target.onclosed).toBeNull();
    target.fireClosed(1000, "");
    expect(order).toEqual(["a", "b"]);
  });

  it("ignores duplicate adds and unknown removes, and removes by identity", () => {
    const target = new Sample();
    let calls = 0;
    const listener = () => {
      calls++;
    };
    target.addEventListener("pong", listener);
    target.addEventListener("pong", listener);
    target.firePong();
    expect(calls).toBe(1);
    target.removeEventListener("pong", () => {});
    target.removeEventListener("closed", listener as never);
    target.firePong();
    expect(calls).toBe(2);
    target.removeEventListener("pong", listener);
    expect(target.has("pong")).toBe(false);
    target.firePong();
    expect(calls).toBe(2);
  });

  it("keeps each type's listeners apart as types gain and lose their last listener", () => {
    const target = new Sample();
    const seen: string[] = [];
    const onPong = () => seen.push("pong");
    const onClosed = () => seen.push("closed");
    target.addEventListener("closed", onClosed);
    target.addEventListener("pong", onPong);
    target.onclosed = () => seen.push("slot");
    target.removeEventListener("closed", onClosed);
    expect([target.has("closed"), target.has("pong")]).toEqual([true, true]);
    target.fireClosed(1000, "");
    target.firePong();
    target.onclosed = null;
    expect([target.has("closed"), target.has("pong")]).toEqual([false, true]);
    target.fireClosed(1000, "");
    target.removeEventListener("pong", onPong);
    target.addEventListener("closed", onClosed);
    target.firePong();
    target.fireClosed(1000, "");
    expect(seen).toEqual(["slot", "pong", "closed"]);
    expect([target.has("closed"), target.has("pong")]).toEqual([true, false]);
  });

  it("does not call listeners added during a dispatch, nor ones removed by an earlier listener", () => {
    const target = new Sample();
    const order: string[] = [];
    const late = () => order.push("late");
    const removed = () => order.push("removed");
    target.addEventListener("pong", () => {
      order.push("first");
      target.addEventListener("pong", late);
      target.removeEventListener("pong", removed);
    });
    target.addEventListener("pong", removed);
    target.firePong();
    expect(order).toEqual(["first"]);
    target.firePong();
    expect(order).toEqual(["first", "first", "late"]);
  });

  it("keeps a lone listener's order and identity as the type gains a slot and more listeners", () => {
    const target = new Sample();
    const order: string[] = [];
    const lone = () => {
      order.push("lone");
      // Added while the lone listener runs: not called by this dispatch.
      if (order.length === 1) target.addEventListener("closed", () => order.push("added"));
    };
    target.addEventListener("closed", lone);
    expect(target.onclosed).toBeNull();
    target.fireClosed(1000, "");
    expect(order).toEqual(["lone"]);
    target.onclosed = () => order.push("slot");
    target.addEventListener("closed", lone);
    target.fireClosed(1000, "");
    expect(order).toEqual(["lone", "lone", "added", "slot"]);
    // Removing the lone listener, and re-adding it, puts it after the others.
    target.removeEventListener("closed", lone);
    target.addEventListener("closed", lone);
    order.length = 0;
    target.fireClosed(1000, "");
    expect(order).toEqual(["added", "slot", "lone"]);
    // A lone listener that removes itself runs once; the type then has no listeners.
    const once = () => {
      order.push("once");
      target.removeEventListener("pong", once);
    };
    target.addEventListener("pong", once);
    target.firePong();
    target.firePong();
    expect(order.filter((o) => o === "once")).toEqual(["once"]);
    expect(target.has("pong")).toBe(false);
    // Without the lone listener and the slot, the one added during the first dispatch is left.
    target.removeEventListener("closed", lone);
    target.onclosed = null;
    expect(target.has("closed")).toBe(true);
    order.length = 0;
    target.fireClosed(1000, "");
    expect(order).toEqual(["added"]);
  });

  it("keeps calling later listeners when one throws, and re-throws it on a later tick", async () => {
    // Run in a child so the deliberately uncaught exception does not hit the test runner.
    const moduleUrl = pathToFileURL(fileURLToPath(new URL("./event-target.ts", import.meta.url)));
    const script = `
      import { TypedEventTarget } from ${JSON.stringify(moduleUrl.href)};
      class T extends TypedEventTarget { fire(type) { this.dispatchTypedEvent(type, {}); } }
      const t = new T();
      const order = [];
      let uncaught = 0;
      process.on("uncaughtException", (e) => {
        order.push("uncaught:" + e.message);
        if (++uncaught === 2) console.log(JSON.stringify(order));
      });
      t.addEventListener("x", () => { order.push("a"); throw new Error("boom"); });
      t.addEventListener("x", () => order.push("b"));
      t.fire("x");
      order.push("after");
      // A type's lone listener (held without a list) that throws.
      t.addEventListener("y", () => { order.push("lone"); throw new Error("lone boom"); });
      t.fire("y");
      order.push("after lone");
    `;
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(
        process.execPath,
        ["--import", "tsx", "--conditions=@netsockets/source", "--input-type=module", "-e", script],
        { cwd: fileURLToPath(new URL("../..", import.meta.url)) },
        (error, out, err) => (error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out)),
      );
    });
    expect(JSON.parse(stdout.trim())).toEqual([
      "a",
      "b",
      "after",
      "lone",
      "after lone",
      "uncaught:boom",
      "uncaught:lone boom",
    ]);
  });
});
