import { computeAcceptKey, generateClientKey } from "@netsockets/protocol";
import { describe, expect, it } from "vitest";
import {
  distinctHeaders,
  formatRequestHead,
  HeadReader,
  joinedHeaders,
  nativeAcceptKey,
  parseDistinctHeaders,
  parseFieldLines,
  parseJoinedHeaders,
  parseRequestLine,
  parseStatusLine,
  readHead,
} from "./http-head.js";

const seed = Number(process.env.NETSOCKETS_SEED ?? 20261126);

/** A small deterministic PRNG (mulberry32) for the chunking tests. */
function random(seedValue: number): () => number {
  let a = seedValue >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const RESPONSE =
  "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
  "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";

/** Feeds `bytes` to a reader in the given chunk sizes; the first non-"more" result. */
function feed(reader: HeadReader, bytes: Buffer, sizes: readonly number[]) {
  let at = 0;
  for (const size of sizes) {
    const result = reader.push(bytes.subarray(at, at + size));
    at += size;
    if (result.kind !== "more") return { result, at };
  }
  return { result: { kind: "more" as const }, at };
}

/**
 * Up to five field lines of names from `names` and values from a fixed set of odd ones; now and
 * then a space before or after the name, or a line without its CRLF.
 */
function randomHead(next: () => number, names: readonly string[]): string {
  const values = ["", " ", "a", " websocket ", "\t1, 2\t", "x\x7f", "\xe9", "a\rb", "q\0"];
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
  let text = "";
  const lines = Math.floor(next() * 6);
  for (let i = 0; i < lines; i++) {
    text += `${next() < 0.05 ? " " : ""}${pick(names)}${next() < 0.05 ? " " : ""}:${pick(values)}`;
    text += next() < 0.02 ? "" : "\r\n";
  }
  return text;
}

describe("HeadReader", () => {
  it("returns the head without the blank line and the bytes after it", () => {
    const bytes = Buffer.concat([Buffer.from(RESPONSE, "latin1"), Buffer.from([0x81, 0x00])]);
    const result = new HeadReader(16384).push(bytes);
    expect(result.kind).toBe("head");
    if (result.kind !== "head") return;
    expect(result.text).toBe(RESPONSE.slice(0, -2));
    expect([...result.rest]).toEqual([0x81, 0x00]);
  });

  it("gives the same head under any chunking (every split point, and random chunkings)", () => {
    const bytes = Buffer.concat([Buffer.from(RESPONSE, "latin1"), Buffer.from("tail")]);
    const splits: number[][] = [];
    for (let i = 1; i < bytes.length; i++) splits.push([i, bytes.length - i]);
    splits.push(Array.from({ length: bytes.length }, () => 1));
    const next = random(seed);
    for (let n = 0; n < 100; n++) {
      const sizes: number[] = [];
      for (let left = bytes.length; left > 0; ) {
        const size = Math.min(left, 1 + Math.floor(next() * 20));
        sizes.push(size);
        left -= size;
      }
      splits.push(sizes);
    }
    for (const sizes of splits) {
      const { result, at } = feed(new HeadReader(16384), bytes, sizes);
      expect(result.kind).toBe("head");
      if (result.kind !== "head") return;
      expect(result.text).toBe(RESPONSE.slice(0, -2));
      expect(Buffer.concat([result.rest, bytes.subarray(at)]).toString()).toBe("tail");
    }
  });

  it("refuses a head over the limit as soon as the bytes pass it, without a blank line", () => {
    const reader = new HeadReader(100);
    expect(reader.push(Buffer.from(`HTTP/1.1 200 OK\r\nX: ${"a".repeat(60)}`)).kind).toBe("more");
    expect(reader.push(Buffer.from("a".repeat(60)))).toMatchObject({
      kind: "error",
      failure: "too-large",
    });
  });

  it("refuses a complete head over the limit, and accepts one exactly at it", () => {
    const head = `HTTP/1.1 200 OK\r\nX: ${"a".repeat(40)}\r\n`;
    expect(new HeadReader(head.length - 1).push(Buffer.from(`${head}\r\n`))).toMatchObject({
      kind: "error",
      failure: "too-large",
    });
    expect(new HeadReader(head.length).push(Buffer.from(`${head}\r\n`)).kind).toBe("head");
  });

  it("leaves a bare LF inside a complete head to the line parsers, which refuse it", () => {
    const result = new HeadReader(16384).push(Buffer.from("HTTP/1.1 101 OK\r\nA: b\nc\r\n\r\n"));
    expect(result.kind).toBe("head");
    if (result.kind !== "head") return;
    const status = parseStatusLine(result.text);
    expect(parseFieldLines(result.text, status?.next ?? 0, 10)).toMatchObject({
      failure: "malformed",
    });
  });

  it("refuses a bare LF at once, even before the head is complete", () => {
    for (const text of ["HTTP/1.1 101 OK\nUpgrade: websocket\r\n", "HTTP/1.1 101 OK\r\nA: b\n\n"]) {
      expect(new HeadReader(16384).push(Buffer.from(text))).toMatchObject({
        kind: "error",
        failure: "malformed",
      });
    }
  });
});

describe("parseStatusLine", () => {
  it("reads version, code and reason", () => {
    expect(parseStatusLine("HTTP/1.1 101 Switching Protocols\r\n")).toEqual({
      status: { httpVersion: "1.1", statusCode: 101, statusMessage: "Switching Protocols" },
      next: 34,
    });
    expect(parseStatusLine("HTTP/1.0 200 Connection established\r\n")?.status.statusCode).toBe(200);
    expect(parseStatusLine("HTTP/1.1 101\r\n")?.status.statusMessage).toBe("");
    expect(parseStatusLine("HTTP/1.1 404 \r\n")?.status.statusMessage).toBe("");
  });

  it.each([
    "SSH-2.0-OpenSSH_9.6\r\n",
    "HTTP/2 101 OK\r\n",
    "HTTP/1.2 101 OK\r\n",
    "HTTP/1.1 1011 OK\r\n",
    "HTTP/1.1 99 OK\r\n",
    "HTTP/1.1  101 OK\r\n",
    "HTTP/1.1 101 O\0K\r\n",
    "HTTP/1.1 101 O\rK\r\n",
    "http/1.1 101 OK\r\n",
  ])("refuses %j", (line) => {
    expect(parseStatusLine(line)).toBeNull();
  });

  it("answers as the grammar's regular expression on random lines", () => {
    // status-line as a regular expression (what the scan by hand replaced).
    const grammar = /^HTTP\/1\.([01]) ([1-9][0-9]{2})(?: ([\t\x20-\x7e\x80-\xff]*))?$/;
    const viaGrammar = (text: string) => {
      const eol = text.indexOf("\r\n");
      const match = grammar.exec(eol === -1 ? text : text.slice(0, eol));
      if (match === null) return null;
      return {
        status: {
          httpVersion: `1.${match[1]}`,
          statusCode: Number(match[2]),
          statusMessage: match[3] ?? "",
        },
        next: eol === -1 ? text.length : eol + 2,
      };
    };
    const next = random(seed);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
    const parts = [
      ["HTTP/1.1", "HTTP/1.0", "HTTP/1.2", "HTTP/2", "http/1.1", "HTTP/1.1 ", ""],
      [" ", "", "  ", "\t"],
      ["101", "200", "099", "1011", "10", "abc", "999", "100", "1x1"],
      ["", " ", " OK", " Switching Protocols", "OK", " O\0K", " O\rK", " \xe9\t\x7f", " a\nb"],
      ["\r\n", "", "\r\nX: y\r\n", "\n"],
    ];
    for (let run = 0; run < 3000; run++) {
      const text = parts.map((list) => pick(list)).join("");
      expect(parseStatusLine(text)).toEqual(viaGrammar(text));
    }
  });
});

describe("parseRequestLine", () => {
  it("reads method, target and version", () => {
    expect(parseRequestLine("GET /chat?x=1 HTTP/1.1\r\nHost: a\r\n")).toEqual({
      request: { method: "GET", target: "/chat?x=1", httpVersion: "1.1" },
      next: 24,
    });
  });

  it.each([
    "GET / HTTP/1.1 \r\n",
    "GET  / HTTP/1.1\r\n",
    "GET /a b HTTP/1.1\r\n",
    "GET /\x7f HTTP/1.1\r\n",
    "GET / HTTP/2.0\r\n",
    "G(T / HTTP/1.1\r\n",
    "GET /\r\n",
    "\r\n",
    "GET / HTTP/1.10\r\n",
    "GET / HTTP/1.2\r\n",
    "GET / http/1.1\r\n",
    "GET\t/ HTTP/1.1\r\n",
    "GET / HTTP/1.1\rx\r\n",
    " GET / HTTP/1.1\r\n",
    "GET  HTTP/1.1\r\n",
    "GET /\xe9 HTTP/1.1\r\n",
  ])("refuses %j", (line) => {
    expect(parseRequestLine(line)).toBeNull();
  });

  it("reads HTTP/1.0, any token method and a line without CRLF", () => {
    expect(parseRequestLine("M-1~ * HTTP/1.0")).toEqual({
      request: { method: "M-1~", target: "*", httpVersion: "1.0" },
      next: 15,
    });
  });
});

describe("parseFieldLines", () => {
  it("reads names as sent and values without surrounding whitespace", () => {
    expect(parseFieldLines("A: 1\r\nB-c:\t x y \t\r\nEmpty:\r\nLatin: \xe9\r\n", 0, 10)).toEqual({
      rawHeaders: ["A", "1", "B-c", "x y", "Empty", "", "Latin", "\xe9"],
    });
  });

  it.each([
    [" folded\r\n", "obs-fold"],
    ["A: 1\r\n\tfolded\r\n", "obs-fold"],
    ["A : 1\r\n", "invalid header line"],
    [": 1\r\n", "invalid header line"],
    ["A(b): 1\r\n", "invalid header line"],
    ["A: 1\0\r\n", "invalid header line"],
    ["A: 1\r2\r\n", "invalid header line"],
    ["A: \x7f\r\n", "invalid header line"],
    ["A 1\r\n", "invalid header line"],
    ["A: 1", "unterminated"],
  ])("refuses %j (%s)", (text, message) => {
    const result = parseFieldLines(text, 0, 10);
    expect(result).toMatchObject({ failure: "malformed" });
    expect((result as { message: string }).message).toContain(message);
  });

  it("refuses more lines than the limit", () => {
    expect(parseFieldLines("A: 1\r\nB: 2\r\nC: 3\r\n", 0, 2)).toMatchObject({
      failure: "too-many-fields",
    });
    expect(parseFieldLines("A: 1\r\nB: 2\r\n", 0, 2)).toHaveProperty("rawHeaders");
  });

  it("takes linear time on values made to backtrack", () => {
    const started = performance.now();
    for (const text of [
      `A: b${" ".repeat(200_000)}x\r\n`,
      `A:${" ".repeat(200_000)}\0\r\n`,
      `A: ${"a ".repeat(100_000)}\x01\r\n`,
    ]) {
      parseFieldLines(text, 0, 10);
    }
    // A quadratic scan of 200,000 characters takes minutes; linear takes milliseconds.
    expect(performance.now() - started).toBeLessThan(5000);
  });
});

describe("parseDistinctHeaders", () => {
  /** What the server's map was before: distinctHeaders of parseFieldLines, or its error. */
  const viaRaw = (text: string, max: number) => {
    const fields = parseFieldLines(text, 0, max);
    return "rawHeaders" in fields ? { headers: distinctHeaders(fields.rawHeaders) } : fields;
  };

  it.each([
    "Host: a\r\nUPGRADE: websocket\r\nconnection: Upgrade\r\nSec-WebSocket-Key: k\r\n",
    "HOST: a\r\nhost: b\r\nHost: c\r\n",
    "Hosu: a\r\nhosT: b\r\nSec-WebSocket-Kez: x\r\nsec-websocket-key:  y \r\n",
    "__proto__: p\r\nconstructor: c\r\n",
    "Host\x5f: a\r\nHos\x54: b\r\nX-\x7e: c\r\n",
    " folded\r\n",
    "A : 1\r\n",
    "A: 1\r2\r\n",
    "A: 1",
    "A: 1\r\nB: 2\r\nC: 3\r\n",
  ])("makes distinctHeaders' map of parseFieldLines' lines, or its refusal: %j", (text) => {
    expect(parseDistinctHeaders(text, 0, 2)).toEqual(viaRaw(text, 2));
  });

  it("agrees with distinctHeaders on random heads of handshake-like lines", () => {
    const next = random(seed);
    const names = [
      "Host",
      "host",
      "HOST",
      "Sec-WebSocket-Key",
      "sec-websocket-KEY",
      "Origin",
      "origiN",
      "Cookie",
      "X-a",
      "Upgrade",
      "connection",
      "Hosz",
      "Ho{t",
      "A B",
      "",
      "K\xe9y",
    ];
    for (let run = 0; run < 2000; run++) {
      const text = randomHead(next, names);
      expect(parseDistinctHeaders(text, 0, 4)).toEqual(viaRaw(text, 4));
    }
  });
});

describe("parseJoinedHeaders", () => {
  /** What the client's map was before: joinedHeaders of parseFieldLines, or its error. */
  const viaRaw = (text: string, max: number) => {
    const fields = parseFieldLines(text, 0, max);
    return "rawHeaders" in fields ? { headers: joinedHeaders(fields.rawHeaders) } : fields;
  };

  it.each([
    "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: k\r\n",
    "Set-Cookie: a=1\r\nset-cookie: b=2\r\nCookie: c\r\ncookie: d\r\n",
    "Location: /a\r\nlocation: /b\r\nX-A: 1\r\nx-a: 2\r\n",
    "__proto__: p\r\nconstructor: c\r\n",
    " folded\r\n",
    "A : 1\r\n",
    "A: 1\r2\r\n",
    "A: 1",
    "A: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\nE: 5\r\n",
  ])("makes joinedHeaders' map of parseFieldLines' lines, or its refusal: %j", (text) => {
    const ours = parseJoinedHeaders(text, 0, 4);
    expect(ours).toEqual(viaRaw(text, 4));
    if ("headers" in ours) expect(Object.getPrototypeOf(ours.headers)).toBe(Object.prototype);
  });

  it("agrees with joinedHeaders on random heads of answer-like lines", () => {
    const next = random(seed + 1);
    const names = [
      "Upgrade",
      "UPGRADE",
      "Connection",
      "Sec-WebSocket-Accept",
      "sec-websocket-ACCEPT",
      "Sec-WebSocket-Protocol",
      "Set-Cookie",
      "set-cookie",
      "Cookie",
      "Location",
      "Server",
      "Date",
      "Upgradf",
      "X-a",
      "A B",
      "",
      "K\xe9y",
    ];
    for (let run = 0; run < 2000; run++) {
      const text = randomHead(next, names);
      expect(parseJoinedHeaders(text, 0, 4)).toEqual(viaRaw(text, 4));
    }
  });
});

describe("readHead", () => {
  it("answers a first chunk as a new HeadReader does", () => {
    for (const text of [RESPONSE, `${RESPONSE}xy`, RESPONSE.slice(0, 20), "A\nB", "x".repeat(80)]) {
      const bytes = Buffer.from(text, "latin1");
      expect(readHead(bytes, 64)).toEqual(new HeadReader(64).push(bytes));
      expect(readHead(bytes, 1000)).toEqual(new HeadReader(1000).push(bytes));
    }
  });

  it("finds a head in a first chunk at any limit, with any bytes after it", () => {
    const head = Buffer.from(RESPONSE, "latin1");
    const after = Buffer.from("\x81\x05hello\r\n\r\n", "latin1");
    const bytes = Buffer.concat([head, after]);
    const text = RESPONSE.slice(0, -2);
    for (let max = 0; max < bytes.length + 8; max++) {
      const result = readHead(bytes, max);
      if (text.length <= max) {
        expect(result).toEqual({ kind: "head", text, rest: after });
      } else {
        expect(result).toMatchObject({ kind: "error", failure: "too-large" });
      }
    }
  });
});

describe("header maps", () => {
  const raw = [
    "Host",
    "a",
    "host",
    "b",
    "X-A",
    "1",
    "x-a",
    "2",
    "Set-Cookie",
    "c=1",
    "Cookie",
    "d=1",
    "cookie",
    "e=2",
    "__proto__",
    "p",
  ];

  it("joins repeats as Node's IncomingMessage.headers does", () => {
    const headers = joinedHeaders(raw);
    expect({ ...headers }).toEqual({
      host: "a",
      "x-a": "1, 2",
      "set-cookie": ["c=1"],
      cookie: "d=1; e=2",
      ["__proto__"]: "p",
    });
    expect(Object.getPrototypeOf(headers)).toBe(Object.prototype);
    expect(Object.hasOwn(headers, "__proto__")).toBe(true);
  });

  it("keeps every line of a repeated name when distinct", () => {
    const headers = distinctHeaders(raw);
    expect(headers.host).toEqual(["a", "b"]);
    expect(headers["x-a"]).toEqual(["1", "2"]);
    expect(headers["set-cookie"]).toBe("c=1");
    expect(Object.hasOwn(headers, "__proto__")).toBe(true);
    expect(Object.getPrototypeOf(headers)).toBe(Object.prototype);
  });
});

describe("formatRequestHead", () => {
  it("writes the request line, one line per header and the blank line", () => {
    expect(formatRequestHead("GET", "/x?y=1", { host: "h:1", upgrade: "websocket" })).toBe(
      "GET /x?y=1 HTTP/1.1\r\nhost: h:1\r\nupgrade: websocket\r\n\r\n",
    );
  });

  it.each([
    ["G T", "/", {}],
    ["GET", "/a b", {}],
    ["GET", "/\r\n", {}],
    ["GET", "/", { "x y": "1" }],
    ["GET", "/", { x: "1\r\nInjected: yes" }],
    ["GET", "/", { x: "a\0" }],
    ["GET", "/", { x: "\u0100" }],
  ])("refuses injection: %j %j %j", (method, target, headers) => {
    expect(() => formatRequestHead(method, target, headers as Record<string, string>)).toThrow(
      TypeError,
    );
  });
});

describe("nativeAcceptKey", () => {
  it("is the protocol's computeAcceptKey (RFC 6455 sample and fresh keys)", () => {
    expect(nativeAcceptKey("dGhlIHNhbXBsZSBub25jZQ==")).toBe("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    for (let i = 0; i < 50; i++) {
      const key = generateClientKey();
      expect(nativeAcceptKey(key)).toBe(computeAcceptKey(key));
    }
  });
});
