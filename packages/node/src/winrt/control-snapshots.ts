/** What a socket control asks its socket: may before-connect-only properties still change? */
export interface ControlOwner {
  /** `true` from `connectAsync` on (until it fails), and for a socket a listener accepted. */
  locked(): boolean;
  /** The unsolicited-pong interval the connection uses, once connected. */
  actualUnsolicitedPongIntervalMs(): number | undefined;
}

/**
 * Makes a socket's own control from options already validated: `create` gets the owner to pass
 * to the control's constructor. The options go in through the setters, so the owner reads as
 * unlocked while the constructor runs and as `connected()` says afterwards (a socket makes its
 * control lazily, possibly once it is connected).
 */
export function makeSocketControl<Control>(
  create: (owner: ControlOwner) => Control,
  connected: () => boolean,
  actualUnsolicitedPongIntervalMs: () => number | undefined,
): Control {
  let applying = true;
  const control = create({
    locked: () => !applying && connected(),
    actualUnsolicitedPongIntervalMs,
  });
  applying = false;
  return control;
}

/**
 * The owner of a control made only to validate options and read its values (the template of a
 * {@link ControlSnapshots} cache): never locked, never connected.
 */
export const TEMPLATE_CONTROL_OWNER: ControlOwner = Object.freeze({
  locked: () => false,
  actualUnsolicitedPongIntervalMs: () => undefined,
});

/**
 * Validated control options made of primitives only, and the values a control made from them
 * has: shared (frozen) by every socket constructed with equal options — typically every socket
 * one listener accepts — until a socket's own control is first needed.
 */
export interface ControlSnapshot<Options extends object, Values extends object> {
  readonly options: Readonly<Options>;
  readonly values: Readonly<Values>;
}

/**
 * A cache of {@link ControlSnapshot}s for one socket kind, so that accepting a connection does not
 * validate the listener's option set into a control of its own each time. `validate` builds a
 * control from the options (throwing as its setters do) and returns the values a socket reads.
 *
 * @example
 * ```ts
 * const snapshots = new ControlSnapshots((options: MyOptions) => {
 *   const c = new MyControl(templateOwner, options);
 *   return { maxMessageSize: c.maxMessageSize };
 * });
 * const shared = snapshots.of(options); // undefined when an option is an object or a function
 * ```
 */
export class ControlSnapshots<Options extends object, Values extends object> {
  readonly #validate: (options: Options) => Values;
  #empty: ControlSnapshot<Options, Values> | undefined;
  #last: ControlSnapshot<Options, Values> | undefined;

  /** `validate` checks options as the control does and returns the values to share. */
  constructor(validate: (options: Options) => Values) {
    this.#validate = validate;
  }

  /**
   * The shared snapshot for `options`, or `undefined` when one of its values is an object or a
   * function (a list or a credential the caller may still change: such a socket copies it into
   * its own control at once). Remembers the empty options and the last other options seen: a
   * listener hands every socket equal options.
   */
  of(options: Options): ControlSnapshot<Options, Values> | undefined {
    const record = options as Readonly<Record<string, unknown>>;
    const keys = Object.keys(record);
    if (keys.length === 0) {
      this.#empty ??= this.#make(options);
      return this.#empty;
    }
    const last = this.#last?.options as Readonly<Record<string, unknown>> | undefined;
    let same = last !== undefined && Object.keys(last).length === keys.length;
    for (const key of keys) {
      const value = record[key];
      if ((typeof value === "object" && value !== null) || typeof value === "function") {
        return undefined;
      }
      if (same && !(Object.hasOwn(last as object, key) && Object.is(last?.[key], value))) {
        same = false;
      }
    }
    if (same) return this.#last;
    this.#last = this.#make(options);
    return this.#last;
  }

  #make(options: Options): ControlSnapshot<Options, Values> {
    return {
      options: Object.freeze({ ...options }),
      values: Object.freeze(this.#validate(options)),
    };
  }
}
