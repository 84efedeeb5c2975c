// The chat page's script: plain browser JavaScript, no bundler, the browser's own WebSocket.
// Everything from the server is shown with textContent, never as HTML.

const $ = (id) => document.getElementById(id);
const log = $("log");
const status = $("status");
const url = new URL("/ws", location.href);
url.protocol = location.protocol === "https:" ? "wss:" : "ws:";

const socket = new WebSocket(url);
let room = null;

/** Appends one line to the log: optional time and nick, then text. */
function show(kind, text, { nick, time, history } = {}) {
  const item = document.createElement("li");
  item.className = history ? `${kind} history` : kind;
  if (time) {
    const when = document.createElement("span");
    when.className = "time";
    when.textContent = new Date(time).toLocaleTimeString([], {
      hour: "2-digit",
      minute: "2-digit",
    });
    item.append(when);
  }
  if (nick) {
    const who = document.createElement("span");
    who.className = "nick";
    who.textContent = nick;
    item.append(who);
  }
  item.append(document.createTextNode(text));
  log.append(item);
  log.scrollTop = log.scrollHeight;
}

function showMembers(members) {
  $("members").replaceChildren(
    ...members.map((name) => {
      const item = document.createElement("li");
      item.textContent = name;
      return item;
    }),
  );
}

function send(message) {
  socket.send(JSON.stringify(message));
}

socket.addEventListener("open", () => {
  status.textContent = "connected";
  $("join").disabled = false;
});

socket.addEventListener("close", (event) => {
  status.textContent = `disconnected (${event.code}${event.reason ? ` ${event.reason}` : ""})`;
  for (const id of ["join", "text", "send"]) $(id).disabled = true;
});

socket.addEventListener("message", (event) => {
  const message = JSON.parse(event.data);
  switch (message.type) {
    case "welcome":
      room = message.room;
      log.replaceChildren();
      $("room-title").textContent = `#${message.room}`;
      showMembers(message.members);
      for (const line of message.history) show("message", line.text, { ...line, history: true });
      show("notice", `You joined #${message.room} as ${message.nick}`);
      $("text").disabled = false;
      $("send").disabled = false;
      $("text").focus();
      break;
    case "message":
      show("message", message.text, message);
      break;
    case "notice":
      show("notice", `${message.nick} ${message.event === "join" ? "joined" : "left"}`, {
        time: message.time,
      });
      showMembers(message.members);
      break;
    case "left":
      room = null;
      break;
    case "error":
      show("error", `Error: ${message.message}`);
      break;
  }
});

$("join-form").addEventListener("submit", (event) => {
  event.preventDefault();
  send({ type: "join", room: $("room").value.trim(), nick: $("nick").value.trim() });
});

$("say-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = $("text").value;
  if (room === null || text.trim() === "") return;
  send({ type: "say", text });
  $("text").value = "";
});
