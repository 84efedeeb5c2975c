/**
 * `Windows.Security.Credentials.PasswordCredential`: a user name and password for HTTP
 * authentication to the WebSocket server (`serverCredential`) or the proxy (`proxyCredential`).
 * `resource` names what the credential is for; netsockets does not interpret it.
 *
 * @example
 * ```ts
 * const credential = new PasswordCredential("chat.example", "alice", "s3cret");
 * await openWebSocketTransport("wss://chat.example/", { serverCredential: credential });
 * ```
 */
export class PasswordCredential {
  /** What the credential is for (free text, e.g. the host). */
  resource: string;
  /** The user name. */
  userName: string;
  /** The password. */
  password: string;

  constructor(resource = "", userName = "", password = "") {
    this.resource = resource;
    this.userName = userName;
    this.password = password;
  }

  /** WinRT compatibility: the password is always in memory here, so this does nothing. */
  retrievePassword(): void {}
}
