import { createHash } from "node:crypto";
import { HandshakeError, HResult, InvalidArgumentError, WebErrorStatus } from "@netsockets/errors";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  buildAcceptHeaders,
  buildClientRequestHeaders,
  computeAcceptKey,
  generateClientKey,
  type HeaderMap,
  validateClientRequest,
  validateServerResponse,
  WEBSOCKET_GUID,
  webErrorStatusForHttpStatus,
} from "./handshake.js";

const seed = Number(process.env.NETSOCKETS_SEED ?? 20261126);
console.log(`handshake.test.ts fast-check seed ${seed}`);

const SAMPLE_KEY = "dGhlIHNhbXBsZSBub25jZQ==";
const SAMPLE_ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

/** A valid request (RFC 6455 §1.2 example), with `headers` overriding or removing (undefined) some. */
function request(
  headers: Record<string, string | readonly string[] | undefined> = {},
  method = "GET",
  httpVersion = "1.1",
): { method: string; httpVersion: string; headers: HeaderMap } {
  const base: Record<string, string | readonly string[] | undefined> = {
    host: "server.example.com",
    upgrade: "websocket",
    connection: "Upgrade",
    "sec-websocket-key": SAMPLE_KEY,
    "sec-websocket-version": "13",
    origin: "http://example.com",
  };
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) delete base[name];
    else base[name] = value;
  }
  return { method, httpVersion, headers: base };
}

/** A valid 101 response to SAMPLE_KEY, with `headers` overriding or removing some. */
function response(
  headers: Record<string, string | readonly string[] | undefined> = {},
  statusCode = 101,
): { statusCode: number; headers: HeaderMap } {
  const base: Record<string, string | readonly string[] | undefined> = {
    upgrade: "websocket",
    connection: "Upgrade",
    "sec-websocket-accept": SAMPLE_ACCEPT,
  };
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) delete base[name];
    else base[name] = value;
  }
  return { statusCode, headers: base };
}

const offered = {
  key: SAMPLE_KEY,
  protocols: ["chat", "superchat"],
  extensions: ["permessage-deflate"],
};

/** The HandshakeError `fn` throws. */
function thrown(fn: () => unknown): HandshakeError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(HandshakeError);
    return error as HandshakeError;
  }
  throw new Error("expected a HandshakeError");
}

describe("computeAcceptKey", () => {
  it("gives the RFC 6455 §1.3 example", () => {
    expect(WEBSOCKET_GUID).toBe("258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
    expect(computeAcceptKey(SAMPLE_KEY)).toBe(SAMPLE_ACCEPT);
  });

  it("matches node:crypto on random keys", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (nonce) => {
        const key = Buffer.from(nonce).toString("base64");
        const expected = createHash("sha1")
          .update(key + WEBSOCKET_GUID)
          .digest("base64");
        expect(computeAcceptKey(key)).toBe(expected);
      }),
      { seed, numRuns: 300 },
    );
  });

  it("hashes Latin-1 characters as single bytes, as Node decodes header bytes", () => {
    const expected = createHash("sha1")
      .update(Buffer.from(`\u00e9${WEBSOCKET_GUID}`, "latin1"))
      .digest("base64");
    expect(computeAcceptKey("\u00e9")).toBe(expected);
    expect(() => computeAcceptKey("\u0100")).toThrow(InvalidArgumentError);
  });
});

describe("a precomputed accept value", () => {
  it("is what buildAcceptHeaders sends and what validateServerResponse compares", () => {
    expect(
      buildAcceptHeaders({ key: SAMPLE_KEY, accept: SAMPLE_ACCEPT })["sec-websocket-accept"],
    ).toBe(SAMPLE_ACCEPT);
    const response = {
      statusCode: 101,
      headers: {
        upgrade: "websocket",
        connection: "Upgrade",
        "sec-websocket-accept": SAMPLE_ACCEPT,
      },
    };
    const expected = { key: SAMPLE_KEY, protocols: [], extensions: [] };
    expect(validateServerResponse(response, { ...expected, accept: SAMPLE_ACCEPT }).protocol).toBe(
      null,
    );
    // A caller that passes a different value gets it compared, not the computed one.
    expect(() =>
      validateServerResponse(response, { ...expected, accept: "AAAAAAAAAAAAAAAAAAAAAAAAAAA=" }),
    ).toThrow(HandshakeError);
  });
});

describe("generateClientKey", () => {
  it("is base64 of 16 bytes from the given source", () => {
    const key = generateClientKey((b) => b.fill(0xab));
    expect(key).toBe(Buffer.alloc(16, 0xab).toString("base64"));
    expect(key).toHaveLength(24);
  });

  it("uses the platform CSPRNG by default: keys differ and decode to 16 bytes", () => {
    const keys = new Set(Array.from({ length: 64 }, () => generateClientKey()));
    expect(keys.size).toBe(64);
    for (const key of keys) expect(Buffer.from(key, "base64")).toHaveLength(16);
  });

  it("never repeats a key across refills of its buffered random pool (64 keys per refill)", () => {
    const keys = new Set(Array.from({ length: 300 }, () => generateClientKey()));
    expect(keys.size).toBe(300);
  });
});

describe("validateClientRequest", () => {
  it("accepts the RFC 6455 §1.2 example", () => {
    const check = validateClientRequest(request({ "sec-websocket-protocol": "chat, superchat" }));
    expect(check).toEqual({
      ok: true,
      key: SAMPLE_KEY,
      protocols: ["chat", "superchat"],
      extensions: [],
      origin: "http://example.com",
      host: "server.example.com",
    });
  });

  it("matches a lone Upgrade / Connection token ASCII case-insensitively, nothing else", () => {
    for (const [upgrade, connection] of [
      ["WEBSOCKET", "UPGRADE"],
      ["WebSocket", "Upgrade"],
      ["websocket", "upgrade"],
    ] as const) {
      expect(validateClientRequest(request({ upgrade, connection })).ok).toBe(true);
    }
    for (const headers of [
      { upgrade: "websocke1" },
      { upgrade: "websoc\u212Aet" }, // KELVIN SIGN lower-cases to "k" in Unicode, not in ASCII
      { connection: "upgradx" },
      { connection: "\u0130pgrade" },
    ]) {
      expect(validateClientRequest(request(headers))).toMatchObject({ ok: false, status: 400 });
    }
    expect(
      validateServerResponse(response({ connection: "UPGRADE" }), {
        key: SAMPLE_KEY,
        protocols: [],
        extensions: [],
      }).protocol,
    ).toBeNull();
  });

  it("accepts case-insensitive tokens inside lists, HTTP/2.0 and no Origin", () => {
    const check = validateClientRequest(
      request(
        {
          upgrade: "h2c, WebSocket",
          connection: "keep-alive, UPGRADE",
          origin: undefined,
          "sec-websocket-key": ` ${SAMPLE_KEY}\t`,
        },
        "GET",
        "2.0",
      ),
    );
    expect(check.ok).toBe(true);
    if (check.ok) {
      expect(check.key).toBe(SAMPLE_KEY);
      expect(check.origin).toBeUndefined();
    }
  });

  it("accepts header arrays (req.headersDistinct) and joins repeated list headers", () => {
    const check = validateClientRequest(
      request({
        host: ["server.example.com"],
        connection: ["keep-alive", "Upgrade"],
        "sec-websocket-key": [SAMPLE_KEY],
        "sec-websocket-version": ["13"],
        "sec-websocket-protocol": ["chat", "superchat, v2"],
        "sec-websocket-extensions": ["permessage-deflate; client_max_window_bits", "x-foo"],
      }),
    );
    expect(check.ok).toBe(true);
    if (check.ok) {
      expect(check.protocols).toEqual(["chat", "superchat", "v2"]);
      expect(check.extensions.map((e) => e.name)).toEqual(["permessage-deflate", "x-foo"]);
      expect(check.extensions[0]?.params.get("client_max_window_bits")).toBe(true);
    }
  });

  it("answers 405 with Allow: GET for another method", () => {
    for (const method of ["POST", "get", "HEAD", "CONNECT", "", undefined]) {
      const check = validateClientRequest({ ...request(), method });
      expect(check.ok).toBe(false);
      if (check.ok) continue;
      expect(check.status).toBe(405);
      expect(check.headers).toEqual({ allow: "GET" });
      expect(check.error.reason).toBe("bad-request");
      expect(check.error.code).toBe("ERR_HANDSHAKE_BAD_REQUEST");
      expect(check.error.statusCode).toBe(405);
      expect(check.error.status).toBe(WebErrorStatus.methodNotAllowed);
    }
  });

  const badRequests: [string, ReturnType<typeof request>][] = [
    ["HTTP/1.0", request({}, "GET", "1.0")],
    ["HTTP/0.9", request({}, "GET", "0.9")],
    ["a malformed HTTP version", request({}, "GET", "1.x")],
    ["an empty HTTP version", request({}, "GET", "")],
    ["no Upgrade", request({ upgrade: undefined })],
    ["Upgrade: h2c", request({ upgrade: "h2c" })],
    ["Upgrade: websocket/13 (a version)", request({ upgrade: "websocket/13" })],
    ["Upgrade with a bad list", request({ upgrade: "websocket x" })],
    ["an empty Upgrade", request({ upgrade: "" })],
    ["no Connection", request({ connection: undefined })],
    ["Connection: keep-alive", request({ connection: "keep-alive" })],
    ["Connection: upgraded", request({ connection: "upgraded" })],
    ["Connection with a bad list", request({ connection: "Upgrade; x" })],
    ["no Host", request({ host: undefined })],
    ["an empty Host", request({ host: "" })],
    ["two Host lines", request({ host: ["a.example", "b.example"] })],
    ["two Host values joined by Node", request({ host: "a.example, b.example" })],
    ["no Sec-WebSocket-Key", request({ "sec-websocket-key": undefined })],
    ["an empty Sec-WebSocket-Key", request({ "sec-websocket-key": "" })],
    ["a 15-byte key", request({ "sec-websocket-key": Buffer.alloc(15, 1).toString("base64") })],
    ["a 17-byte key", request({ "sec-websocket-key": Buffer.alloc(17, 1).toString("base64") })],
    ["a key that is not base64", request({ "sec-websocket-key": "!!!!!!!!!!!!!!!!!!!!!!==" })],
    ["a key without padding", request({ "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ" })],
    ["a URL-safe key", request({ "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZ-_" })],
    ["two keys", request({ "sec-websocket-key": [SAMPLE_KEY, SAMPLE_KEY] })],
    ["two keys joined by Node", request({ "sec-websocket-key": `${SAMPLE_KEY}, ${SAMPLE_KEY}` })],
    ["a bad Sec-WebSocket-Protocol", request({ "sec-websocket-protocol": "chat v2" })],
    ["a repeated subprotocol", request({ "sec-websocket-protocol": ["chat", "chat"] })],
    ["a subprotocol with a separator", request({ "sec-websocket-protocol": "chat/1" })],
    [
      "a bad Sec-WebSocket-Extensions",
      request({ "sec-websocket-extensions": "permessage-deflate;" }),
    ],
    [
      "an extension with a non-token quoted value",
      request({ "sec-websocket-extensions": 'x; a="b c"' }),
    ],
    ["two Origin lines", request({ origin: ["http://a.example", "http://b.example"] })],
  ];

  it.each(badRequests)("answers 400 (bad-request) for %s", (_, req) => {
    const check = validateClientRequest(req);
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(check.status).toBe(400);
    expect(check.headers).toEqual({});
    expect(check.reason).toMatch(/\S/);
    expect(check.error).toBeInstanceOf(HandshakeError);
    expect(check.error.reason).toBe("bad-request");
    expect(check.error.code).toBe("ERR_HANDSHAKE_BAD_REQUEST");
    expect(check.error.statusCode).toBe(400);
    expect(check.error.status).toBe(WebErrorStatus.badRequest);
    expect(check.error.message).toBe(check.reason);
  });

  it.each([
    ["no version", undefined],
    ["version 8", "8"],
    ["version 12", "12"],
    ["version 14", "14"],
    ["version 013", "013"],
    ["an empty version", ""],
    ["two versions", ["13", "8"]],
    ["a version list", "13, 8"],
  ] as const)("answers 426 with Sec-WebSocket-Version: 13 for %s", (_, version) => {
    const check = validateClientRequest(request({ "sec-websocket-version": version }));
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(check.status).toBe(426);
    expect(check.headers).toEqual({ "sec-websocket-version": "13" });
    expect(check.error.reason).toBe("unsupported-version");
    expect(check.error.code).toBe("ERR_HANDSHAKE_UNSUPPORTED_VERSION");
    expect(check.error.statusCode).toBe(426);
  });

  it("keeps a copy of the request headers on the error", () => {
    const req = request({ upgrade: undefined, "x-custom": ["a", "b"] });
    const check = validateClientRequest(req);
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(check.error.headers["x-custom"]).toEqual(["a", "b"]);
    expect(check.error.headers["x-custom"]).not.toBe(req.headers["x-custom"]);
  });

  it("does not crash when headers are missing (S6: headers dropped by maxHeadersCount)", () => {
    expect(validateClientRequest({ method: "GET", httpVersion: "1.1", headers: {} })).toMatchObject(
      {
        ok: false,
        status: 400,
      },
    );
    // A header map where every value is undefined, as when Node dropped the lines.
    const dropped = validateClientRequest(
      request({ upgrade: undefined, connection: undefined, "sec-websocket-key": undefined }),
    );
    expect(dropped).toMatchObject({ ok: false, status: 400 });
    const allUndefined: HeaderMap = {
      host: undefined,
      upgrade: undefined,
      connection: undefined,
      "sec-websocket-key": undefined,
      "sec-websocket-version": undefined,
    };
    expect(
      validateClientRequest({ method: "GET", httpVersion: "1.1", headers: allUndefined }),
    ).toMatchObject({
      ok: false,
      status: 400,
    });
  });

  it("handles 2,000 headers with Upgrade last, and without it (S6)", () => {
    const many: Record<string, string> = {};
    for (let i = 0; i < 2000; i++) many[`x-filler-${i}`] = "v";
    const base = request().headers;
    expect(
      validateClientRequest({ method: "GET", httpVersion: "1.1", headers: { ...many, ...base } })
        .ok,
    ).toBe(true);
    const { upgrade: _, ...withoutUpgrade } = base;
    expect(
      validateClientRequest({
        method: "GET",
        httpVersion: "1.1",
        headers: { ...many, ...withoutUpgrade },
      }),
    ).toMatchObject({ ok: false, status: 400 });
  });

  it("ignores inherited properties and non-string values", () => {
    const inherited = Object.create(request().headers) as HeaderMap;
    expect(
      validateClientRequest({ method: "GET", httpVersion: "1.1", headers: inherited }).ok,
    ).toBe(false);
    const weird = { ...request().headers, upgrade: 42 as unknown as string };
    expect(
      validateClientRequest({ method: "GET", httpVersion: "1.1", headers: weird }),
    ).toMatchObject({
      ok: false,
      status: 400,
    });
  });

  it("validates a whole handshake with prototype names as extension and parameter names (S3)", () => {
    const extensions =
      'permessage-deflate; __proto__=1; constructor, __proto__; toString; hasOwnProperty="x", constructor, toString, hasOwnProperty';
    const req = request({ "sec-websocket-extensions": extensions });
    // An own header called "__proto__", as a hostile client could send it.
    Object.defineProperty(req.headers, "__proto__", { value: "x", enumerable: true });
    expect(Object.hasOwn(req.headers, "__proto__")).toBe(true);
    const check = validateClientRequest(req);
    expect(check.ok).toBe(true);
    if (!check.ok) return;
    expect(check.extensions.map((e) => e.name)).toEqual([
      "permessage-deflate",
      "__proto__",
      "constructor",
      "toString",
      "hasOwnProperty",
    ]);
    expect(check.extensions[0]?.params.get("__proto__")).toBe("1");
    expect(check.extensions[1]?.params.get("hasOwnProperty")).toBe("x");
    expect(({} as Record<string, unknown>).constructor).toBe(Object);
  });
});

describe("validateClientRequest on arbitrary input", () => {
  it("never throws, and every refusal is 400, 405 or 426 with a HandshakeError", () => {
    const value = fc.oneof(
      fc.constant(undefined),
      fc.string({ maxLength: 30 }),
      fc.array(fc.string({ maxLength: 20 }), { maxLength: 3 }),
      fc.constantFrom("websocket", "Upgrade", SAMPLE_KEY, "13", "chat", "permessage-deflate; a=1"),
    );
    const headers = fc.record({
      host: value,
      upgrade: value,
      connection: value,
      "sec-websocket-key": value,
      "sec-websocket-version": value,
      "sec-websocket-protocol": value,
      "sec-websocket-extensions": value,
      origin: value,
    });
    const method = fc.oneof(
      fc.constantFrom("GET", "GET", "POST", undefined),
      fc.string({ maxLength: 5 }),
    );
    const version = fc.oneof(fc.constantFrom("1.1", "1.0", "2.0"), fc.string({ maxLength: 5 }));
    fc.assert(
      fc.property(method, version, headers, (m, httpVersion, h) => {
        const check = validateClientRequest({ method: m, httpVersion, headers: h });
        if (check.ok) {
          expect(check.key).toHaveLength(24);
          return;
        }
        expect([400, 405, 426]).toContain(check.status);
        expect(check.error).toBeInstanceOf(HandshakeError);
        expect(check.error.statusCode).toBe(check.status);
        expect(check.error.reason).toBe(
          check.status === 426 ? "unsupported-version" : "bad-request",
        );
      }),
      { seed, numRuns: 2000 },
    );
  });
});

describe("buildAcceptHeaders", () => {
  it("builds the RFC 6455 §1.3 response headers", () => {
    expect(buildAcceptHeaders({ key: SAMPLE_KEY, protocol: "chat" })).toEqual({
      upgrade: "websocket",
      connection: "Upgrade",
      "sec-websocket-accept": SAMPLE_ACCEPT,
      "sec-websocket-protocol": "chat",
    });
  });

  it("adds extensions and user headers, omits null/empty ones", () => {
    const headers = buildAcceptHeaders({
      key: SAMPLE_KEY,
      protocol: null,
      extensions: "permessage-deflate; server_no_context_takeover",
      headers: { "set-cookie": "a=b", "X-Powered-By": "netsockets" },
    });
    expect(headers).toEqual({
      upgrade: "websocket",
      connection: "Upgrade",
      "sec-websocket-accept": SAMPLE_ACCEPT,
      "sec-websocket-extensions": "permessage-deflate; server_no_context_takeover",
      "set-cookie": "a=b",
      "X-Powered-By": "netsockets",
    });
    expect(Object.keys(buildAcceptHeaders({ key: SAMPLE_KEY, extensions: "" }))).toEqual([
      "upgrade",
      "connection",
      "sec-websocket-accept",
    ]);
  });

  it.each([
    ["a non-token protocol", { key: SAMPLE_KEY, protocol: "a b" }],
    ["an empty protocol", { key: SAMPLE_KEY, protocol: "" }],
    ["extensions with CRLF", { key: SAMPLE_KEY, extensions: "x\r\nevil: 1" }],
    ["a user Upgrade header", { key: SAMPLE_KEY, headers: { Upgrade: "h2c" } }],
    ["a user Sec-WebSocket-Accept", { key: SAMPLE_KEY, headers: { "Sec-WebSocket-Accept": "x" } }],
    ["a header value with LF", { key: SAMPLE_KEY, headers: { "x-a": "1\nx-b: 2" } }],
    ["a header value with NUL", { key: SAMPLE_KEY, headers: { "x-a": "1\u0000" } }],
    ["a header name with a space", { key: SAMPLE_KEY, headers: { "x a": "1" } }],
    ["a header name with a colon", { key: SAMPLE_KEY, headers: { "x-a:": "1" } }],
  ])("refuses %s", (_, options) => {
    expect(() => buildAcceptHeaders(options)).toThrow(InvalidArgumentError);
  });
});

describe("buildClientRequestHeaders", () => {
  it("builds the request headers", () => {
    expect(
      buildClientRequestHeaders({
        key: SAMPLE_KEY,
        protocols: ["chat", "superchat"],
        extensions: "permessage-deflate; client_max_window_bits",
        origin: "http://example.com",
        headers: { Authorization: "Bearer t", host: "virtual.example" },
      }),
    ).toEqual({
      upgrade: "websocket",
      connection: "Upgrade",
      "sec-websocket-key": SAMPLE_KEY,
      "sec-websocket-version": "13",
      "sec-websocket-protocol": "chat, superchat",
      "sec-websocket-extensions": "permessage-deflate; client_max_window_bits",
      origin: "http://example.com",
      Authorization: "Bearer t",
      host: "virtual.example",
    });
  });

  it("omits the optional headers when not given", () => {
    expect(buildClientRequestHeaders({ key: SAMPLE_KEY, protocols: [], extensions: null })).toEqual(
      {
        upgrade: "websocket",
        connection: "Upgrade",
        "sec-websocket-key": SAMPLE_KEY,
        "sec-websocket-version": "13",
      },
    );
  });

  it.each([
    "Sec-WebSocket-Key",
    "sec-websocket-version",
    "SEC-WEBSOCKET-ACCEPT",
    "Sec-WebSocket-Extensions",
    "Sec-WebSocket-Protocol",
    "Upgrade",
    "connection",
  ])("refuses a user %s header (any case)", (name) => {
    expect(() => buildClientRequestHeaders({ key: SAMPLE_KEY, headers: { [name]: "x" } })).toThrow(
      InvalidArgumentError,
    );
  });

  it.each([
    ["a bad key", { key: "abc" }],
    ["a 15-byte key", { key: Buffer.alloc(15).toString("base64") }],
    ["a non-token protocol", { key: SAMPLE_KEY, protocols: ["a,b"] }],
    ["an empty protocol", { key: SAMPLE_KEY, protocols: [""] }],
    ["a repeated protocol", { key: SAMPLE_KEY, protocols: ["chat", "chat"] }],
    ["an Origin with CRLF", { key: SAMPLE_KEY, origin: "http://a\r\nx: y" }],
    [
      "an Origin header and an origin option",
      { key: SAMPLE_KEY, origin: "http://a", headers: { Origin: "http://b" } },
    ],
    ["header injection in a value (CR)", { key: SAMPLE_KEY, headers: { "x-a": "1\rx-b: 2" } }],
    ["header injection in a value (LF)", { key: SAMPLE_KEY, headers: { "x-a": "1\nx-b: 2" } }],
    ["a NUL in a value", { key: SAMPLE_KEY, headers: { "x-a": "\u0000" } }],
    ["a character above U+00FF in a value", { key: SAMPLE_KEY, headers: { "x-a": "\u2028" } }],
    ["a header name with CRLF", { key: SAMPLE_KEY, headers: { "x-a\r\nx-b": "1" } }],
    ["an empty header name", { key: SAMPLE_KEY, headers: { "": "1" } }],
    ["extensions with LF", { key: SAMPLE_KEY, extensions: "a\nb" }],
  ])("refuses %s", (_, options) => {
    expect(() => buildClientRequestHeaders(options)).toThrow(InvalidArgumentError);
  });

  it("passes an Origin header through when no origin option is given, and keeps __proto__ a plain name", () => {
    const headers = buildClientRequestHeaders({
      key: SAMPLE_KEY,
      headers: JSON.parse('{"Origin":"http://b","__proto__":"x"}') as Record<string, string>,
    });
    expect(headers.Origin).toBe("http://b");
    expect(Object.hasOwn(headers, "__proto__")).toBe(true);
    expect(Object.getPrototypeOf(headers)).toBe(Object.prototype);
  });
});

describe("validateServerResponse", () => {
  it("accepts the RFC 6455 §1.3 response", () => {
    expect(validateServerResponse(response(), offered)).toEqual({ protocol: null, extensions: [] });
  });

  it("returns the chosen subprotocol and the accepted extensions", () => {
    const result = validateServerResponse(
      response({
        upgrade: "WebSocket",
        connection: "keep-alive, upgrade",
        "sec-websocket-accept": ` ${SAMPLE_ACCEPT} `,
        "sec-websocket-protocol": "superchat",
        "sec-websocket-extensions": "permessage-deflate; server_max_window_bits=10",
      }),
      offered,
    );
    expect(result.protocol).toBe("superchat");
    expect(result.extensions).toHaveLength(1);
    expect(result.extensions[0]?.name).toBe("permessage-deflate");
    expect(result.extensions[0]?.params.get("server_max_window_bits")).toBe("10");
  });

  it("accepts header arrays", () => {
    const result = validateServerResponse(
      response({
        upgrade: ["websocket"],
        connection: ["Upgrade"],
        "sec-websocket-accept": [SAMPLE_ACCEPT],
        "sec-websocket-protocol": ["chat"],
        "sec-websocket-extensions": ["permessage-deflate"],
      }),
      offered,
    );
    expect(result.protocol).toBe("chat");
  });

  it.each([
    [400, WebErrorStatus.badRequest, 0x80190190],
    [401, WebErrorStatus.unauthorized, 0x80190191],
    [403, WebErrorStatus.forbidden, 0x80190193],
    [404, WebErrorStatus.notFound, 0x80190194],
    [500, WebErrorStatus.internalServerError, 0x801901f4],
    [503, WebErrorStatus.serviceUnavailable, 0x801901f7],
    [301, WebErrorStatus.movedPermanently, 0x8019012d],
    [307, WebErrorStatus.temporaryRedirect, 0x80190133],
    [308, WebErrorStatus.unexpectedRedirection, HResult.HTTP_E_STATUS_UNEXPECTED_REDIRECTION],
    [306, WebErrorStatus.unexpectedRedirection, HResult.HTTP_E_STATUS_UNEXPECTED_REDIRECTION],
    [426, WebErrorStatus.unexpectedClientError, HResult.HTTP_E_STATUS_UNEXPECTED_CLIENT_ERROR],
    [429, WebErrorStatus.unexpectedClientError, HResult.HTTP_E_STATUS_UNEXPECTED_CLIENT_ERROR],
    [599, WebErrorStatus.unexpectedServerError, HResult.HTTP_E_STATUS_UNEXPECTED_SERVER_ERROR],
    [200, WebErrorStatus.unexpectedStatusCode, HResult.HTTP_E_STATUS_UNEXPECTED],
    [100, WebErrorStatus.unexpectedStatusCode, HResult.HTTP_E_STATUS_UNEXPECTED],
    [7, WebErrorStatus.unexpectedStatusCode, HResult.HTTP_E_STATUS_UNEXPECTED],
    [600, WebErrorStatus.unexpectedStatusCode, HResult.HTTP_E_STATUS_UNEXPECTED],
  ])("refuses status %i as bad-status with WebErrorStatus %i", (statusCode, status, hresult) => {
    const headers = { "www-authenticate": "Basic realm=x", "set-cookie": ["a=1", "b=2"] };
    const error = thrown(() => validateServerResponse({ statusCode, headers }, offered));
    expect(error.reason).toBe("bad-status");
    expect(error.code).toBe("ERR_HANDSHAKE_BAD_STATUS");
    expect(error.statusCode).toBe(statusCode);
    expect(error.status).toBe(status);
    expect(error.hresult).toBe(hresult);
    expect(error.headers).toEqual(headers);
    expect(webErrorStatusForHttpStatus(statusCode)).toBe(status);
  });

  it.each([
    ["no Upgrade", response({ upgrade: undefined })],
    ["Upgrade: h2c", response({ upgrade: "h2c" })],
    ["Upgrade listing two protocols", response({ upgrade: "websocket, h2c" })],
    ["two Upgrade lines", response({ upgrade: ["websocket", "websocket"] })],
    ["no Connection", response({ connection: undefined })],
    ["Connection: close", response({ connection: "close" })],
    ["an invalid Connection", response({ connection: "up grade" })],
    ["no Sec-WebSocket-Accept", response({ "sec-websocket-accept": undefined })],
    [
      "a wrong Sec-WebSocket-Accept",
      response({ "sec-websocket-accept": computeAcceptKey("AAAAAAAAAAAAAAAAAAAAAA==") }),
    ],
    [
      "a lower-cased Sec-WebSocket-Accept",
      response({ "sec-websocket-accept": SAMPLE_ACCEPT.toLowerCase() }),
    ],
    [
      "two Sec-WebSocket-Accept lines",
      response({ "sec-websocket-accept": [SAMPLE_ACCEPT, SAMPLE_ACCEPT] }),
    ],
    ["an empty Sec-WebSocket-Accept", response({ "sec-websocket-accept": "" })],
  ])("refuses %s as bad-response", (_, res) => {
    const error = thrown(() => validateServerResponse(res, offered));
    expect(error.reason).toBe("bad-response");
    expect(error.code).toBe("ERR_HANDSHAKE_BAD_RESPONSE");
    expect(error.status).toBe(WebErrorStatus.errorHttpInvalidServerResponse);
  });

  it.each([
    [
      "a subprotocol that was not offered",
      response({ "sec-websocket-protocol": "other" }),
      offered,
    ],
    ["a subprotocol in another case", response({ "sec-websocket-protocol": "Chat" }), offered],
    ["two subprotocols", response({ "sec-websocket-protocol": "chat, superchat" }), offered],
    [
      "two subprotocol lines",
      response({ "sec-websocket-protocol": ["chat", "superchat"] }),
      offered,
    ],
    ["an empty subprotocol", response({ "sec-websocket-protocol": "" }), offered],
    [
      "a subprotocol when none was offered",
      response({ "sec-websocket-protocol": "chat" }),
      { ...offered, protocols: [] },
    ],
  ])("refuses %s as subprotocol", (_, res, expected) => {
    const error = thrown(() => validateServerResponse(res, expected));
    expect(error.reason).toBe("subprotocol");
    expect(error.code).toBe("ERR_HANDSHAKE_SUBPROTOCOL");
  });

  it.each([
    [
      "an extension that was not offered",
      response({ "sec-websocket-extensions": "x-webkit-deflate-frame" }),
      offered,
    ],
    [
      "an extension when none was offered",
      response({ "sec-websocket-extensions": "permessage-deflate" }),
      { ...offered, extensions: [] },
    ],
    [
      "an extension accepted twice",
      response({ "sec-websocket-extensions": "permessage-deflate, permessage-deflate" }),
      offered,
    ],
    [
      "an invalid extensions header",
      response({ "sec-websocket-extensions": "permessage-deflate; =1" }),
      offered,
    ],
    ["__proto__ as an extension", response({ "sec-websocket-extensions": "__proto__" }), offered],
    [
      "constructor as an extension",
      response({ "sec-websocket-extensions": "constructor" }),
      offered,
    ],
  ])("refuses %s as extension", (_, res, expected) => {
    const error = thrown(() => validateServerResponse(res, expected));
    expect(error.reason).toBe("extension");
    expect(error.code).toBe("ERR_HANDSHAKE_EXTENSION");
  });

  it("returns extension parameters, including prototype names, as plain data", () => {
    const result = validateServerResponse(
      response({ "sec-websocket-extensions": "permessage-deflate; __proto__=1; constructor" }),
      offered,
    );
    expect([...(result.extensions[0]?.params ?? [])]).toEqual([
      ["__proto__", "1"],
      ["constructor", true],
    ]);
  });

  it("never throws anything but HandshakeError on arbitrary header maps", () => {
    const value = fc.oneof(
      fc.constant(undefined),
      fc.string({ maxLength: 30 }),
      fc.array(fc.string({ maxLength: 20 }), { maxLength: 3 }),
      fc.constantFrom("websocket", "Upgrade", SAMPLE_ACCEPT, "chat", "permessage-deflate"),
    );
    const headers = fc.record({
      upgrade: value,
      connection: value,
      "sec-websocket-accept": value,
      "sec-websocket-protocol": value,
      "sec-websocket-extensions": value,
    });
    fc.assert(
      fc.property(fc.constantFrom(101, 101, 101, 200, 404), headers, (statusCode, h) => {
        try {
          validateServerResponse({ statusCode, headers: h }, offered);
        } catch (error) {
          expect(error).toBeInstanceOf(HandshakeError);
        }
      }),
      { seed, numRuns: 1000 },
    );
  });
});

describe("hostile values in a whole handshake", () => {
  const hostile = [
    `b${" ".repeat(65_536)}x`,
    `a; b="${"\\c".repeat(32_768)}`,
    `${"a, ".repeat(20_000)}a b`,
  ];

  it.each(hostile.map((v, i) => [i, v] as const))(
    "refuses hostile value %i as Sec-WebSocket-Protocol or -Extensions with 400",
    (_, value) => {
      for (const name of ["sec-websocket-protocol", "sec-websocket-extensions"]) {
        const check = validateClientRequest(request({ [name]: value }));
        expect(check).toMatchObject({ ok: false, status: 400 });
      }
    },
  );

  it.each(hostile.map((v, i) => [i, v] as const))(
    "refuses hostile value %i in a response with the right reason",
    (_, value) => {
      expect(
        thrown(() => validateServerResponse(response({ "sec-websocket-protocol": value }), offered))
          .reason,
      ).toBe("subprotocol");
      expect(
        thrown(() =>
          validateServerResponse(response({ "sec-websocket-extensions": value }), offered),
        ).reason,
      ).toBe("extension");
    },
  );

  it("hands permessage-deflate parameters to the negotiator as parsed (S10 shapes)", () => {
    // Values are checked by the extension's negotiator; the handshake only checks the grammar.
    for (const bits of ["0", "7", "16", "1000", "abc"]) {
      const { extensions } = validateServerResponse(
        response({
          "sec-websocket-extensions": `permessage-deflate; server_max_window_bits=${bits}`,
        }),
        offered,
      );
      expect(extensions[0]?.params.get("server_max_window_bits")).toBe(bits);
    }
    const duplicated = validateServerResponse(
      response({
        "sec-websocket-extensions":
          "permessage-deflate; server_max_window_bits=10; server_max_window_bits=11",
      }),
      offered,
    );
    expect(duplicated.extensions[0]?.duplicateParams).toEqual(["server_max_window_bits"]);
    expect(
      thrown(() =>
        validateServerResponse(
          response({ "sec-websocket-extensions": "permessage-deflate; server_max_window_bits=" }),
          offered,
        ),
      ).reason,
    ).toBe("extension");
  });
});

describe("both sides together", () => {
  it("a request built by the client passes the server, and the server's answer passes the client", () => {
    const key = generateClientKey();
    const requestHeaders = buildClientRequestHeaders({
      key,
      protocols: ["chat", "superchat"],
      extensions: "permessage-deflate; client_max_window_bits",
      origin: "https://example.com",
    });
    const check = validateClientRequest({
      method: "GET",
      httpVersion: "1.1",
      headers: { ...requestHeaders, host: "example.com" },
    });
    expect(check.ok).toBe(true);
    if (!check.ok) return;
    const accept = buildAcceptHeaders({
      key: check.key,
      protocol: check.protocols[1] ?? null,
      extensions: "permessage-deflate",
    });
    const result = validateServerResponse(
      { statusCode: 101, headers: accept },
      { key, protocols: ["chat", "superchat"], extensions: ["permessage-deflate"] },
    );
    expect(result.protocol).toBe("superchat");
    expect(result.extensions.map((e) => e.name)).toEqual(["permessage-deflate"]);
  });
});
