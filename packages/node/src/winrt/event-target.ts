/**
 * The typed event target both socket kinds and their listeners extend, shaped like the WinRT
 * JavaScript projection: `addEventListener(type, listener)` / `removeEventListener`, lower-case
 * type names, and an `on<type>` property per event that is one more listener slot.
 *
 * A listener gets ONE argument: the event-args object itself, with `type` and `target` (the
 * sender) added, as the projection does. Listeners run synchronously, in the order they were
 * added; the `on<type>` slot takes its place in that order when it is first set (as a DOM
 * `EventTarget` does with event handler attributes).
 *
 * A listener that throws never breaks the socket: the remaining listeners still run, the object's
 * state is unchanged, and the error is re-thrown on a later tick (`process.nextTick`) so it surfaces
 * as an `uncaughtException`, exactly as Node's own `EventTarget` and the DOM's `reportError` do.
 * Swallowing it would hide application bugs; letting it unwind into the driver would let a buggy
 * listener corrupt the connection.
 */

/** The args object a listener receives: the event's args plus `type` and `target`. */
export type TypedEvent<Args extends object, Type extends string, Target> = Args & {
  /** The event type, e.g. `"closed"`. */
  readonly type: Type;
  /** The object that raised the event (the sender in WinRT's `TypedEventHandler`). */
  readonly target: Target;
};

/** A listener of event `Type` on `Target`. */
export type TypedEventListener<Args extends object, Type extends string, Target> = (
  event: TypedEvent<Args, Type, Target>,
) => void;

/** Listener storage: the `on<type>` slot is an entry whose function can be swapped. */
interface ListenerEntry {
  fn: (event: never) => void;
  /** `true` for the `on<type>` slot, which is replaced rather than added. */
  readonly slot: boolean;
  /** Set when the entry is removed, so a dispatch already iterating over it skips it. */
  removed: boolean;
}

/** A plain listener (added with `addEventListener`). */
type ListenerFunction = (event: never) => void;

/**
 * What a type holds: its one plain listener as is (the common case, and no entry or list to
 * allocate), or the list of entries once it has more, or its `on<type>` slot.
 */
type Listeners = ListenerFunction | readonly ListenerEntry[];

/** The list of a type with no listeners (shared; lists are never mutated in place). */
const NONE: readonly ListenerEntry[] = Object.freeze([]);

/** `list` and `entry` in a new array of exactly that size (a spread reserves spare slots). */
function appended(list: readonly ListenerEntry[], entry: ListenerEntry): readonly ListenerEntry[] {
  return list.length === 0 ? [entry] : list.concat([entry]);
}

/** A type's listeners as a list of entries (a lone plain listener becomes one entry). */
function entries(listeners: Listeners): readonly ListenerEntry[] {
  return typeof listeners === "function"
    ? [{ fn: listeners, slot: false, removed: false }]
    : listeners;
}

/**
 * Base class of every netsockets object that raises events. `Events` maps each lower-case event
 * type to its args type, e.g. `{ closed: WebSocketClosedEventArgs }`.
 *
 * Subclasses declare their `on<type>` properties with {@link TypedEventTarget.getEventHandler} and
 * {@link TypedEventTarget.setEventHandler}, and raise events with
 * {@link TypedEventTarget.dispatchTypedEvent}.
 *
 * Listener lists are copy-on-write: adding or removing replaces a type's array, so a dispatch
 * iterates the array it found without copying it (one dispatch per received message is the
 * hot path), and a removed entry is flagged so that a dispatch in progress skips it.
 *
 * @example
 * ```ts
 * class Pinger extends TypedEventTarget<{ pong: { data: Uint8Array } }> {
 *   get onpong() { return this.getEventHandler("pong"); }
 *   set onpong(fn) { this.setEventHandler("pong", fn); }
 *   receive(data: Uint8Array) { this.dispatchTypedEvent("pong", { data }); }
 * }
 * ```
 */
export class TypedEventTarget<Events extends { [K in keyof Events]: object }> {
  /**
   * Each event type with listeners, then its listeners: `[type, listeners, type, listeners, …]`.
   * An object has a handful of types, so a scan is as fast as a lookup, and the array is a
   * fraction of a `Map`'s size on every idle socket. Replaced, never grown in place (an array
   * grown by `push` reserves 16 more slots). A type with one plain listener holds the function
   * itself: a server socket with one `messagereceived` and one `closed` listener then keeps one
   * array of four slots, instead of two lists and two entries more (≈ 200 bytes per socket).
   */
  #listeners: readonly (keyof Events | Listeners)[] | undefined;

  #find(type: keyof Events): Listeners {
    const all = this.#listeners;
    if (all === undefined) return NONE;
    for (let i = 0; i < all.length; i += 2) {
      if (all[i] === type) return all[i + 1] as Listeners;
    }
    return NONE;
  }

  #replace(type: keyof Events, listeners: Listeners): void {
    const all = this.#listeners ?? [];
    let at = 0;
    while (at < all.length && all[at] !== type) at += 2;
    // slice and concat allocate exactly what they hold; spread and push would reserve more.
    if (typeof listeners !== "function" && listeners.length === 0) {
      this.#listeners = at === all.length ? all : all.slice(0, at).concat(all.slice(at + 2));
    } else if (at === all.length) {
      this.#listeners = all.length === 0 ? [type, listeners] : all.concat([type, listeners]);
    } else {
      const next = all.slice();
      next[at + 1] = listeners;
      this.#listeners = next;
    }
  }

  /**
   * Adds `listener` for `type`. Adding the same function twice for the same type has no effect,
   * as with a DOM `EventTarget`.
   */
  addEventListener<K extends keyof Events & string>(
    type: K,
    listener: TypedEventListener<Events[K], K, this>,
  ): void {
    if (typeof listener !== "function") return;
    const current = this.#find(type);
    if (current === NONE) {
      this.#replace(type, listener);
      return;
    }
    const list = entries(current);
    if (list.some((entry) => !entry.slot && entry.fn === listener)) return;
    this.#replace(type, appended(list, { fn: listener, slot: false, removed: false }));
  }

  /** Removes `listener` from `type`; unknown listeners are ignored. */
  removeEventListener<K extends keyof Events & string>(
    type: K,
    listener: TypedEventListener<Events[K], K, this>,
  ): void {
    const current = this.#find(type);
    if (current === listener) {
      this.#replace(type, NONE);
      return;
    }
    if (typeof current === "function") return;
    const list = current;
    const entry = list.find((e) => !e.slot && e.fn === listener);
    if (entry === undefined) return;
    entry.removed = true;
    this.#replace(
      type,
      list.filter((e) => e !== entry),
    );
  }

  /** Whether any listener (including the `on<type>` slot) is attached for `type`. */
  protected hasEventListeners(type: keyof Events & string): boolean {
    return this.#find(type) !== NONE;
  }

  /** The function in the `on<type>` slot, or `null`. */
  protected getEventHandler<K extends keyof Events & string>(
    type: K,
  ): TypedEventListener<Events[K], K, this> | null {
    const current = this.#find(type);
    if (typeof current === "function") return null;
    const entry = current.find((e) => e.slot);
    return (entry?.fn as TypedEventListener<Events[K], K, this> | undefined) ?? null;
  }

  /**
   * Sets the `on<type>` slot. Setting a function where there was none appends the slot to the
   * listener list; replacing keeps its position; `null` (or a non-function) removes it.
   */
  protected setEventHandler<K extends keyof Events & string>(
    type: K,
    handler: TypedEventListener<Events[K], K, this> | null | undefined,
  ): void {
    const list = entries(this.#find(type));
    const existing = list.find((e) => e.slot);
    if (typeof handler !== "function") {
      if (existing === undefined) return;
      existing.removed = true;
      this.#replace(
        type,
        list.filter((e) => e !== existing),
      );
      return;
    }
    // The slot's function is swapped in place: a dispatch in progress that has not reached the
    // slot yet calls the new handler, as a DOM event handler attribute does.
    if (existing !== undefined) existing.fn = handler;
    else this.#replace(type, appended(list, { fn: handler, slot: true, removed: false }));
  }

  /**
   * Raises `type`: makes `type` and `target` available on `args` and calls every listener with
   * it, synchronously, in order. Listeners added while dispatching are not called for this
   * event; listeners removed while dispatching are not called either. Returns the args object.
   *
   * Args classes raised on hot paths declare `type` and `target` themselves (see
   * {@link EventArgsBase}); any other args object gets them as own properties here (`target`
   * non-enumerable, so logging an args object does not print the whole socket).
   */
  protected dispatchTypedEvent<K extends keyof Events & string>(
    type: K,
    args: Events[K],
  ): TypedEvent<Events[K], K, this> {
    const event = args as TypedEvent<Events[K], K, this>;
    if (event instanceof EventArgsBase) {
      event[bindEvent](type, this);
    } else {
      Object.defineProperty(args, "type", { value: type, enumerable: true, configurable: true });
      Object.defineProperty(args, "target", { value: this, enumerable: false, configurable: true });
    }
    const listeners = this.#find(type);
    if (typeof listeners === "function") {
      try {
        (listeners as (event: TypedEvent<Events[K], K, this>) => void).call(this, event);
      } catch (error) {
        reportListenerError(error);
      }
      return event;
    }
    const list = listeners;
    for (let i = 0; i < list.length; i++) {
      const entry = list[i] as ListenerEntry;
      // A listener removed by an earlier one in this dispatch is skipped.
      if (entry.removed) continue;
      try {
        (entry.fn as (event: TypedEvent<Events[K], K, this>) => void).call(this, event);
      } catch (error) {
        reportListenerError(error);
      }
    }
    return event;
  }
}

const bindEvent = Symbol("bindEvent");

/**
 * Base class of event-args classes that carry `type` and `target` as ordinary fields, so that
 * raising them costs no property definitions (the args object keeps the shape its constructor
 * gave it). `target` is read through an accessor on the prototype, so it stays out of
 * `Object.keys` and logging, as it is for other args objects.
 */
export abstract class EventArgsBase {
  /** The event type, e.g. `"messagereceived"`; empty until the event is raised. */
  readonly type: string = "";
  #target: unknown = undefined;

  /** The object that raised the event (the sender in WinRT's `TypedEventHandler`). */
  get target(): unknown {
    return this.#target;
  }

  /** Internal: set by {@link TypedEventTarget} when it raises the event. */
  [bindEvent](type: string, target: unknown): void {
    (this as { type: string }).type = type;
    this.#target = target;
  }
}

/**
 * Reports an error thrown by a listener without letting it unwind into the caller: re-thrown on
 * the next tick, so it reaches `process.on("uncaughtException")` like an error thrown from a
 * listener of Node's own `EventTarget`.
 */
export function reportListenerError(error: unknown): void {
  process.nextTick(() => {
    throw error;
  });
}
