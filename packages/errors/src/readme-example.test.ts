// The example of README.md, verbatim between the region markers (readme.test.ts checks that),
// followed by assertions on what its comments claim.
// #region readme
import {
  fromSystemError,
  NetworkError,
  WebErrorStatus,
  WebSocketError,
  webErrorStatusName,
} from "@netsockets/errors";

/** What to tell the user when connecting failed. */
function explainFailure(error: unknown): string {
  const status = WebSocketError.getStatus(error);
  switch (status) {
    case WebErrorStatus.hostNameNotResolved:
      return "Check the server address.";
    case WebErrorStatus.cannotConnect:
    case WebErrorStatus.notFound:
    case WebErrorStatus.requestTimeout:
      return "Cannot reach the server; try again later.";
    case WebErrorStatus.operationCanceled:
      return "Cancelled.";
    default:
      return `Failed (${webErrorStatusName(status)}).`;
  }
}

// A Node system error, an HRESULT, an abort and our own errors all have a status.
const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), {
  code: "ECONNREFUSED",
});
explainFailure(refused); // "Cannot reach the server; try again later."
explainFailure(0x80072ee7); // "Check the server address." (WININET_E_NAME_NOT_RESOLVED)
explainFailure(AbortSignal.abort()); // "Cancelled."

// netsockets wraps Node errors in classes with a stable code, status and HRESULT.
const error = fromSystemError(refused, { operation: "connectAsync" });
NetworkError.isInstance(error); // true, also for an error made by another copy of the package
error.code; // "ERR_CANNOT_CONNECT"
error.hresult?.toString(16); // "80072efd" (WININET_E_CANNOT_CONNECT)
error.cause === refused; // true

// #endregion readme

import { expect, it } from "vitest";

it("does what the README example says", () => {
  expect(explainFailure(refused)).toBe("Cannot reach the server; try again later.");
  expect(explainFailure(0x80072ee7)).toBe("Check the server address.");
  expect(explainFailure(AbortSignal.abort())).toBe("Cancelled.");
  expect(explainFailure(new Error("?"))).toBe("Failed (unknown).");
  expect(NetworkError.isInstance(error)).toBe(true);
  expect(error.code).toBe("ERR_CANNOT_CONNECT");
  expect(error.hresult?.toString(16)).toBe("80072efd");
  expect(error.cause === refused).toBe(true);
  expect(error.message).toBe("connectAsync: connect ECONNREFUSED 127.0.0.1:9");
});
