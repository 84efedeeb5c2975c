import { describe, expect, it } from "vitest";
import { type ControlOwner, ControlSnapshots, makeSocketControl } from "./control-snapshots.js";

interface Options {
  readonly size?: number;
  readonly list?: readonly string[];
}

describe("ControlSnapshots", () => {
  const make = () => {
    let validations = 0;
    const snapshots = new ControlSnapshots((options: Options) => {
      validations++;
      if (options.size !== undefined && options.size < 0) throw new RangeError("size");
      return { size: options.size ?? 10 };
    });
    return { snapshots, validations: () => validations };
  };

  it("validates equal options once and shares one frozen snapshot", () => {
    const { snapshots, validations } = make();
    const a = snapshots.of({ size: 5 });
    const b = snapshots.of({ size: 5 });
    expect(a).toBe(b);
    expect(a?.values).toEqual({ size: 5 });
    expect(Object.isFrozen(a?.values)).toBe(true);
    expect(Object.isFrozen(a?.options)).toBe(true);
    expect(validations()).toBe(1);
    expect(snapshots.of({})).toBe(snapshots.of({}));
    expect(snapshots.of({})?.values).toEqual({ size: 10 });
  });

  it("makes a new snapshot when the options differ, and none for object values", () => {
    const { snapshots } = make();
    const a = snapshots.of({ size: 5 });
    expect(snapshots.of({ size: 6 })).not.toBe(a);
    expect(snapshots.of({ size: 5, list: ["x"] })).toBeUndefined();
  });

  it("throws what validation throws", () => {
    const { snapshots } = make();
    expect(() => snapshots.of({ size: -1 })).toThrow(RangeError);
  });
});

describe("makeSocketControl", () => {
  it("reads as unlocked while the control is made, then as connected() says", () => {
    let connected = true;
    let pong: number | undefined;
    const seenDuringCreate: boolean[] = [];
    const made = makeSocketControl(
      (owner: ControlOwner) => {
        seenDuringCreate.push(owner.locked());
        return { owner };
      },
      () => connected,
      () => pong,
    );
    expect(seenDuringCreate).toEqual([false]);
    expect(made.owner.locked()).toBe(true);
    connected = false;
    expect(made.owner.locked()).toBe(false);
    pong = 250;
    expect(made.owner.actualUnsolicitedPongIntervalMs()).toBe(250);
  });
});
