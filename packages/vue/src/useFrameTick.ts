import {
  onScopeDispose,
  readonly,
  shallowRef,
  toValue,
  watchEffect,
  type MaybeRefOrGetter,
  type Ref,
} from 'vue';
import { animationFrames, FrameScheduler, type FrameClock } from './frameScheduler.js';

/** Subscribes `notify` to something that changes (an emitter's events); returns how to unsubscribe. */
export type ChangeSource = (notify: () => void) => () => void;

/** Options for {@link useFrameTick}. */
export interface FrameTickOptions {
  /** @default the browser's animation frames */
  frames?: FrameClock;
}

/**
 * A counter that goes up at most once per animation frame after `source` notified a change. Views computed from
 * it (`computed(() => (tick.value, read()))`) re-render once per frame, however many changes arrived since the
 * last. A reactive `source` (a session that is replaced) is re-subscribed; everything stops with the scope.
 */
export function useFrameTick(
  source: MaybeRefOrGetter<ChangeSource | undefined>,
  options: FrameTickOptions = {},
): Readonly<Ref<number>> {
  const tick = shallowRef(0);
  const scheduler = new FrameScheduler(() => tick.value++, options.frames ?? animationFrames);
  watchEffect((onCleanup) => {
    const subscribe = toValue(source);
    if (subscribe === undefined) return;
    onCleanup(subscribe(() => scheduler.request()));
    // A new source has a state of its own to show.
    scheduler.request();
  });
  onScopeDispose(() => scheduler.cancel());
  return readonly(tick);
}

/** A {@link ChangeSource} over a mitt-style emitter: any of `events` is a change. */
export function emitterSource<E extends Record<string, unknown>>(
  emitter: {
    on<K extends keyof E>(type: K, handler: (event: E[K]) => void): void;
    off<K extends keyof E>(type: K, handler: (event: E[K]) => void): void;
  },
  events: readonly (keyof E)[],
): ChangeSource {
  return (notify) => {
    for (const event of events) emitter.on(event, notify);
    return () => {
      for (const event of events) emitter.off(event, notify);
    };
  };
}
