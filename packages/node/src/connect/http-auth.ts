import { InvalidArgumentError } from "@netsockets/errors";
import type { PasswordCredential } from "../winrt/password-credential.js";

/**
 * The `Authorization` / `Proxy-Authorization` value of HTTP Basic (RFC 7617): `Basic ` and the
 * base64 of `user:password` in UTF-8.
 *
 * RFC 7617 §2: "a user-id containing a colon character is invalid".
 *
 * @throws InvalidArgumentError when the user name contains a colon or either part a control character.
 * @see https://www.rfc-editor.org/rfc/rfc7617#section-2
 */
export function basicAuthorization(credential: PasswordCredential): string {
  const { userName, password } = credential;
  if (userName.includes(":")) {
    throw new InvalidArgumentError("a Basic credential's user name must not contain a colon");
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we refuse
  if (/[\u0000-\u001f\u007f]/.test(userName + password)) {
    throw new InvalidArgumentError("a Basic credential must not contain control characters");
  }
  return `Basic ${Buffer.from(`${userName}:${password}`, "utf8").toString("base64")}`;
}

const TOKEN_CHAR = /[!#$%&'*+.^_`|~0-9A-Za-z-]/;

/**
 * Whether a `WWW-Authenticate` / `Proxy-Authenticate` header offers the Basic scheme. Parses the
 * challenge list of RFC 9110 §11.6.1 in one linear pass (quoted strings skipped, so a realm such
 * as `"a, basic"` is not mistaken for a challenge).
 *
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-11.6.1
 */
export function offersBasic(header: string | readonly string[] | undefined): boolean {
  if (header === undefined) return false;
  const values = typeof header === "string" ? [header] : header;
  for (const value of values) {
    if (schemes(value).includes("basic")) return true;
  }
  return false;
}

/** The auth-schemes (lower-case) of a challenge list. */
function schemes(value: string): string[] {
  const found: string[] = [];
  let i = 0;
  const n = value.length;
  while (i < n) {
    // At the start of a list element: skip OWS and empty elements.
    while (i < n && (value[i] === " " || value[i] === "\t" || value[i] === ",")) i++;
    const start = i;
    while (i < n && TOKEN_CHAR.test(value[i] as string)) i++;
    const token = value.slice(start, i);
    let j = i;
    while (j < n && (value[j] === " " || value[j] === "\t")) j++;
    // "token =" is an auth-param of the previous challenge; anything else starts a challenge.
    if (token !== "" && value[j] !== "=") found.push(token.toLowerCase());
    // Skip to the next top-level comma, stepping over quoted strings.
    while (i < n && value[i] !== ",") {
      if (value[i] === '"') {
        i++;
        while (i < n && value[i] !== '"') i += value[i] === "\\" ? 2 : 1;
      }
      i++;
    }
  }
  return found;
}
