// RFC 7692 negotiation in both roles: offers, the server's choice (with fallbacks), the client's
// check of the answer, and every bad parameter (peers.md S3, S10).
import { HandshakeError, WebErrorStatus } from "@netsockets/errors";
import { formatExtensionHeader, parseExtensionHeader } from "@netsockets/protocol";
import { describe, expect, it } from "vitest";
import {
  acceptServerAnswer,
  clientOffersOf,
  type DeflateOfferOptions,
  negotiateServer,
  parametersOfAnswer,
} from "../../src/index.js";

function parse(header: string) {
  const offers = parseExtensionHeader(header);
  if (offers === null) throw new Error(`unparsable: ${header}`);
  return offers;
}

/** The server's answer to `header` as a header value, or null when it declines. */
function serverAnswer(header: string, options?: DeflateOfferOptions): string | null {
  const result = negotiateServer(parse(header), options);
  return result === null ? null : formatExtensionHeader([result.response]);
}

function clientAccepts(answer: string, offered?: DeflateOfferOptions | DeflateOfferOptions[]) {
  return acceptServerAnswer(parse(answer), offered);
}

describe("client offers", () => {
  it("default: permessage-deflate; client_max_window_bits", () => {
    expect(formatExtensionHeader(clientOffersOf())).toBe(
      "permessage-deflate; client_max_window_bits",
    );
  });

  it("every parameter, and a fallback list in order", () => {
    expect(
      formatExtensionHeader(
        clientOffersOf([
          {
            serverNoContextTakeover: true,
            clientNoContextTakeover: true,
            serverMaxWindowBits: 9,
            clientMaxWindowBits: 10,
          },
          { clientMaxWindowBits: false },
        ]),
      ),
    ).toBe(
      "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=9; client_max_window_bits=10, permessage-deflate",
    );
  });

  it.each([7, 16, 0, 1000, 9.5])("refuses window bits %s in our own options", (bits) => {
    expect(() => clientOffersOf({ serverMaxWindowBits: bits })).toThrow(/8 to 15/);
    expect(() => clientOffersOf({ clientMaxWindowBits: bits })).toThrow(/8 to 15/);
  });
});

describe("server negotiation", () => {
  it("accepts the default offer with an empty answer (all defaults)", () => {
    const result = negotiateServer(parse("permessage-deflate; client_max_window_bits"));
    expect(result?.parameters).toEqual({
      serverNoContextTakeover: false,
      clientNoContextTakeover: false,
      serverMaxWindowBits: 15,
      clientMaxWindowBits: 15,
    });
    expect(formatExtensionHeader([result?.response ?? { name: "x", params: new Map() }])).toBe(
      "permessage-deflate",
    );
  });

  it("answers server_no_context_takeover and the offered server_max_window_bits", () => {
    expect(
      serverAnswer("permessage-deflate; server_no_context_takeover; server_max_window_bits=9"),
    ).toBe("permessage-deflate; server_no_context_takeover; server_max_window_bits=9");
  });

  it("echoes client_no_context_takeover and a valued client_max_window_bits", () => {
    expect(
      serverAnswer("permessage-deflate; client_no_context_takeover; client_max_window_bits=12"),
    ).toBe("permessage-deflate; client_no_context_takeover; client_max_window_bits=12");
  });

  it("limits the client's window only when offered client_max_window_bits", () => {
    expect(
      serverAnswer("permessage-deflate; client_max_window_bits", { clientMaxWindowBits: 10 }),
    ).toBe("permessage-deflate; client_max_window_bits=10");
    // RFC 7692 §7.1.2.2: not offered → MUST NOT answer it.
    expect(serverAnswer("permessage-deflate", { clientMaxWindowBits: 10 })).toBe(
      "permessage-deflate",
    );
    // The smaller of the offer and our wish.
    expect(
      serverAnswer("permessage-deflate; client_max_window_bits=9", { clientMaxWindowBits: 12 }),
    ).toBe("permessage-deflate; client_max_window_bits=9");
  });

  it("our own options: no context takeover both ways, a smaller window (8 → 9 where we choose)", () => {
    expect(
      serverAnswer("permessage-deflate", {
        serverNoContextTakeover: true,
        clientNoContextTakeover: true,
        serverMaxWindowBits: 8,
      }),
    ).toBe(
      "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=9",
    );
    // The client's limit wins over ours.
    expect(
      serverAnswer("permessage-deflate; server_max_window_bits=10", { serverMaxWindowBits: 12 }),
    ).toBe("permessage-deflate; server_max_window_bits=10");
  });

  it("a client forcing server_max_window_bits=8 is accepted (we then send uncompressed)", () => {
    const result = negotiateServer(parse("permessage-deflate; server_max_window_bits=8"));
    expect(result?.parameters.serverMaxWindowBits).toBe(8);
  });

  it.each([
    ["window bits 7", "server_max_window_bits=7"],
    ["window bits 16", "server_max_window_bits=16"],
    ["window bits 0", "server_max_window_bits=0"],
    ["window bits 1000", "server_max_window_bits=1000"],
    ["leading zero", "server_max_window_bits=09"],
    ["not a number", "server_max_window_bits=abc"],
    ["sign", "client_max_window_bits=+9"],
    ["server_max_window_bits without value", "server_max_window_bits"],
    ["client_max_window_bits 16", "client_max_window_bits=16"],
    ["client_max_window_bits 7", "client_max_window_bits=7"],
    ["a value on a flag", "server_no_context_takeover=1"],
    ["a value on client flag", "client_no_context_takeover=true"],
    ["unknown parameter", "x_custom"],
    ["prototype name", "__proto__=1"],
    ["constructor", "constructor"],
    ["duplicated flag", "server_no_context_takeover; server_no_context_takeover"],
    ["duplicated window", "client_max_window_bits=10; client_max_window_bits=10"],
    ["duplicated, case differs", "server_max_window_bits=10; SERVER_MAX_WINDOW_BITS=10"],
  ])("declines an offer with %s, and takes the next offer", (_label, params) => {
    expect(serverAnswer(`permessage-deflate; ${params}`)).toBeNull();
    expect(
      serverAnswer(`permessage-deflate; ${params}, permessage-deflate; server_no_context_takeover`),
    ).toBe("permessage-deflate; server_no_context_takeover");
  });

  it("an empty value (which the header parser already refuses) is declined / refused too", () => {
    const offer = { name: "permessage-deflate", params: new Map([["server_max_window_bits", ""]]) };
    expect(negotiateServer([offer])).toBeNull();
    expect(() => acceptServerAnswer([offer])).toThrow(HandshakeError);
  });

  it("quoted values are read as tokens", () => {
    expect(serverAnswer('permessage-deflate; server_max_window_bits="10"')).toBe(
      "permessage-deflate; server_max_window_bits=10",
    );
  });

  it("skips other extensions and accepts from a fallback list (Autobahn 13.7 shape)", () => {
    expect(
      serverAnswer(
        "x-webkit-deflate-frame, permessage-deflate; client_no_context_takeover; client_max_window_bits=9; server_max_window_bits=9, permessage-deflate; client_no_context_takeover, permessage-deflate",
      ),
    ).toBe(
      "permessage-deflate; client_no_context_takeover; server_max_window_bits=9; client_max_window_bits=9",
    );
    expect(serverAnswer("x-webkit-deflate-frame")).toBeNull();
  });

  it("parametersOfAnswer reads back what the server answered", () => {
    const result = negotiateServer(
      parse("permessage-deflate; server_no_context_takeover; client_max_window_bits"),
      { clientMaxWindowBits: 11 },
    );
    expect(result).not.toBeNull();
    expect(parametersOfAnswer([result?.response as never])).toEqual(result?.parameters);
    expect(parametersOfAnswer([])).toBeNull();
  });
});

describe("client check of the answer", () => {
  it("accepts an empty answer to the default offer", () => {
    expect(clientAccepts("permessage-deflate")).toEqual({
      serverNoContextTakeover: false,
      clientNoContextTakeover: false,
      serverMaxWindowBits: 15,
      clientMaxWindowBits: 15,
    });
  });

  it("accepts every parameter the RFC allows, also unasked ones", () => {
    expect(
      clientAccepts(
        "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=9",
      ),
    ).toEqual({
      serverNoContextTakeover: true,
      clientNoContextTakeover: true,
      serverMaxWindowBits: 10,
      clientMaxWindowBits: 9,
    });
  });

  it("null when the server did not accept it", () => {
    expect(acceptServerAnswer([])).toBeNull();
  });

  it("our own client_no_context_takeover holds even when not answered", () => {
    expect(
      clientAccepts("permessage-deflate", { clientNoContextTakeover: true })
        ?.clientNoContextTakeover,
    ).toBe(true);
  });

  it("matches the answer against the fallback offers", () => {
    const offers: DeflateOfferOptions[] = [
      { serverNoContextTakeover: true, serverMaxWindowBits: 9 },
      { clientMaxWindowBits: false },
    ];
    expect(
      clientAccepts(
        "permessage-deflate; server_no_context_takeover; server_max_window_bits=9",
        offers,
      )?.serverMaxWindowBits,
    ).toBe(9);
    // Suits the second offer only.
    expect(clientAccepts("permessage-deflate", offers)?.serverNoContextTakeover).toBe(false);
    // Suits none: client_max_window_bits was not offered in the second, the first needs snct.
    expect(() => clientAccepts("permessage-deflate; client_max_window_bits=10", offers)).toThrow(
      HandshakeError,
    );
  });

  it.each([
    ["window bits 0", "server_max_window_bits=0"],
    ["window bits 7", "server_max_window_bits=7"],
    ["window bits 16", "server_max_window_bits=16"],
    ["window bits 1000 (undici CVE)", "server_max_window_bits=1000"],
    ["not a number", "server_max_window_bits=abc"],
    ["server_max_window_bits without value", "server_max_window_bits"],
    ["client_max_window_bits without value (offer-only form)", "client_max_window_bits"],
    ["client_max_window_bits 16", "client_max_window_bits=16"],
    ["a value on a flag", "client_no_context_takeover=1"],
    ["unknown parameter", "x_custom=1"],
    ["prototype name", "__proto__"],
    ["duplicated flag", "server_no_context_takeover; server_no_context_takeover"],
    ["duplicated window", "server_max_window_bits=10; server_max_window_bits=11"],
  ])("fails on an answer with %s", (_label, params) => {
    let error: unknown;
    try {
      clientAccepts(`permessage-deflate; ${params}`);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(HandshakeError);
    expect((error as HandshakeError).code).toBe("ERR_HANDSHAKE_EXTENSION");
    expect((error as HandshakeError).reason).toBe("extension");
    expect((error as HandshakeError).status).toBe(WebErrorStatus.errorHttpInvalidServerResponse);
  });

  it("fails on an answer the offer did not allow (wrong side / larger than offered)", () => {
    // client_max_window_bits not offered at all.
    expect(() =>
      clientAccepts("permessage-deflate; client_max_window_bits=10", {
        clientMaxWindowBits: false,
      }),
    ).toThrow(/not offered/);
    // Larger than we limited ourselves to.
    expect(() =>
      clientAccepts("permessage-deflate; client_max_window_bits=12", { clientMaxWindowBits: 10 }),
    ).toThrow(/larger/);
    // server_max_window_bits larger than offered.
    expect(() =>
      clientAccepts("permessage-deflate; server_max_window_bits=12", { serverMaxWindowBits: 10 }),
    ).toThrow(/larger/);
    // server_no_context_takeover offered and not answered.
    expect(() => clientAccepts("permessage-deflate", { serverNoContextTakeover: true })).toThrow(
      /server_no_context_takeover/,
    );
    // Accepted twice.
    expect(() => clientAccepts("permessage-deflate, permessage-deflate")).toThrow(/more than once/);
  });
});
