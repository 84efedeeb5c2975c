// The cross-transport behaviour suite: every behaviour, for both socket kinds, over plain, TLS
// and CONNECT-proxied transports.
import { clearProxyEnvironment } from "../../support/servers.js";
import { behaviourSuite } from "./behaviour-suite.js";
import { messageKind, streamKind } from "./kinds.js";
import { transports } from "./transports.js";

clearProxyEnvironment();
for (const kind of [streamKind, messageKind]) {
  for (const transport of transports) behaviourSuite(transport, kind);
}
