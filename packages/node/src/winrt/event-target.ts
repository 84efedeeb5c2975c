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
}

/**
 * Base class of every netsockets object that raises events. `Events` maps each lower-case event
 * type to its args type, e.g. `{ closed: WebSocketClosedEventArgs }`.
 *
 * Subclasses declare their `on<type>` properties with {@link TypedEventTarget.getEventHandler} and
 * {@link TypedEventTarget.setEventHandler}, and raise events with
 * {@link TypedEventTarget.dispatchTypedEvent}.
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
  #listeners = new Map<keyof Events, ListenerEntry[]>();

  /**
   * Adds `listener` for `type`. Adding the same function twice for the same type has no effect,
   * as with a DOM `EventTarget`.
   */
  addEventListener<K extends keyof Events & string>(
    type: K,
    listener: TypedEventListener<Events[K], K, this>,
  ): void {
    if (typeof listener !== "function") return;
    const list = this.#listeners.get(type);
    if (list === undefined) {
      this.#listeners.set(type, [{ fn: listener, slot: false }]);
      return;
    }
    if (list.some((entry) => !entry.slot && entry.fn === listener)) return;
    list.push({ fn: listener, slot: false });
  }

  /** Removes `listener` from `type`; unknown listeners are ignored. */
  removeEventListener<K extends keyof Events & string>(
    type: K,
    listener: TypedEventListener<Events[K], K, this>,
  ): void {
    const list = this.#listeners.get(type);
    if (list === undefined) return;
    const index = list.findIndex((entry) => !entry.slot && entry.fn === listener);
    if (index !== -1) list.splice(index, 1);
  }

  /** Whether any listener (including the `on<type>` slot) is attached for `type`. */
  protected hasEventListeners(type: keyof Events & string): boolean {
    const list = this.#listeners.get(type);
    return list !== undefined && list.length > 0;
  }

  /** The function in the `on<type>` slot, or `null`. */
  protected getEventHandler<K extends keyof Events & string>(
    type: K,
  ): TypedEventListener<Events[K], K, this> | null {
    const entry = this.#listeners.get(type)?.find((e) => e.slot);
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
    let list = this.#listeners.get(type);
    const index = list?.findIndex((e) => e.slot) ?? -1;
    if (typeof handler !== "function") {
      if (list !== undefined && index !== -1) list.splice(index, 1);
      return;
    }
    if (list === undefined) {
      list = [];
      this.#listeners.set(type, list);
    }
    const existing = index === -1 ? undefined : list[index];
    if (existing !== undefined) existing.fn = handler;
    else list.push({ fn: handler, slot: true });
  }

  /**
   * Raises `type`: adds `type` and `target` to `args` and calls every listener with it,
   * synchronously, in order. Listeners added while dispatching are not called for this event;
   * listeners removed while dispatching are not called either. Returns the args object.
   */
  protected dispatchTypedEvent<K extends keyof Events & string>(
    type: K,
    args: Events[K],
  ): TypedEvent<Events[K], K, this> {
    Object.defineProperty(args, "type", { value: type, enumerable: true, configurable: true });
    Object.defineProperty(args, "target", { value: this, enumerable: false, configurable: true });
    const event = args as TypedEvent<Events[K], K, this>;
    const list = this.#listeners.get(type);
    if (list === undefined || list.length === 0) return event;
    for (const entry of list.slice()) {
      // A listener removed by an earlier one in this dispatch is skipped.
      if (!list.includes(entry)) continue;
      try {
        (entry.fn as (event: TypedEvent<Events[K], K, this>) => void).call(this, event);
      } catch (error) {
        reportListenerError(error);
      }
    }
    return event;
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
