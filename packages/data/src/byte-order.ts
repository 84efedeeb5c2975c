/**
 * The byte order of multi-byte numbers read by a `DataReader` or written by a `DataWriter`
 * (`Windows.Storage.Streams.ByteOrder`, int32). Values are WinRT's.
 */
export const ByteOrder = Object.freeze({
  /** Least significant byte first. */
  littleEndian: 0,
  /** Most significant byte first, the default of `DataReader` and `DataWriter`. */
  bigEndian: 1,
} as const);

/** One of the {@link ByteOrder} values. */
export type ByteOrder = (typeof ByteOrder)[keyof typeof ByteOrder];
