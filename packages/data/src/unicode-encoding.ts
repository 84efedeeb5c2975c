/**
 * The text encoding of `DataReader.readString` and `DataWriter.writeString`
 * (`Windows.Storage.Streams.UnicodeEncoding`, int32). Values are WinRT's.
 */
export const UnicodeEncoding = Object.freeze({
  /** UTF-8, the default; one code unit is one byte. */
  utf8: 0,
  /** UTF-16 little-endian; one code unit is two bytes. */
  utf16LE: 1,
  /** UTF-16 big-endian; one code unit is two bytes. */
  utf16BE: 2,
} as const);

/** One of the {@link UnicodeEncoding} values. */
export type UnicodeEncoding = (typeof UnicodeEncoding)[keyof typeof UnicodeEncoding];
