/**
 * The chat's state: rooms, their members and their history. Pure logic with injected delivery
 * and clock, so it is tested without sockets; the server feeds it client messages and delivers
 * what it returns.
 */
import {
  type ChatError,
  type ChatLine,
  type ChatNotice,
  HISTORY_SIZE,
  parseClientMessage,
  type ServerMessage,
} from "./chat-protocol.js";

/** An opaque client handle (the server uses its socket). */
export type ClientId = object;

interface Room {
  /** Members: client → nickname. */
  readonly members: Map<ClientId, string>;
  /** The last {@link HISTORY_SIZE} lines, oldest first. */
  readonly history: ChatLine[];
}

/** Options of {@link ChatRooms}. */
export interface ChatRoomsOptions {
  /** Sends `message` to one client (JSON-encoding is the caller's). */
  readonly deliver: (client: ClientId, message: ServerMessage) => void;
  /** The clock (tests inject one). */
  readonly now?: () => Date;
  /** Lines kept per room (default {@link HISTORY_SIZE}). */
  readonly historySize?: number;
}

/**
 * Rooms with nicknames unique per room (case-insensitively), join/leave notices to the other
 * members, and a bounded history per room. A client is in at most one room: joining another
 * leaves the first. An empty room is forgotten, history included.
 */
export class ChatRooms {
  readonly #rooms = new Map<string, Room>();
  readonly #roomOf = new Map<ClientId, string>();
  readonly #deliver: (client: ClientId, message: ServerMessage) => void;
  readonly #now: () => Date;
  readonly #historySize: number;

  constructor(options: ChatRoomsOptions) {
    this.#deliver = options.deliver;
    this.#now = options.now ?? (() => new Date());
    this.#historySize = options.historySize ?? HISTORY_SIZE;
  }

  /** The room names that have members, sorted. */
  get roomNames(): string[] {
    return [...this.#rooms.keys()].sort();
  }

  /** The members of `room`, sorted. */
  members(room: string): string[] {
    return [...(this.#rooms.get(room)?.members.values() ?? [])].sort();
  }

  /** The history of `room`, oldest first. */
  history(room: string): readonly ChatLine[] {
    return this.#rooms.get(room)?.history ?? [];
  }

  /**
   * Handles one raw text message of `client`. Returns the error sent to it for bad input, or
   * `undefined`.
   */
  receive(client: ClientId, text: string): ChatError | undefined {
    const parsed = parseClientMessage(text);
    if (!parsed.ok) return this.#fail(client, parsed.error);
    const message = parsed.message;
    switch (message.type) {
      case "join":
        return this.join(client, message.room, message.nick);
      case "say":
        return this.say(client, message.text);
      case "leave": {
        const room = this.#roomOf.get(client);
        if (room === undefined) {
          return this.#fail(client, {
            type: "error",
            code: "not-joined",
            message: "join a room first",
          });
        }
        this.leave(client);
        this.#deliver(client, { type: "left", room });
        return undefined;
      }
    }
  }

  /** `client` joins `room` as `nick` (validated by the caller or by {@link receive}). */
  join(client: ClientId, room: string, nick: string): ChatError | undefined {
    const current = this.#roomOf.get(client);
    const target = this.#rooms.get(room);
    const taken = [...(target?.members ?? [])].some(
      ([other, name]) => other !== client && name.toLowerCase() === nick.toLowerCase(),
    );
    if (taken) {
      return this.#fail(client, {
        type: "error",
        code: "nick-taken",
        message: `the nickname ${nick} is taken in ${room}`,
      });
    }
    if (current !== undefined) this.leave(client);
    let entry = this.#rooms.get(room);
    if (entry === undefined) {
      entry = { members: new Map(), history: [] };
      this.#rooms.set(room, entry);
    }
    entry.members.set(client, nick);
    this.#roomOf.set(client, room);
    this.#deliver(client, {
      type: "welcome",
      room,
      nick,
      members: this.members(room),
      history: [...entry.history],
    });
    this.#notice(room, "join", nick, client);
    return undefined;
  }

  /** `client` says `text` in its room: every member (the sender too) gets the line. */
  say(client: ClientId, text: string): ChatError | undefined {
    const room = this.#roomOf.get(client);
    const entry = room === undefined ? undefined : this.#rooms.get(room);
    const nick = entry?.members.get(client);
    if (room === undefined || entry === undefined || nick === undefined) {
      return this.#fail(client, {
        type: "error",
        code: "not-joined",
        message: "join a room first",
      });
    }
    const line: ChatLine = { type: "message", room, nick, text, time: this.#now().toISOString() };
    entry.history.push(line);
    // A bounded history: drop the oldest line beyond the cap.
    if (entry.history.length > this.#historySize) entry.history.shift();
    for (const member of entry.members.keys()) this.#deliver(member, line);
    return undefined;
  }

  /** `client` leaves its room (if any): the others get a leave notice. Idempotent. */
  leave(client: ClientId): void {
    const room = this.#roomOf.get(client);
    if (room === undefined) return;
    this.#roomOf.delete(client);
    const entry = this.#rooms.get(room);
    const nick = entry?.members.get(client);
    if (entry === undefined || nick === undefined) return;
    entry.members.delete(client);
    if (entry.members.size === 0) {
      this.#rooms.delete(room);
      return;
    }
    this.#notice(room, "leave", nick, client);
  }

  #notice(room: string, event: "join" | "leave", nick: string, except: ClientId): void {
    const entry = this.#rooms.get(room);
    if (entry === undefined) return;
    const notice: ChatNotice = {
      type: "notice",
      room,
      event,
      nick,
      time: this.#now().toISOString(),
      members: this.members(room),
    };
    for (const member of entry.members.keys()) {
      if (member !== except) this.#deliver(member, notice);
    }
  }

  #fail(client: ClientId, error: ChatError): ChatError {
    this.#deliver(client, error);
    return error;
  }
}
