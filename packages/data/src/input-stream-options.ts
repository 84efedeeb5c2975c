/**
 * How `IInputStream.readAsync` and `DataReader.loadAsync` wait for data
 * (`Windows.Storage.Streams.InputStreamOptions`, a uint32 flag set). Values are WinRT's; combine
 * them with `|`.
 */
export const InputStreamOptions = Object.freeze({
  /** Complete when `count` bytes are there or the stream has ended. */
  none: 0,
  /** Complete as soon as one or more bytes are there. */
  partial: 1,
  /** The stream may read ahead and prefetch more than asked (a hint; adapters here ignore it). */
  readAhead: 2,
} as const);

/**
 * A combination of {@link InputStreamOptions} flags. It is `number` rather than a union because
 * the members are flags (`partial | readAhead` is 3).
 */
export type InputStreamOptions = number;

/** Whether `options` has the {@link InputStreamOptions.partial} flag. */
export function isPartial(options: InputStreamOptions): boolean {
  return (options & InputStreamOptions.partial) !== 0;
}
