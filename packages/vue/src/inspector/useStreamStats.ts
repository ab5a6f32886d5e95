import type { StreamClient } from '@twohop/client';
import {
  computed,
  shallowRef,
  toValue,
  watchEffect,
  type ComputedRef,
  type MaybeRefOrGetter,
  type Ref,
} from 'vue';
import {
  emptyStats,
  StreamStats,
  type FollowedStream,
  type InspectorStats,
  type StreamStatsOptions,
} from './StreamStats.js';

/** What {@link useStreamStats} returns. */
export interface StreamStatsView {
  /** The inspector's figures, read once per frame tick. */
  readonly stats: ComputedRef<Readonly<InspectorStats>>;
  /** The collector, to tell it about a requested stall; undefined while there is no client. */
  readonly collector: Readonly<Ref<StreamStats | undefined>>;
}

/**
 * Collects {@link StreamStats} for the current client and its followed stream, made anew when either is replaced,
 * and reads them on `tick` (from {@link useStreamClient}). Figures no stream event announces (the rates, the
 * stall) bump `refresh`.
 */
export function useStreamStats(
  source: MaybeRefOrGetter<{ client: StreamClient; stream: FollowedStream } | undefined>,
  tick: Readonly<Ref<number>>,
  options: StreamStatsOptions = {},
): StreamStatsView {
  const collector = shallowRef<StreamStats>();
  const refresh = shallowRef(0);
  watchEffect((onCleanup) => {
    const current = toValue(source);
    if (current === undefined) return;
    const stats = new StreamStats(current.client, current.stream, options);
    stats.onChange = () => refresh.value++;
    collector.value = stats;
    onCleanup(() => stats.dispose());
  });
  const stats = computed(() => {
    void tick.value;
    void refresh.value;
    // A fresh object each time: the collector mutates one in place, which Vue would not see.
    return { ...(collector.value?.read() ?? emptyStats()) };
  });
  return { stats, collector };
}
