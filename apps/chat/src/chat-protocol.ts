/**
 * The chat's JSON protocol (README "Protocol"): what a browser may send, what the server sends
 * back, and the validation of every client message. Pure: no sockets here.
 */

/** The largest text message the server accepts, in bytes (the listener's `maxMessageSize`). */
export const MAX_MESSAGE_BYTES = 4096;
/** The longest chat line, in characters (UTF-16 code units, as the browser's `maxlength`). */
export const MAX_TEXT_LENGTH = 500;
/** Messages kept per room for late joiners. */
export const HISTORY_SIZE = 50;

/** A nickname: 1–20 letters, digits, `_`, `-` or `.` (any script), starting with a letter or digit. */
export const NICK_PATTERN = /^[\p{L}\p{N}][\p{L}\p{N}_.-]{0,19}$/u;
/** A room name: 1–32 ASCII letters, digits, `_` or `-`. */
export const ROOM_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

/** What a client sends. */
export type ClientMessage =
  | { readonly type: "join"; readonly room: string; readonly nick: string }
  | { readonly type: "say"; readonly text: string }
  | { readonly type: "leave" };

/** A chat line, as broadcast and as kept in a room's history. */
export interface ChatLine {
  readonly type: "message";
  readonly room: string;
  readonly nick: string;
  readonly text: string;
  /** ISO 8601, set by the server. */
  readonly time: string;
}

/** Someone joined or left a room. */
export interface ChatNotice {
  readonly type: "notice";
  readonly room: string;
  readonly event: "join" | "leave";
  readonly nick: string;
  readonly time: string;
  /** The room's members after the change, sorted. */
  readonly members: readonly string[];
}

/** The stable error codes of {@link ChatError}. */
export type ChatErrorCode =
  | "bad-json"
  | "bad-message"
  | "bad-room"
  | "bad-nick"
  | "nick-taken"
  | "bad-text"
  | "not-joined";

/** The answer to bad input; the connection stays open. */
export interface ChatError {
  readonly type: "error";
  readonly code: ChatErrorCode;
  readonly message: string;
}

/** The answer to a successful `join`. */
export interface ChatWelcome {
  readonly type: "welcome";
  readonly room: string;
  readonly nick: string;
  /** The members, this client included, sorted. */
  readonly members: readonly string[];
  /** The room's last {@link HISTORY_SIZE} chat lines, oldest first. */
  readonly history: readonly ChatLine[];
}

/** Confirms a `leave`. */
export interface ChatLeft {
  readonly type: "left";
  readonly room: string;
}

/** What the server sends. */
export type ServerMessage = ChatWelcome | ChatLine | ChatNotice | ChatError | ChatLeft;

/** The result of {@link parseClientMessage}. */
export type ParseResult =
  | { readonly ok: true; readonly message: ClientMessage }
  | { readonly ok: false; readonly error: ChatError };

const error = (code: ChatErrorCode, message: string): ParseResult => ({
  ok: false,
  error: { type: "error", code, message },
});

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Parses and validates one text message from a client. Every field is checked: unknown types,
 * missing or extra fields, wrong types and out-of-range values are errors with a clear message;
 * the text of `say` is trimmed.
 */
export function parseClientMessage(text: string): ParseResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return error("bad-json", "the message is not valid JSON");
  }
  if (!isRecord(value)) return error("bad-message", "the message must be a JSON object");
  const keys = Object.keys(value).sort().join(",");
  switch (value.type) {
    case "join": {
      if (keys !== "nick,room,type") {
        return error("bad-message", 'join takes exactly "room" and "nick"');
      }
      const { room, nick } = value;
      if (typeof room !== "string" || !ROOM_PATTERN.test(room)) {
        return error("bad-room", "a room name is 1–32 letters, digits, _ or -");
      }
      if (typeof nick !== "string" || !NICK_PATTERN.test(nick)) {
        return error(
          "bad-nick",
          "a nickname is 1–20 letters, digits, _, - or ., starting with a letter or digit",
        );
      }
      return { ok: true, message: { type: "join", room, nick } };
    }
    case "say": {
      if (keys !== "text,type") return error("bad-message", 'say takes exactly "text"');
      if (typeof value.text !== "string") return error("bad-text", "text must be a string");
      const trimmed = value.text.trim();
      if (trimmed === "" || trimmed.length > MAX_TEXT_LENGTH) {
        return error("bad-text", `a message is 1–${MAX_TEXT_LENGTH} characters`);
      }
      return { ok: true, message: { type: "say", text: trimmed } };
    }
    case "leave":
      if (keys !== "type") return error("bad-message", "leave takes no fields");
      return { ok: true, message: { type: "leave" } };
    default:
      return error("bad-message", 'type must be "join", "say" or "leave"');
  }
}
