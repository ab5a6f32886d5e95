import type { ConnectionState, StreamClient } from '@twohop/client';
import { computed, toValue, type ComputedRef, type MaybeRefOrGetter, type Ref } from 'vue';
import { emitterSource, useFrameTick, type FrameTickOptions } from './useFrameTick.js';

/** What {@link useStreamClient} returns. */
export interface StreamClientView {
  /** The connection state, as of the last frame. */
  readonly state: ComputedRef<ConnectionState>;
  /** Goes up at most once per animation frame while anything the client follows changes. */
  readonly tick: Readonly<Ref<number>>;
}

/**
 * Follows a {@link StreamClient} from a component: its connection state and a frame tick that replica views
 * ({@link useReplica}) recompute on. Pass a getter or ref when the client is replaced (a new symbol, a new tier).
 */
export function useStreamClient(
  client: MaybeRefOrGetter<StreamClient | undefined>,
  options: FrameTickOptions = {},
): StreamClientView {
  const tick = useFrameTick(() => {
    const current = toValue(client);
    return current && emitterSource(current.events, ['change', 'state']);
  }, options);
  const state = computed<ConnectionState>(() => (tick.value, toValue(client)?.state ?? 'connecting'));
  return { state, tick };
}
