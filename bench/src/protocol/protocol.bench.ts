/**
 * The protocol micro-benchmarks: @netsockets/protocol beside ws's own Receiver, Sender and
 * buffer-util in the same run, ws once with bufferutil and once with `WS_NO_BUFFER_UTIL=1`.
 * The first implementation of each row, ws with bufferutil, is the baseline (the target is
 * ≥ 1.00 for ours).
 */
import { defineSuite, type Workload } from "../harness/types.js";
import { oursMask, oursUnmask, wsMask, wsUnmask } from "./masking.js";
import { oursParse, type ParseInputSpec, wsParse } from "./parse.js";
import {
  oursConnectionSend,
  oursSerializeFrame,
  type SerializeSpec,
  wsSerialize,
} from "./serialize.js";
import {
  oursIsValidUtf8,
  oursUtf8Validator,
  type TextKind,
  utf8ValidateAddon,
  wsUtf8,
} from "./utf8.js";

const noBufferUtil = { WS_NO_BUFFER_UTIL: "1" };
const MiB = 1024 * 1024;

function parseWorkload(id: string, title: string, spec: ParseInputSpec): Workload {
  return {
    id,
    title,
    unit: spec.measure === "frames" ? "frames/s" : "MB/s",
    implementations: [
      wsParse("ws + bufferutil", spec),
      wsParse("ws, no bufferutil", spec, noBufferUtil),
      oursParse("netsockets Connection + MessageAssembler", spec, true),
      oursParse("netsockets Connection (pieces)", spec, false),
    ],
  };
}

function serializeWorkload(id: string, title: string, spec: SerializeSpec): Workload {
  return {
    id,
    title,
    unit: spec.measure === "frames" ? "frames/s" : "MB/s",
    implementations: [
      wsSerialize("ws + bufferutil", spec),
      wsSerialize("ws, no bufferutil", spec, noBufferUtil),
      oursSerializeFrame(spec),
      oursConnectionSend(spec),
    ],
  };
}

function utf8Workload(kind: TextKind): Workload {
  return {
    id: `utf8-${kind}-1mib`,
    title: `validate 1 MiB of ${kind === "ascii" ? "ASCII" : "mixed 1–4 byte"} UTF-8`,
    unit: "MB/s",
    implementations: [
      wsUtf8(kind),
      utf8ValidateAddon(kind),
      oursIsValidUtf8(kind),
      oursUtf8Validator(kind),
    ],
  };
}

export default defineSuite({
  name: "protocol",
  description:
    "frame parser, serializer, masking and UTF-8 validation against ws's Receiver, Sender and buffer-util",
  workloads: [
    parseWorkload("parse-64b-binary", "parse 64 B masked binary frames (server)", {
      payloadSize: 64,
      count: 32_768,
      text: false,
      measure: "frames",
    }),
    parseWorkload("parse-64b-text", "parse 64 B masked text frames (server)", {
      payloadSize: 64,
      count: 32_768,
      text: true,
      measure: "frames",
    }),
    parseWorkload("parse-1mib-binary", "parse 1 MiB masked binary frames (server)", {
      payloadSize: MiB,
      count: 8,
      text: false,
      measure: "bytes",
    }),
    parseWorkload("parse-1mib-text", "parse 1 MiB masked text frames (server)", {
      payloadSize: MiB,
      count: 8,
      text: true,
      measure: "bytes",
    }),
    serializeWorkload("serialize-64b", "serialize + mask 64 B binary frames (client)", {
      payloadSize: 64,
      count: 16_384,
      measure: "frames",
    }),
    serializeWorkload("serialize-1mib", "serialize + mask 1 MiB binary frames (client)", {
      payloadSize: MiB,
      count: 16,
      measure: "bytes",
    }),
    {
      id: "unmask-1mib",
      title: "unmask 1 MiB in place",
      unit: "MB/s",
      implementations: [
        wsUnmask("ws + bufferutil"),
        wsUnmask("ws, no bufferutil", noBufferUtil),
        oursUnmask(),
      ],
    },
    {
      id: "mask-1mib",
      title: "mask 1 MiB into a frame buffer",
      unit: "MB/s",
      implementations: [
        wsMask("ws + bufferutil"),
        wsMask("ws, no bufferutil", noBufferUtil),
        oursMask(),
      ],
    },
    utf8Workload("ascii"),
    utf8Workload("mixed"),
  ],
});
