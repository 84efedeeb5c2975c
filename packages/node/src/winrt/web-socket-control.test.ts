import { InvalidArgumentError, InvalidStateError } from "@netsockets/errors";
import { describe, expect, it } from "vitest";
import type { ControlOwner } from "./control-snapshots.js";
import { checkUInt32 } from "./control-values.js";
import {
  applyControlOptions,
  assertControlUnlocked,
  WebSocketControl,
  type WebSocketControlOptions,
} from "./web-socket-control.js";
import {
  applyListenerControlOptions,
  WebSocketListenerControl,
  type WebSocketListenerControlOptions,
} from "./web-socket-listener-control.js";

// A subclass as the socket packages write one: its own field, a locked setter, an option whose
// default depends on another, and its options applied once its fields exist.
interface LimitOptions extends WebSocketControlOptions {
  readonly mode?: "whole" | "parts";
  readonly limit?: number;
}

class LimitControl extends WebSocketControl {
  #mode: "whole" | "parts" = "whole";
  #limit: number | undefined;

  constructor(owner: ControlOwner, options: LimitOptions = {}, readOnly: readonly string[] = []) {
    super(owner, 1234);
    applyControlOptions(this, options, {
      first(control: LimitControl, { mode, limit }: LimitOptions) {
        if (mode !== undefined) control.mode = mode;
        if (limit !== undefined) control.limit = limit;
      },
      firstKeys: ["mode", "limit"],
      readOnly,
    });
  }

  get mode(): "whole" | "parts" {
    return this.#mode;
  }
  set mode(value: "whole" | "parts") {
    assertControlUnlocked(this, "mode");
    this.#mode = value;
  }

  get limit(): number {
    return this.#limit ?? (this.#mode === "parts" ? 0 : 100);
  }
  set limit(value: number) {
    checkUInt32("limit", value);
    assertControlUnlocked(this, "limit");
    this.#limit = value;
  }
}

function owner(locked = false): ControlOwner & { locked(): boolean; lock(): void } {
  let isLocked = locked;
  return {
    locked: () => isLocked,
    lock: () => {
      isLocked = true;
    },
    actualUnsolicitedPongIntervalMs: () => undefined,
  };
}

describe("WebSocketControl", () => {
  it("takes the subclass's outbound buffer default and applies the options through the setters", () => {
    const control = new LimitControl(owner(), {
      limit: 7,
      mode: "parts",
      noDelay: false,
      supportedProtocols: ["a"],
    });
    expect(control.outboundBufferSizeInBytes).toBe(1234);
    expect(control).toMatchObject({ mode: "parts", limit: 7, noDelay: false });
    expect(control.supportedProtocols).toEqual(["a"]);
    expect(() => new LimitControl(owner(), { connectTimeoutMs: 0 })).toThrow(InvalidArgumentError);
  });

  it("copies the list options instead of keeping the caller's arrays", () => {
    const protocols = ["a"];
    const control = new LimitControl(owner(), { supportedProtocols: protocols });
    protocols.push("b");
    expect(control.supportedProtocols).toEqual(["a"]);
  });

  it("refuses unknown and read-only option names as unknown", () => {
    const unknown = { nope: 1 } as WebSocketControlOptions;
    expect(() => new LimitControl(owner(), unknown)).toThrow("unknown control option nope");
    const readOnly = { actualUnsolicitedPongInterval: 1 } as WebSocketControlOptions;
    expect(() => new LimitControl(owner(), readOnly, ["actualUnsolicitedPongInterval"])).toThrow(
      "unknown control option actualUnsolicitedPongInterval",
    );
  });

  it("locks the base's and the subclass's before-connect setters alike once the owner is locked", () => {
    const o = owner();
    const control = new LimitControl(o);
    o.lock();
    expect(() => {
      control.noDelay = false;
    }).toThrow(InvalidStateError);
    expect(() => {
      control.limit = 5;
    }).toThrow("control.limit can only be changed before connectAsync (reference §17.2)");
    // Accepted after connect, with no effect on the running connection (reference §17.2).
    control.outboundBufferSizeInBytes = 4096;
    expect(control.outboundBufferSizeInBytes).toBe(4096);
  });
});

class ModeListenerControl extends WebSocketListenerControl {
  #mode = "whole";

  constructor(
    started: () => boolean,
    options: WebSocketListenerControlOptions & { mode?: string },
  ) {
    super(started, 99);
    applyListenerControlOptions(this, options);
  }

  get mode(): string {
    return this.#mode;
  }
  set mode(value: string) {
    this.#mode = value;
  }
}

describe("WebSocketListenerControl", () => {
  it("applies the shared and the subclass's options, and refuses unknown ones", () => {
    const control = new ModeListenerControl(() => false, {
      mode: "parts",
      maxHeadersCount: 10,
      supportedProtocols: ["x"],
    });
    expect(control).toMatchObject({
      mode: "parts",
      maxHeadersCount: 10,
      outboundBufferSizeInBytes: 99,
    });
    expect(control.supportedProtocols).toEqual(["x"]);
    const unknown = { nope: 1 } as WebSocketListenerControlOptions;
    expect(() => new ModeListenerControl(() => false, unknown)).toThrow(
      "unknown listener control option nope",
    );
  });

  it("locks the server settings once the listener started, and only those", () => {
    let started = false;
    const control = new ModeListenerControl(() => started, {});
    started = true;
    expect(() => {
      control.maxHeaderSize = 1;
    }).toThrow("control.maxHeaderSize can only be changed before the listener is bound");
    control.pingIntervalMs = 5;
    expect(control.pingIntervalMs).toBe(5);
  });
});
