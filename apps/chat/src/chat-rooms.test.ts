import { describe, expect, it } from "vitest";
import type { ServerMessage } from "./chat-protocol.js";
import { ChatRooms } from "./chat-rooms.js";

/** Rooms with a fixed clock that record what each client was sent. */
function setup(historySize?: number) {
  const inbox = new Map<object, ServerMessage[]>();
  const rooms = new ChatRooms({
    deliver: (client, message) => {
      const list = inbox.get(client) ?? [];
      list.push(message);
      inbox.set(client, list);
    },
    now: () => new Date("2026-11-26T05:00:00Z"),
    ...(historySize === undefined ? {} : { historySize }),
  });
  const client = () => {
    const id = {};
    inbox.set(id, []);
    return id;
  };
  const sent = (id: object) => inbox.get(id) ?? [];
  const take = (id: object) => sent(id).splice(0);
  return { rooms, client, sent, take };
}

const join = (room: string, nick: string) => JSON.stringify({ type: "join", room, nick });
const say = (text: string) => JSON.stringify({ type: "say", text });

describe("ChatRooms", () => {
  it("welcome with members and history; join notices go to the others only", () => {
    const { rooms, client, take } = setup();
    const a = client();
    const b = client();
    rooms.receive(a, join("lobby", "alice"));
    expect(take(a)).toEqual([
      { type: "welcome", room: "lobby", nick: "alice", members: ["alice"], history: [] },
    ]);
    rooms.receive(b, join("lobby", "bob"));
    expect(take(b)).toEqual([
      { type: "welcome", room: "lobby", nick: "bob", members: ["alice", "bob"], history: [] },
    ]);
    expect(take(a)).toEqual([
      {
        type: "notice",
        room: "lobby",
        event: "join",
        nick: "bob",
        time: "2026-11-26T05:00:00.000Z",
        members: ["alice", "bob"],
      },
    ]);
  });

  it("a line goes to every member of the room, the sender included, and to no other room", () => {
    const { rooms, client, take } = setup();
    const [a, b, c] = [client(), client(), client()];
    rooms.receive(a, join("lobby", "alice"));
    rooms.receive(b, join("lobby", "bob"));
    rooms.receive(c, join("other", "carol"));
    for (const id of [a, b, c]) take(id);
    rooms.receive(a, say("hello"));
    const line = {
      type: "message",
      room: "lobby",
      nick: "alice",
      text: "hello",
      time: "2026-11-26T05:00:00.000Z",
    };
    expect(take(a)).toEqual([line]);
    expect(take(b)).toEqual([line]);
    expect(take(c)).toEqual([]);
  });

  it("keeps the last 50 lines per room for late joiners, oldest first", () => {
    const { rooms, client, take } = setup();
    const a = client();
    rooms.receive(a, join("lobby", "alice"));
    for (let i = 1; i <= 60; i++) rooms.receive(a, say(`line ${i}`));
    expect(rooms.history("lobby").length).toBe(50);
    const late = client();
    rooms.receive(late, join("lobby", "late"));
    const [welcome] = take(late);
    expect(welcome?.type).toBe("welcome");
    const history = welcome?.type === "welcome" ? welcome.history : [];
    expect(history.length).toBe(50);
    expect(history[0]?.text).toBe("line 11");
    expect(history[49]?.text).toBe("line 60");
  });

  it("the history cap is configurable", () => {
    const { rooms, client } = setup(3);
    const a = client();
    rooms.receive(a, join("r", "a"));
    for (const t of ["1", "2", "3", "4"]) rooms.receive(a, say(t));
    expect(rooms.history("r").map((l) => l.text)).toEqual(["2", "3", "4"]);
  });

  it("nicknames are unique per room, case-insensitively; the same nick is fine elsewhere", () => {
    const { rooms, client, take } = setup();
    const [a, b, c] = [client(), client(), client()];
    rooms.receive(a, join("lobby", "Alice"));
    expect(rooms.receive(b, join("lobby", "alice"))?.code).toBe("nick-taken");
    expect(take(b)).toEqual([
      { type: "error", code: "nick-taken", message: "the nickname alice is taken in lobby" },
    ]);
    expect(rooms.members("lobby")).toEqual(["Alice"]);
    expect(rooms.receive(c, join("other", "alice"))).toBeUndefined();
    // Re-joining the same room under another case of one's own nick is allowed.
    expect(rooms.receive(a, join("lobby", "ALICE"))).toBeUndefined();
    expect(rooms.members("lobby")).toEqual(["ALICE"]);
  });

  it("joining another room leaves the first, with a leave notice there", () => {
    const { rooms, client, take } = setup();
    const [a, b] = [client(), client()];
    rooms.receive(a, join("one", "alice"));
    rooms.receive(b, join("one", "bob"));
    take(b);
    rooms.receive(a, join("two", "alice"));
    expect(take(b)).toMatchObject([
      { type: "notice", event: "leave", nick: "alice", members: ["bob"] },
    ]);
    expect(rooms.members("two")).toEqual(["alice"]);
  });

  it("leave: a notice to the others, a confirmation to the client; an empty room is forgotten", () => {
    const { rooms, client, take } = setup();
    const [a, b] = [client(), client()];
    rooms.receive(a, join("lobby", "alice"));
    rooms.receive(b, join("lobby", "bob"));
    rooms.receive(a, say("x"));
    for (const id of [a, b]) take(id);
    rooms.receive(b, JSON.stringify({ type: "leave" }));
    expect(take(b)).toEqual([{ type: "left", room: "lobby" }]);
    expect(take(a)).toMatchObject([{ type: "notice", event: "leave", nick: "bob" }]);
    rooms.leave(a); // a disconnect
    rooms.leave(a); // idempotent
    expect(rooms.roomNames).toEqual([]);
    expect(rooms.history("lobby")).toEqual([]);
  });

  it("bad input is answered with an error to that client only; nothing changes", () => {
    const { rooms, client, take } = setup();
    const [a, b] = [client(), client()];
    rooms.receive(a, join("lobby", "alice"));
    rooms.receive(b, join("lobby", "bob"));
    for (const id of [a, b]) take(id);
    expect(rooms.receive(a, "{oops")?.code).toBe("bad-json");
    expect(take(a)).toEqual([
      { type: "error", code: "bad-json", message: "the message is not valid JSON" },
    ]);
    expect(take(b)).toEqual([]);
    const stranger = client();
    expect(rooms.receive(stranger, say("hi"))?.code).toBe("not-joined");
    expect(rooms.receive(stranger, JSON.stringify({ type: "leave" }))?.code).toBe("not-joined");
    expect(rooms.history("lobby")).toEqual([]);
  });
});
