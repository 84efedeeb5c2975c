import { InvalidArgumentError } from "@netsockets/errors";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type ExtensionOffer,
  formatExtensionHeader,
  isToken,
  parseExtensionHeader,
  parseProtocolHeader,
  parseTokenList,
  parseUpgradeHeader,
} from "./header-values.js";

const seed = Number(process.env.NETSOCKETS_SEED ?? 20261126);
console.log(`header-values.test.ts fast-check seed ${seed}`);

/** Offers as plain arrays, for readable expectations. */
function plain(offers: ExtensionOffer[] | null): unknown {
  if (offers === null) return null;
  return offers.map((o) => ({
    name: o.name,
    params: [...o.params],
    ...(o.duplicateParams === undefined ? {} : { duplicateParams: o.duplicateParams }),
  }));
}

describe("isToken", () => {
  it("accepts every tchar", () => {
    expect(isToken("!#$%&'*+-.^_`|~09azAZ")).toBe(true);
    expect(isToken("permessage-deflate")).toBe(true);
  });

  it.each([
    "",
    " ",
    "a b",
    "a,b",
    "a;b",
    "a=b",
    'a"',
    "a/b",
    "a:b",
    "(a)",
    "<a>",
    "a@b",
    "[a]",
    "{a}",
    "a?",
    "a\\",
    "a\t",
    "\u00e9",
    "a\u0000",
    "a\u007f",
  ])("rejects %j", (s) => {
    expect(isToken(s)).toBe(false);
  });
});

describe("parseTokenList", () => {
  it.each([
    [undefined, []],
    ["", []],
    ["  \t ", []],
    [",", []],
    ["a", ["a"]],
    ["a,b", ["a", "b"]],
    [" a , b ", ["a", "b"]],
    ["a,\tb", ["a", "b"]],
    ["a, , b,", ["a", "b"]],
    [", a", ["a"]],
    ["a, a", ["a", "a"]],
    [
      ["a", "b, c"],
      ["a", "b", "c"],
    ],
    [["", "a"], ["a"]],
  ] as const)("parses %j", (value, expected) => {
    expect(parseTokenList(value)).toEqual(expected);
  });

  it.each(["a b", "a;b", "a,b c", "a/1", '"a"', "a\r\nb", "é", "a,\u00a0b"])(
    "rejects %j",
    (value) => {
      expect(parseTokenList(value)).toBeNull();
    },
  );
});

describe("parseUpgradeHeader", () => {
  it.each([
    ["websocket", ["websocket"]],
    ["HTTP/2.0, websocket", ["HTTP/2.0", "websocket"]],
    ["h2c , WebSocket", ["h2c", "WebSocket"]],
    ["", []],
  ] as const)("parses %j", (value, expected) => {
    expect(parseUpgradeHeader(value)).toEqual(expected);
  });

  it.each(["websocket/", "/13", "a/b/c", "web socket", "a b/c"])("rejects %j", (value) => {
    expect(parseUpgradeHeader(value)).toBeNull();
  });
});

describe("parseProtocolHeader", () => {
  it("parses a list and joins header lines", () => {
    expect(parseProtocolHeader("chat, superchat")).toEqual(["chat", "superchat"]);
    expect(parseProtocolHeader(["chat", "v2.json"])).toEqual(["chat", "v2.json"]);
    expect(parseProtocolHeader(undefined)).toEqual([]);
  });

  it("treats subprotocol names as case-sensitive and refuses repeats", () => {
    expect(parseProtocolHeader("chat, Chat")).toEqual(["chat", "Chat"]);
    expect(parseProtocolHeader("chat, chat")).toBeNull();
    expect(parseProtocolHeader(["chat", "chat"])).toBeNull();
  });

  it("refuses non-tokens", () => {
    expect(parseProtocolHeader("chat v2")).toBeNull();
    expect(parseProtocolHeader("chat;q=1")).toBeNull();
  });

  it("treats __proto__ and constructor as plain names", () => {
    expect(parseProtocolHeader("__proto__, constructor, toString")).toEqual([
      "__proto__",
      "constructor",
      "toString",
    ]);
  });
});

describe("parseExtensionHeader", () => {
  it.each([
    [undefined, []],
    ["", []],
    [" , ,", []],
    ["permessage-deflate", [{ name: "permessage-deflate", params: [] }]],
    [
      "permessage-deflate; client_max_window_bits",
      [{ name: "permessage-deflate", params: [["client_max_window_bits", true]] }],
    ],
    [
      "permessage-deflate;client_max_window_bits=10;server_no_context_takeover",
      [
        {
          name: "permessage-deflate",
          params: [
            ["client_max_window_bits", "10"],
            ["server_no_context_takeover", true],
          ],
        },
      ],
    ],
    [
      'permessage-deflate ; server_max_window_bits = "10" , permessage-deflate',
      [
        { name: "permessage-deflate", params: [["server_max_window_bits", "10"]] },
        { name: "permessage-deflate", params: [] },
      ],
    ],
    ['x; a="b\\c"', [{ name: "x", params: [["a", "bc"]] }]],
    ['x; a="\\1\\0"', [{ name: "x", params: [["a", "10"]] }]],
    [
      "a, b; c",
      [
        { name: "a", params: [] },
        { name: "b", params: [["c", true]] },
      ],
    ],
    [
      ["a; x=1", "b"],
      [
        { name: "a", params: [["x", "1"]] },
        { name: "b", params: [] },
      ],
    ],
    ["\ta\t;\tb\t=\t1\t", [{ name: "a", params: [["b", "1"]] }]],
  ] as const)("parses %j", (value, expected) => {
    expect(plain(parseExtensionHeader(value))).toEqual(expected);
  });

  it.each([
    ";",
    "a;",
    "a; ",
    "a;;b",
    "a; b=",
    "a; =1",
    "a b",
    "a; b c",
    "a; b=1 2",
    "a; b=1=2",
    'a; b="',
    'a; b="1',
    'a; b=""',
    'a; b="1 2"',
    'a; b="1,2"',
    'a; b="1\\ 2"',
    'a; b="1\\',
    'a; b="1"2',
    'a; "b"=1',
    '"a"',
    "a/1",
    "a; b=\u00e9",
    'a; b="\u00e9"',
    "a\r\n; b",
  ])("rejects %j", (value) => {
    expect(parseExtensionHeader(value)).toBeNull();
  });

  it("flags repeated parameters and keeps the first value", () => {
    expect(
      plain(
        parseExtensionHeader(
          "permessage-deflate; client_max_window_bits=10; client_max_window_bits=11; client_max_window_bits, x; a; a",
        ),
      ),
    ).toEqual([
      {
        name: "permessage-deflate",
        params: [["client_max_window_bits", "10"]],
        duplicateParams: ["client_max_window_bits"],
      },
      { name: "x", params: [["a", true]], duplicateParams: ["a"] },
    ]);
  });

  it("parses Object.prototype names as plain data (S3)", () => {
    const names = [
      "__proto__",
      "constructor",
      "toString",
      "hasOwnProperty",
      "valueOf",
      "__defineGetter__",
    ];
    const value = names.map((n) => `${n}; ${names.map((p) => `${p}=${p}`).join("; ")}`).join(", ");
    const offers = parseExtensionHeader(value);
    expect(offers?.map((o) => o.name)).toEqual(names);
    for (const offer of offers ?? []) {
      expect([...offer.params]).toEqual(names.map((n) => [n, n]));
      expect(offer.params).toBeInstanceOf(Map);
      expect(Object.getPrototypeOf(offer)).toBe(Object.prototype);
    }
    expect(plain(parseExtensionHeader("permessage-deflate; __proto__=1"))).toEqual([
      { name: "permessage-deflate", params: [["__proto__", "1"]] },
    ]);
  });
});

describe("formatExtensionHeader", () => {
  it("formats offers", () => {
    expect(
      formatExtensionHeader([
        {
          name: "permessage-deflate",
          params: new Map<string, string | true>([
            ["client_max_window_bits", true],
            ["server_max_window_bits", "10"],
          ]),
        },
        { name: "permessage-deflate", params: new Map() },
      ]),
    ).toBe(
      "permessage-deflate; client_max_window_bits; server_max_window_bits=10, permessage-deflate",
    );
    expect(formatExtensionHeader([])).toBe("");
  });

  it.each([
    [{ name: "a b", params: new Map() }],
    [{ name: "", params: new Map() }],
    [{ name: "a", params: new Map<string, string | true>([["b c", true]]) }],
    [{ name: "a", params: new Map<string, string | true>([["b", "1 2"]]) }],
    [{ name: "a", params: new Map<string, string | true>([["b", ""]]) }],
    [{ name: "a", params: new Map<string, string | true>([["b", "x\r\ny"]]) }],
  ])("refuses non-tokens (%#)", (offer) => {
    expect(() => formatExtensionHeader([offer])).toThrow(InvalidArgumentError);
  });
});

describe("properties", () => {
  const token = fc.stringMatching(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,12}$/);
  const ows = fc.stringMatching(/^[ \t]{0,3}$/);
  const offer = fc.record({
    name: token,
    params: fc.uniqueArray(fc.tuple(token, fc.oneof(fc.constant(true as const), token)), {
      selector: ([name]) => name,
      maxLength: 5,
    }),
  });

  /** Writes offers with random whitespace and quoting (escaping some characters), as a peer might. */
  const written = fc
    .tuple(
      fc.array(offer, { minLength: 1, maxLength: 4 }),
      fc.infiniteStream(fc.tuple(ows, fc.boolean(), fc.boolean())),
    )
    .map(([offers, style]) => {
      const pick = (): [string, boolean, boolean] =>
        style.next().value as [string, boolean, boolean];
      const text = offers
        .map((o) => {
          let part = o.name;
          for (const [name, value] of o.params) {
            const [space, quote, escaped] = pick();
            part += `${space};${space}${name}`;
            if (value !== true) {
              const shown = quote ? `"${escaped ? value.replace(/./g, "\\$&") : value}"` : value;
              part += `${space}=${space}${shown}`;
            }
          }
          return part;
        })
        .join(`${pick()[0]},${pick()[0]}`);
      return { offers, text };
    });

  it("parses generated offers exactly, and formatExtensionHeader(parse(x)) round-trips", () => {
    fc.assert(
      fc.property(written, ({ offers, text }) => {
        const parsed = parseExtensionHeader(text);
        expect(plain(parsed)).toEqual(offers.map((o) => ({ name: o.name, params: o.params })));
        const formatted = formatExtensionHeader(parsed ?? []);
        expect(plain(parseExtensionHeader(formatted))).toEqual(plain(parsed));
        expect(formatExtensionHeader(parseExtensionHeader(formatted) ?? [])).toBe(formatted);
      }),
      { seed, numRuns: 500 },
    );
  });

  it("token lists round-trip", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(token, ows, ows), { maxLength: 8 }), (items) => {
        const text = items.map(([t, a, b]) => `${a}${t}${b}`).join(",");
        expect(parseTokenList(text)).toEqual(items.map(([t]) => t));
      }),
      { seed, numRuns: 500 },
    );
  });

  it("the parsers never throw on arbitrary strings, and their results are well-formed", () => {
    const alphabet = fc.constantFrom(...'aZ9-_ ,;="\\\t/\r\n\u00e9é\u0000x'.split(""));
    const hostile = fc.oneof(
      fc.string({ maxLength: 60 }),
      fc.string({ unit: alphabet, maxLength: 60 }),
    );
    fc.assert(
      fc.property(hostile, (text) => {
        const offers = parseExtensionHeader(text);
        for (const o of offers ?? []) {
          expect(isToken(o.name)).toBe(true);
          for (const [name, value] of o.params) {
            expect(isToken(name)).toBe(true);
            expect(value === true || isToken(value)).toBe(true);
          }
        }
        if (offers !== null) {
          // Whatever parses can be formatted and parses back the same (duplicates aside).
          expect(plain(parseExtensionHeader(formatExtensionHeader(offers)))).toEqual(
            plain(offers.map((o) => ({ name: o.name, params: o.params }))),
          );
        }
        for (const t of parseTokenList(text) ?? []) expect(isToken(t)).toBe(true);
        parseProtocolHeader(text);
        parseUpgradeHeader(text);
      }),
      { seed, numRuns: 3000 },
    );
  });
});

/**
 * Linear-time checks (S4, S5): the cost per run of a 64 KiB input over that of a 4 KiB one
 * (16 times shorter). Linear parsing gives about 16, quadratic about 256; the bound is 64, a
 * growth exponent of 1.5. Never an absolute time. A 16× step rather than 4× keeps the two
 * outcomes far apart, so cache and scheduler noise on a busy 2-core machine cannot cross the
 * bound. Also: each trial times the small input 16 times as often as the large one, so both
 * measurements last about as long and suffer the same interference and garbage collection; the
 * best of several interleaved trials is kept; and a measurement over the bound is repeated (up
 * to 3 times, keeping the lowest), which cannot hide a quadratic parser since that one is over
 * the bound every time.
 */
describe("linear time on hostile input (S4, S5)", () => {
  const KIB64 = 65_536;
  const STEP = 16;
  const BOUND = 64;

  function time(fn: () => void, runs: number): number {
    const start = performance.now();
    for (let r = 0; r < runs; r++) fn();
    return performance.now() - start;
  }

  /** Growth of the cost of `parse` from `make(n / STEP)` to `make(n)`. */
  function growth(make: (n: number) => string, parse: (s: string) => unknown, n = KIB64, runs = 4) {
    const small = make(n / STEP);
    const large = make(n);
    time(() => parse(small), STEP);
    time(() => parse(large), 1);
    let lowest = Number.POSITIVE_INFINITY;
    for (let attempt = 0; attempt < 3 && lowest >= BOUND; attempt++) {
      let bestSmall = Number.POSITIVE_INFINITY;
      let bestLarge = Number.POSITIVE_INFINITY;
      for (let trial = 0; trial < 9; trial++) {
        bestSmall = Math.min(bestSmall, time(() => parse(small), runs * STEP) / STEP);
        bestLarge = Math.min(
          bestLarge,
          time(() => parse(large), runs),
        );
      }
      lowest = Math.min(lowest, bestLarge / bestSmall);
    }
    return lowest;
  }

  it("the measure tells quadratic from linear (the ws < 7.4.6 regex on the S4 input)", () => {
    const make = (n: number) => `b${" ".repeat(n)}x`;
    expect(growth(make, (s) => s.split(/ *, */), 8192, 1)).toBeGreaterThan(BOUND);
    expect(growth(make, (s) => s.split(","), KIB64, 50)).toBeLessThan(BOUND);
  });

  const cases: [string, (n: number) => string, (s: string) => unknown, unknown][] = [
    [
      "S4 Sec-WebSocket-Protocol 'b' + spaces + 'x'",
      (n) => `b${" ".repeat(n)}x`,
      parseProtocolHeader,
      null,
    ],
    [
      "S4 Sec-WebSocket-Extensions 'b' + spaces + 'x'",
      (n) => `b${" ".repeat(n)}x`,
      parseExtensionHeader,
      null,
    ],
    [
      "S5 unclosed quoted backslash pairs",
      (n) => `a; b="${"\\c".repeat(n / 2)}`,
      parseExtensionHeader,
      null,
    ],
    [
      "closed quoted backslash pairs",
      (n) => `a; b="${"\\c".repeat(n / 2)}"`,
      (s) => {
        const value = parseExtensionHeader(s)?.[0]?.params.get("b");
        return typeof value === "string" ? value.length : value;
      },
      "n/2",
    ],
    [
      "tabs and spaces around a ';'",
      (n) => `a${" \t".repeat(n / 4)};${"\t ".repeat(n / 4)}x`,
      parseExtensionHeader,
      1,
    ],
    [
      "spaces before a missing '=' value",
      (n) => `a; b=${" ".repeat(n)}`,
      parseExtensionHeader,
      null,
    ],
    ["empty list elements", (n) => ", ".repeat(n / 2), parseExtensionHeader, 0],
    ["many offers", (n) => "a, ".repeat(n / 3), parseExtensionHeader, "n/3"],
    ["one repeated parameter", (n) => `a${"; b".repeat(n / 3)}`, parseExtensionHeader, 1],
    [
      "many distinct repeated parameters",
      (n) => {
        let s = "a";
        for (let i = 0; s.length < n; i++) s += `; p${i}; p${i}`;
        return s;
      },
      (s) => parseExtensionHeader(s)?.[0]?.duplicateParams?.length,
      "some",
    ],
    ["protocol list of many tokens", (n) => "chat, ".repeat(n / 6), parseTokenList, "n/6"],
    [
      "protocol list with spaces and a bad tail",
      (n) => `a,${" ".repeat(n)}b c`,
      parseProtocolHeader,
      null,
    ],
    [
      "upgrade list with a slash at the end",
      (n) => `${"a/b, ".repeat(n / 5)}c/`,
      parseUpgradeHeader,
      null,
    ],
  ];

  it.each(cases)("%s", (_, make, parse, expected) => {
    // The result on the 64 KiB input, so the test also pins what these values parse to.
    const result = parse(make(KIB64)) as unknown;
    const count = (v: unknown) => (Array.isArray(v) ? v.length : v);
    if (expected === "n/2") expect(result).toBe(KIB64 / 2);
    else if (expected === "n/3") expect(count(result)).toBe(Math.floor(KIB64 / 3));
    else if (expected === "n/6") expect(count(result)).toBe(Math.floor(KIB64 / 6));
    else if (expected === "some") expect(result).toBeGreaterThan(1000);
    else expect(count(result)).toBe(expected);
    expect(growth(make, parse)).toBeLessThan(BOUND);
  });
});
