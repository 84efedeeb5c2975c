// `--deflate`: the client driver offers permessage-deflate. The fake fuzzing server declines
// it (it implements no group 12/13 case), so this checks that the offer changes nothing else:
// every selected case still ends OK/OK.
import { afterEach, expect, it } from "vitest";
import {
  type FakeFuzzingServer,
  startFakeFuzzingServer,
} from "../../../packages/message/test/conformance/fake-fuzzing-server.js";
import { runSuite } from "../src/driver.js";

let fuzzer: FakeFuzzingServer | undefined;
afterEach(async () => {
  await fuzzer?.close();
  fuzzer = undefined;
});

it("runSuite with deflate: true still passes the selected cases", async () => {
  fuzzer = await startFakeFuzzingServer({ cases: ["1.1.*", "2.*", "5.6", "7.1.*"] });
  const server = fuzzer;
  const result = await runSuite({ url: server.url, agent: "netsockets-deflate", deflate: true });
  expect(result.outcomes).toHaveLength(server.cases.length);
  const verdicts = await Promise.all(
    server.cases.map((c) => server.verdict("netsockets-deflate", c.id)),
  );
  expect(verdicts.filter((v) => v.behavior !== "OK" || v.behaviorClose !== "OK")).toEqual([]);
});
