import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";

// The ESM and CJS builds both work on their own: a write/read round trip through each, and the
// errors they throw are recognised as netsockets errors.
// Typed from the source, loaded from dist by computed path, so typecheck works without a build.
type Api = typeof import("../src/index.js");
const esm = (await import(new URL("../dist/index.js", import.meta.url).href)) as Api;
const cjs = createRequire(import.meta.url)("../dist/index.cjs") as Api;

describe.each([
  ["ESM", esm],
  ["CJS", cjs],
])("the %s build", (_name, api) => {
  it("round-trips values through a DataWriter, a memory stream and a DataReader", async () => {
    const output = new api.MemoryOutputStream();
    const writer = new api.DataWriter(output);
    writer.byteOrder = api.ByteOrder.littleEndian;
    writer.writeInt32(1304);
    writer.writeString("hé");
    writer.writeGuid("fd488b77-be04-447b-8242-e592747dc3a8");
    expect(await writer.storeAsync()).toBe(23);
    const reader = new api.DataReader(api.fromBytes(output.toBytes()));
    reader.byteOrder = api.ByteOrder.littleEndian;
    expect(await reader.loadAsync(100)).toBe(23);
    expect(reader.readInt32()).toBe(1304);
    expect(reader.readString(3)).toBe("hé");
    expect(reader.readGuid()).toBe("fd488b77-be04-447b-8242-e592747dc3a8");
  });

  it("throws netsockets errors", () => {
    try {
      api.DataReader.fromBuffer(new Uint8Array(1)).readInt32();
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: "ERR_OUT_OF_BOUNDS", hresult: 0x8000000b });
    }
  });
});
