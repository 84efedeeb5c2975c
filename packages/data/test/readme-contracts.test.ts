// The "Stream contracts" listing of README.md, verbatim between the region markers
// (readme.test.ts checks that): these tests hold it to the types the package exports, so the
// README cannot drift from src/stream-contracts.ts. The type assertions are checked by
// `pnpm typecheck` (tsc over test/), the run-time ones by `pnpm test`.
import type * as Data from "@netsockets/data";
import { fromBytes, InputStreamOptions, MemoryOutputStream } from "@netsockets/data";
import { expect, expectTypeOf, it } from "vitest";

// #region readme-contracts
interface AsyncOptions {
  readonly signal?: AbortSignal | undefined;
}
interface IInputStream {
  readAsync(
    buffer: Uint8Array,
    count: number,
    options: InputStreamOptions,
    opts?: AsyncOptions,
  ): Promise<Uint8Array>;
  close(): void;
}
interface IOutputStream {
  writeAsync(bytes: Uint8Array, opts?: AsyncOptions): Promise<number>;
  flushAsync(opts?: AsyncOptions): Promise<boolean>;
  close(): void;
}
// #endregion readme-contracts

it("lists exactly the exported AsyncOptions, IInputStream and IOutputStream", () => {
  expectTypeOf<AsyncOptions>().toEqualTypeOf<Data.AsyncOptions>();
  expectTypeOf<IInputStream>().toEqualTypeOf<Data.IInputStream>();
  expectTypeOf<IOutputStream>().toEqualTypeOf<Data.IOutputStream>();
});

it("is met by the package's own streams, whose members behave as the README says", async () => {
  const input: IInputStream = fromBytes(Uint8Array.of(1, 2, 3));
  const buffer = new Uint8Array(8);
  const bytes = await input.readAsync(buffer, 8, InputStreamOptions.partial);
  expect([...bytes]).toEqual([1, 2, 3]); // 1…count bytes
  expect((await input.readAsync(buffer, 8, InputStreamOptions.partial)).length).toBe(0); // the end
  input.close();

  const output: IOutputStream = new MemoryOutputStream();
  expect(await output.writeAsync(Uint8Array.of(4, 5))).toBe(2);
  expect(await output.flushAsync()).toBe(true);
  output.close();
});
