// GUIDs are strings "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (design.md §0, reference §19.1). On the
// wire (reference/uwp-api.md §16.4) a GUID is Data1 (UInt32), Data2 (UInt16), Data3 (UInt16),
// then Data4 treated as one 64-bit integer, each part in the current byte order. Data4's eight
// bytes, taken in string order, are that integer's little-endian bytes, so little-endian writes
// them in string order and big-endian writes them reversed — the quirk the Uno tests pin.
import { invalidArgument } from "./data-errors.js";

const GUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/**
 * Writes `guid` into `view` at `offset` (16 bytes).
 * @throws InvalidArgumentError if `guid` is not in the 8-4-4-4-12 hex form.
 */
export function writeGuidTo(
  guid: string,
  view: DataView,
  bytes: Uint8Array,
  offset: number,
  littleEndian: boolean,
): void {
  if (typeof guid !== "string" || !GUID_PATTERN.test(guid)) {
    throw invalidArgument(`not a GUID in the form xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx: ${guid}`);
  }
  view.setUint32(offset, Number.parseInt(guid.slice(0, 8), 16), littleEndian);
  view.setUint16(offset + 4, Number.parseInt(guid.slice(9, 13), 16), littleEndian);
  view.setUint16(offset + 6, Number.parseInt(guid.slice(14, 18), 16), littleEndian);
  const data4 = guid.slice(19, 23) + guid.slice(24);
  for (let i = 0; i < 8; i++) {
    const byte = Number.parseInt(data4.slice(i * 2, i * 2 + 2), 16);
    bytes[offset + 8 + (littleEndian ? i : 7 - i)] = byte;
  }
}

/** Reads a GUID from `view` at `offset` (16 bytes) as a lower-case 8-4-4-4-12 string. */
export function readGuidFrom(
  view: DataView,
  bytes: Uint8Array,
  offset: number,
  littleEndian: boolean,
): string {
  const data1 = view.getUint32(offset, littleEndian).toString(16).padStart(8, "0");
  const data2 = view
    .getUint16(offset + 4, littleEndian)
    .toString(16)
    .padStart(4, "0");
  const data3 = view
    .getUint16(offset + 6, littleEndian)
    .toString(16)
    .padStart(4, "0");
  let data4 = "";
  for (let i = 0; i < 8; i++) {
    if (i === 2) data4 += "-";
    data4 += HEX[bytes[offset + 8 + (littleEndian ? i : 7 - i)] as number];
  }
  return `${data1}-${data2}-${data3}-${data4}`;
}
