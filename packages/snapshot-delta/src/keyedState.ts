import type { DeltaSplitter, StateModel } from './StateModel.js';

/** One change to keyed state: set the value at a key, or remove the key. Never an increment. */
export type KeyedChange<V> = { readonly op: 'set'; readonly key: string; readonly value: V } | RemoveChange;

interface RemoveChange {
  readonly op: 'remove';
  readonly key: string;
}

/** Keyed state: a map from key (a price level, a device, a message id) to its current value. */
export type KeyedState<V> = Map<string, V>;

/** A keyed state's snapshot form: its entries, JSON-friendly. */
export type KeyedSnapshot<V> = Array<[string, V]>;

/** The {@link StateModel} of keyed state with `set` / `remove` deltas. */
export function keyedState<V>(): StateModel<KeyedState<V>, readonly KeyedChange<V>[], KeyedSnapshot<V>> {
  return {
    create: () => new Map(),
    apply(state, changes) {
      // Validate first so a malformed delta changes nothing. Index loops: this is the replica's hot path.
      const count = changes.length;
      for (let i = 0; i < count; i++) {
        const change = changes[i] as KeyedChange<V>;
        if (typeof change.key !== 'string' || (change.op !== 'set' && change.op !== 'remove')) {
          throw new TypeError('a keyed change needs op "set" or "remove" and a string key');
        }
      }
      for (let i = 0; i < count; i++) {
        const change = changes[i] as KeyedChange<V>;
        if (change.op === 'set') state.set(change.key, change.value);
        else state.delete(change.key);
      }
    },
    snapshot: (state) => [...state],
    restore: (entries) => new Map(entries),
    splitter: keyedSplitter<V>(),
  };
}

/** How keyed deltas conflate: each change is keyed by its own key, and any order of distinct keys is fine. */
export function keyedSplitter<V>(): DeltaSplitter<readonly KeyedChange<V>[], KeyedChange<V>> {
  return {
    split: (changes) => changes,
    keyOf: (change) => change.key,
    join: (changes) => changes,
    order: 'first-queued',
  };
}

/** Shorthand for a set change. */
export const setKey = <V>(key: string, value: V): KeyedChange<V> => ({ op: 'set', key, value });

/** Shorthand for a remove change. */
export const removeKey = (key: string): KeyedChange<never> => ({ op: 'remove', key });
