import { describe, expect, it } from "vitest";
import { MAX_SANITIZED_BYTES, sanitizeFileName } from "./sanitize-name.js";

describe("sanitizeFileName", () => {
  it.each([
    ["report.pdf", "report.pdf"],
    ["../../etc/passwd", "passwd"],
    ["/etc/shadow", "shadow"],
    ["..\\..\\Windows\\win.ini", "win.ini"],
    ["C:\\Users\\x\\y.txt", "y.txt"],
    ["dir/", "dir"],
    ["..", "file"],
    [".", "file"],
    ["../..", "file"],
    ["", "file"],
    [".bashrc", "bashrc"],
    ["  spaced  ", "spaced"],
    ["a\u0000b\nc\u007f.txt", "abc.txt"],
    ['what?:*"<>|.txt', "what_______.txt"],
    ["Zoë 日本.txt", "Zoë 日本.txt"],
  ])("%j → %j", (name, expected) => {
    expect(sanitizeFileName(name)).toBe(expected);
  });

  it("cuts long names on a character boundary", () => {
    const name = sanitizeFileName("日".repeat(100)); // 300 UTF-8 bytes
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(MAX_SANITIZED_BYTES);
    expect(name).toBe("日".repeat(66));
  });
});
