import type { ClientStream } from '@twohop/client';
import { computed, toValue, type ComputedRef, type MaybeRefOrGetter, type Ref } from 'vue';

/**
 * A view of one stream's replica, recomputed once per frame tick (from {@link useStreamClient}), not per delta:
 * `select` reads the replica's state (the top of a book, the last trades) and returns what the template shows.
 * Until the stream exists, the view is `initial`.
 */
export function useReplica<S, D, W, T>(
  stream: MaybeRefOrGetter<ClientStream<S, D, W> | undefined>,
  select: (state: S) => T,
  tick: Readonly<Ref<number>>,
  initial: T,
): ComputedRef<T> {
  return computed(() => {
    void tick.value;
    const current = toValue(stream);
    return current === undefined ? initial : select(current.replica.state);
  });
}
