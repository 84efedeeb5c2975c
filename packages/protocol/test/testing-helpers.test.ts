/** The `@netsockets/protocol/testing` subpath resolves and its helpers do what they say. */
import { Connection } from "@netsockets/protocol";
import {
  closePayload,
  concatBytes,
  connectPair,
  decodeFrames,
  EXAMPLE_MASK_KEY,
  echoHandler,
  fixedMaskFill,
  frame,
  hex,
  seededRandom,
  splitEvery,
  splitRandom,
  toHex,
  utf8,
} from "@netsockets/protocol/testing";
import { describe, expect, it } from "vitest";

describe("@netsockets/protocol/testing", () => {
  it("builds the RFC 6455 §5.7 masked example and decodes it back", () => {
    const bytes = frame(1, utf8("Hello"), { mask: true });
    expect(toHex(bytes)).toBe("818537fa213d7f9f4d5158");
    expect(decodeFrames(bytes)).toEqual([
      { opcode: 1, fin: true, rsv: 0, masked: true, payload: utf8("Hello") },
    ]);
    expect(toHex(closePayload(1000, "a"))).toBe("03e861");
    expect(toHex(frame(2, new Uint8Array(0), { lengthForm: 64 }))).toBe("827f0000000000000000");
  });

  it("splits reproducibly", () => {
    const bytes = hex("00 01 02 03 04 05 06 07 08 09");
    expect(splitEvery(bytes, 4).map(toHex)).toEqual(["00010203", "04050607", "0809"]);
    expect(splitRandom(bytes, 1, 3)).toEqual(splitRandom(bytes, 1, 3));
    expect(splitRandom(bytes, 1, 3).flatMap((c) => [...c])).toEqual([...bytes]);
    expect(seededRandom(5)()).toBe(seededRandom(5)());
  });

  it("masks client frames with the fixed key", () => {
    const client = new Connection({ role: "client", randomFill: fixedMaskFill() });
    client.sendText("Hello");
    const wire = toHex(concatBytes(client.dataToSend()));
    expect(wire.slice(4, 12)).toBe(toHex(EXAMPLE_MASK_KEY));
    // RFC 6455 §5.7: "A single-frame masked text message" — 0x81 0x85 0x37 0xfa 0x21 0x3d 0x7f
    // 0x9f 0x4d 0x51 0x58 (contains "Hello").
    expect(wire).toBe("818537fa213d7f9f4d5158");
  });

  it("wires a client core to a server core", () => {
    const pair = connectPair({ onServerEvent: echoHandler() });
    pair.client.sendText("ping me", { fin: false });
    pair.client.sendPing(utf8("p"));
    pair.client.sendText(" back");
    pair.exchange();
    expect(pair.serverEvents.map((e) => e.type)).toEqual(["data", "ping", "data"]);
    expect(pair.clientEvents).toMatchObject([
      { type: "pong", data: utf8("p") },
      { type: "data", data: utf8("ping me back"), messageFinished: true },
    ]);
    pair.server.sendClose(1001, "going");
    pair.exchange();
    expect(pair.clientEvents.at(-1)).toEqual({
      type: "close",
      code: 1001,
      reason: "going",
      wasClean: true,
      closedBy: "remote",
    });
    expect(pair.server.state).toBe("closed");
  });
});
