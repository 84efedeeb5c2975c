import { EventArgsBase } from "./event-target.js";

/**
 * `Windows.Networking.Sockets.WebSocketClosedEventArgs`: what the `closed` event of a
 * `MessageWebSocket` or `StreamWebSocket` carries (reference/uwp-api.md §9).
 *
 * `code` is the peer's close code, **1005** when its close frame carried none (RFC 6455 §7.1.5:
 * "If this Close control frame contains no status code, _The WebSocket Connection Close Code_ is
 * considered to be 1005"), or **1006** when we closed and no reply arrived before the close
 * timeout. The event never fires for an abrupt TCP loss; that surfaces as an error
 * (`connectionAborted`) instead, as in WinRT (§17.3).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-7.1.5
 */
export class WebSocketClosedEventArgs extends EventArgsBase {
  /** The close status code (a UInt16). */
  readonly code: number;
  /** The close reason; may be empty. */
  readonly reason: string;

  /** Creates the args of one `closed` event. */
  constructor(code: number, reason = "") {
    super();
    this.code = code;
    this.reason = reason;
  }
}
