/**
 * The receiver never trusts the sender's file name: only its last path component is kept, so a
 * name can never leave the receive directory.
 */

/** The most UTF-8 bytes a sanitized name keeps (leaves room for ".part" and " (n)" under 255). */
export const MAX_SANITIZED_BYTES = 200;

/**
 * A safe file name for `name`: the last component after any `/` or `\` (so `../../etc/passwd`
 * becomes `passwd` and `C:\x\y.txt` becomes `y.txt`), without control characters, without
 * leading dots and spaces (no hidden files, no `.`/`..`), with `:` `*` `?` `"` `<` `>` `|`
 * replaced by `_` (names portable to Windows), cut to {@link MAX_SANITIZED_BYTES} UTF-8 bytes on
 * a character boundary. `"file"` when nothing is left.
 */
export function sanitizeFileName(name: string): string {
  const last =
    name
      .split(/[/\\]/)
      .filter((part) => part !== "")
      .pop() ?? "";
  let clean = last
    // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
    .replace(/[\u0000-\u001f\u007f]/g, "")
    .replace(/[:*?"<>|]/g, "_")
    .replace(/^[.\s]+/, "")
    .replace(/\s+$/, "");
  const encoder = new TextEncoder();
  if (encoder.encode(clean).length > MAX_SANITIZED_BYTES) {
    let kept = "";
    let bytes = 0;
    for (const char of clean) {
      const size = encoder.encode(char).length;
      if (bytes + size > MAX_SANITIZED_BYTES) break;
      kept += char;
      bytes += size;
    }
    clean = kept;
  }
  return clean === "" ? "file" : clean;
}
