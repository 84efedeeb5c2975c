/**
 * DataWriter/DataReader against a hand-written DataView baseline, in one process.
 *
 * Run:  pnpm --filter @netsockets/bench exec tsx --conditions=@netsockets/source src/data/data-bench.ts
 *       (optional: ROUNDS=9 VALUES=1000000)
 *
 * Workload: write then read back 1,000,000 mixed values — int32, double and short strings in
 * turn (a string is a UInt8 byte-length prefix plus its UTF-8 bytes, mostly ASCII with some
 * Latin-1 and CJK) — big-endian. Both sides do the same work and the read side checks every value
 * by a checksum, so neither can skip anything. Rounds alternate (baseline, ours, baseline, …) so
 * drift on a shared machine hits both alike; the table shows medians and the ratio ours/baseline.
 * Target: ratio ≤ 1.5.
 */
import { DataReader, DataWriter } from "@netsockets/data";

const VALUES = Number(process.env.VALUES ?? 1_000_000);
const ROUNDS = Number(process.env.ROUNDS ?? 9);

/** The strings written, prepared once so string building is not measured. */
const STRINGS: string[] = Array.from({ length: 1024 }, (_, i) => {
  if (i % 16 === 0) return `naïve-${i}`;
  if (i % 61 === 0) return `键值${i}`;
  return `key-${i.toString(36)}${"x".repeat(i % 9)}`;
});

/** What a run computes from the values it read, so the two sides can be compared. */
interface Outcome {
  readonly bytes: number;
  readonly checksum: number;
  readonly writeMs: number;
  readonly readMs: number;
}

/** The baseline: what one would write by hand with a growable Uint8Array and a DataView. */
function baseline(): Outcome {
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  const t0 = performance.now();
  let bytes = new Uint8Array(1024);
  let view = new DataView(bytes.buffer);
  let pos = 0;
  const ensure = (n: number): void => {
    if (pos + n <= bytes.length) return;
    let capacity = bytes.length * 2;
    while (capacity < pos + n) capacity *= 2;
    const grown = new Uint8Array(capacity);
    grown.set(bytes.subarray(0, pos));
    bytes = grown;
    view = new DataView(bytes.buffer);
  };
  for (let i = 0; i < VALUES; i++) {
    switch (i % 3) {
      case 0:
        ensure(4);
        view.setInt32(pos, i * 7 - 1_000_000);
        pos += 4;
        break;
      case 1:
        ensure(8);
        view.setFloat64(pos, i * 0.25);
        pos += 8;
        break;
      default: {
        const s = STRINGS[i & 1023] as string;
        ensure(1 + s.length * 3);
        const { written } = encoder.encodeInto(s, bytes.subarray(pos + 1));
        bytes[pos] = written;
        pos += 1 + written;
      }
    }
  }
  const data = bytes.subarray(0, pos);
  const t1 = performance.now();
  const readView = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let offset = 0;
  let checksum = 0;
  for (let i = 0; i < VALUES; i++) {
    switch (i % 3) {
      case 0:
        checksum = (checksum + readView.getInt32(offset)) | 0;
        offset += 4;
        break;
      case 1:
        checksum = (checksum + readView.getFloat64(offset)) | 0;
        offset += 8;
        break;
      default: {
        const n = data[offset] as number;
        const s = decoder.decode(data.subarray(offset + 1, offset + 1 + n));
        checksum = (checksum + s.length + s.charCodeAt(s.length - 1)) | 0;
        offset += 1 + n;
      }
    }
  }
  const t2 = performance.now();
  return { bytes: pos, checksum, writeMs: t1 - t0, readMs: t2 - t1 };
}

/** The same work through DataWriter and DataReader. */
function ours(): Outcome {
  const t0 = performance.now();
  const writer = new DataWriter();
  for (let i = 0; i < VALUES; i++) {
    switch (i % 3) {
      case 0:
        writer.writeInt32(i * 7 - 1_000_000);
        break;
      case 1:
        writer.writeDouble(i * 0.25);
        break;
      default: {
        const s = STRINGS[i & 1023] as string;
        writer.writeByte(writer.measureString(s));
        writer.writeString(s);
      }
    }
  }
  const data = writer.detachBuffer();
  const t1 = performance.now();
  const reader = DataReader.fromBuffer(data);
  let checksum = 0;
  for (let i = 0; i < VALUES; i++) {
    switch (i % 3) {
      case 0:
        checksum = (checksum + reader.readInt32()) | 0;
        break;
      case 1:
        checksum = (checksum + reader.readDouble()) | 0;
        break;
      default: {
        const s = reader.readString(reader.readByte());
        checksum = (checksum + s.length + s.charCodeAt(s.length - 1)) | 0;
      }
    }
  }
  const t2 = performance.now();
  return { bytes: data.length, checksum, writeMs: t1 - t0, readMs: t2 - t1 };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function main(): void {
  const runs = { baseline: [] as Outcome[], ours: [] as Outcome[] };
  // One warm-up of each, not counted, so both are optimised before the first timed round.
  const reference = baseline();
  const check = ours();
  if (reference.bytes !== check.bytes || reference.checksum !== check.checksum) {
    throw new Error(
      `outputs differ: baseline ${reference.bytes} B / ${reference.checksum}, ours ${check.bytes} B / ${check.checksum}`,
    );
  }
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate which goes first, so neither always runs on a just-collected heap.
    if (round % 2 === 0) {
      runs.baseline.push(baseline());
      runs.ours.push(ours());
    } else {
      runs.ours.push(ours());
      runs.baseline.push(baseline());
    }
  }
  const row = (name: string, outcomes: Outcome[]) => {
    const write = median(outcomes.map((o) => o.writeMs));
    const read = median(outcomes.map((o) => o.readMs));
    const total = median(outcomes.map((o) => o.writeMs + o.readMs));
    return { name, write, read, total };
  };
  const base = row("DataView baseline", runs.baseline);
  const mine = row("DataWriter/DataReader", runs.ours);
  const fmt = (n: number) => n.toFixed(1).padStart(9);
  console.log(
    `data-bench: ${VALUES.toLocaleString("en")} mixed values (${reference.bytes.toLocaleString("en")} bytes), ${ROUNDS} rounds, medians, Node ${process.version}`,
  );
  console.log("implementation          write ms   read ms  total ms   ratio");
  for (const r of [base, mine]) {
    console.log(
      `${r.name.padEnd(22)}${fmt(r.write)} ${fmt(r.read)} ${fmt(r.total)}   ${(r.total / base.total).toFixed(2)}×`,
    );
  }
  console.log(
    `ratio write ${(mine.write / base.write).toFixed(2)}×, read ${(mine.read / base.read).toFixed(2)}×, total ${(mine.total / base.total).toFixed(2)}× (target ≤ 1.50×)`,
  );
}

main();
