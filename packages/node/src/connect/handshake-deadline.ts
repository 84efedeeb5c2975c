/**
 * Default time from the TCP connection to the `101` answer (reference/uwp-api.md §17.1). The
 * deadline itself is `ConnectCancellation.startDeadline`.
 */
export const DEFAULT_CLIENT_HANDSHAKE_TIMEOUT_MS = 60_000;
