import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";

// The ESM and CJS builds loaded side by side are two copies of the package with separate
// classes — the dual-package hazard, and what two versions in node_modules look like.
// Typed from the source, loaded from dist by computed path, so typecheck works without a build.
type Api = typeof import("./index.js");
const esm = (await import(new URL("../dist/index.js", import.meta.url).href)) as Api;
const cjs = createRequire(import.meta.url)("../dist/index.cjs") as Api;

describe("two copies of the built package", () => {
  it("really are two copies", () => {
    expect(cjs.ProtocolError).not.toBe(esm.ProtocolError);
    expect(new cjs.ProtocolError("WS_ERR_INVALID_UTF8", "x")).not.toBeInstanceOf(esm.ProtocolError);
  });

  it("recognise each other's errors by class", () => {
    const fromCjs = new cjs.MessageTooBigError(10);
    expect(esm.NetSocketsError.isInstance(fromCjs)).toBe(true);
    expect(esm.ProtocolError.isInstance(fromCjs)).toBe(true);
    expect(esm.MessageTooBigError.isInstance(fromCjs)).toBe(true);
    expect(esm.TimeoutError.isInstance(fromCjs)).toBe(false);
    const fromEsm = new esm.TimeoutError();
    expect(cjs.TimeoutError.isInstance(fromEsm)).toBe(true);
    expect(cjs.ProtocolError.isInstance(fromEsm)).toBe(false);
    expect(fromCjs.name).toBe("MessageTooBigError");
  });

  it("read each other's status with getStatus", () => {
    const refused = new cjs.NetworkError("ERR_CANNOT_CONNECT", "refused");
    expect(esm.WebSocketError.getStatus(refused)).toBe(esm.WebErrorStatus.cannotConnect);
    expect(cjs.WebSocketError.getStatus(new esm.OperationCanceledError())).toBe(
      cjs.WebErrorStatus.operationCanceled,
    );
    expect(esm.fromSystemError(refused)).toBe(refused);
  });
});
