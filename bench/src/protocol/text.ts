/**
 * Realistic UTF-8 text for the text rows: words drawn from a fixed list, so a run is the same
 * in every child. `ascii` is English-like prose (what most text messages are: JSON, logs);
 * `mixed` mixes Latin, Cyrillic, Greek, CJK and emoji, so 1- to 4-byte sequences alternate.
 */
import { SeededRandom } from "../harness/random.js";

const asciiWords =
  '{"id": 42, "type": "update", the quick brown fox jumps over the lazy dog; message payload value status ok true false null'.split(
    " ",
  );

const mixedWords = [
  ...asciiWords,
  "Grüße",
  "façade",
  "naïve",
  "привет",
  "мир",
  "γειά",
  "σου",
  "日本語",
  "中文字符",
  "한국어",
  "😀",
  "🚀✨",
  "€",
  "→",
];

const encoder = new TextEncoder();

/**
 * Exactly `size` bytes of valid UTF-8 text of the given kind: words separated by spaces, the
 * last few bytes padded with spaces so no code point is cut.
 */
export function makeText(size: number, kind: "ascii" | "mixed", seed: number): Buffer {
  const words = (kind === "ascii" ? asciiWords : mixedWords).map((w) => encoder.encode(`${w} `));
  const random = new SeededRandom(seed);
  const out = Buffer.alloc(size, 0x20);
  let at = 0;
  for (;;) {
    const word = words[random.below(words.length)] as Uint8Array;
    if (at + word.length > size) break;
    out.set(word, at);
    at += word.length;
  }
  return out;
}
