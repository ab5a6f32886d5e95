import { onScopeDispose, readonly, shallowRef, type Ref } from 'vue';

/**
 * A counter that goes up every `everyMs` while the page is shown: countdowns recompute from it (the server clock's
 * estimate is read on each tick, so the displayed time never drifts from it). Timers sleep in a hidden tab; the page
 * re-estimates the clock when it becomes visible.
 */
export function useTicker(everyMs = 100): Readonly<Ref<number>> {
  const tick = shallowRef(0);
  const timer = setInterval(() => tick.value++, everyMs);
  onScopeDispose(() => clearInterval(timer));
  return readonly(tick);
}
