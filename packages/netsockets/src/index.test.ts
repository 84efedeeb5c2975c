import * as errors from "@netsockets/errors";
import { describe, expect, it } from "vitest";
import * as facade from "./index.js";

describe("the netsockets facade", () => {
  it("re-exports the very objects of the granular packages", () => {
    expect(facade.WebErrorStatus).toBe(errors.WebErrorStatus);
    expect(facade.WebSocketError).toBe(errors.WebSocketError);
    expect(facade.CloseCode).toBe(errors.CloseCode);
  });

  it("round-trips a value through DataWriter and DataReader", async () => {
    const writer = new facade.DataWriter();
    writer.writeUInt32(0xdeadbeef);
    writer.writeString("hé");
    const reader = facade.DataReader.fromBuffer(writer.detachBuffer());
    expect(reader.readUInt32()).toBe(0xdeadbeef);
    expect(reader.readString(reader.unconsumedBufferLength)).toBe("hé");
  });
});
