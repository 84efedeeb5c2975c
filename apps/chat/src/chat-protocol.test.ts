import { describe, expect, it } from "vitest";
import { MAX_TEXT_LENGTH, parseClientMessage } from "./chat-protocol.js";

const codeOf = (text: string) => {
  const result = parseClientMessage(text);
  return result.ok ? "ok" : result.error.code;
};

describe("parseClientMessage", () => {
  it("accepts the three message types", () => {
    expect(parseClientMessage('{"type":"join","room":"lobby","nick":"alice"}')).toEqual({
      ok: true,
      message: { type: "join", room: "lobby", nick: "alice" },
    });
    expect(parseClientMessage('{"type":"say","text":"  hi  "}')).toEqual({
      ok: true,
      message: { type: "say", text: "hi" },
    });
    expect(parseClientMessage('{"type":"leave"}')).toEqual({
      ok: true,
      message: { type: "leave" },
    });
  });

  it.each([
    ["not json", "bad-json"],
    ['{"type":"join"', "bad-json"],
    ["", "bad-json"],
    ["[1,2]", "bad-message"],
    ["null", "bad-message"],
    ['"join"', "bad-message"],
    ['{"type":"shout","text":"x"}', "bad-message"],
    ['{"text":"x"}', "bad-message"],
    ['{"type":"join","room":"lobby"}', "bad-message"],
    ['{"type":"join","room":"lobby","nick":"a","admin":true}', "bad-message"],
    ['{"type":"say","text":"x","nick":"mallory"}', "bad-message"],
    ['{"type":"leave","room":"x"}', "bad-message"],
    ['{"type":"say","text":42}', "bad-text"],
    ['{"type":"say","text":"   "}', "bad-text"],
    [`{"type":"say","text":"${"x".repeat(MAX_TEXT_LENGTH + 1)}"}`, "bad-text"],
    [`{"type":"say","text":"${"x".repeat(MAX_TEXT_LENGTH)}"}`, "ok"],
  ])("%s → %s", (text, code) => {
    expect(codeOf(text)).toBe(code);
  });

  it.each([
    ["alice", "ok"],
    ["Zoë", "ok"],
    ["日本語", "ok"],
    ["bob_2.0-x", "ok"],
    ["a".repeat(20), "ok"],
    ["a".repeat(21), "bad-nick"],
    ["", "bad-nick"],
    ["_alice", "bad-nick"],
    ["-", "bad-nick"],
    ["al ice", "bad-nick"],
    ["<script>", "bad-nick"],
    ["alice\n", "bad-nick"],
  ])("nickname %j → %s", (nick, code) => {
    expect(codeOf(JSON.stringify({ type: "join", room: "r", nick }))).toBe(code);
  });

  it.each([
    ["lobby", "ok"],
    ["Room_42-b", "ok"],
    ["x".repeat(32), "ok"],
    ["x".repeat(33), "bad-room"],
    ["", "bad-room"],
    ["a b", "bad-room"],
    ["../x", "bad-room"],
    ["café", "bad-room"],
  ])("room %j → %s", (room, code) => {
    expect(codeOf(JSON.stringify({ type: "join", room, nick: "n" }))).toBe(code);
  });

  it("gives a clear message with each error", () => {
    const result = parseClientMessage('{"type":"join","room":"lobby","nick":""}');
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error).toEqual({
        type: "error",
        code: "bad-nick",
        message: "a nickname is 1–20 letters, digits, _, - or ., starting with a letter or digit",
      });
    }
  });
});
