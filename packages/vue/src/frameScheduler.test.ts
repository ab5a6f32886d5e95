import mitt from 'mitt';
import { effectScope, nextTick, shallowRef } from 'vue';
import { describe, expect, it } from 'vitest';
import { FrameScheduler, type FrameClock } from './frameScheduler.js';
import { emitterSource, useFrameTick, type ChangeSource } from './useFrameTick.js';

/** Animation frames run by hand: `run()` is one repaint. */
function fakeFrames() {
  let next = 1;
  const waiting = new Map<number, () => void>();
  const frames: FrameClock & { run(): void; readonly waiting: number } = {
    request(callback) {
      waiting.set(next, callback);
      return next++;
    },
    cancel: (handle) => void waiting.delete(handle),
    run() {
      const due = [...waiting.values()];
      waiting.clear();
      for (const callback of due) callback();
    },
    get waiting() {
      return waiting.size;
    },
  };
  return frames;
}

describe('FrameScheduler (fake animation frames)', () => {
  it('runs once per frame however many changes were requested before it', () => {
    const frames = fakeFrames();
    let renders = 0;
    const scheduler = new FrameScheduler(() => renders++, frames);
    for (let i = 0; i < 1000; i++) scheduler.request();
    expect(frames.waiting).toBe(1);
    expect(renders).toBe(0);
    frames.run();
    expect(renders).toBe(1);
    frames.run(); // nothing changed since: no render
    expect(renders).toBe(1);
    scheduler.request();
    frames.run();
    expect({ renders, frames: scheduler.frames }).toEqual({ renders: 2, frames: 2 });
  });

  it('cancels a requested frame', () => {
    const frames = fakeFrames();
    let renders = 0;
    const scheduler = new FrameScheduler(() => renders++, frames);
    scheduler.request();
    scheduler.cancel();
    frames.run();
    expect({ renders, waiting: frames.waiting, pending: scheduler.pending }).toEqual({
      renders: 0,
      waiting: 0,
      pending: false,
    });
  });
});

describe('useFrameTick', () => {
  it('ticks once per frame for a burst of events, follows a replaced source, and stops with its scope', async () => {
    const frames = fakeFrames();
    const first = mitt<{ change: number }>();
    const second = mitt<{ change: number }>();
    const source = shallowRef<ChangeSource>(emitterSource(first, ['change']));
    const scope = effectScope();
    const tick = scope.run(() => useFrameTick(source, { frames }))!;
    frames.run(); // the first source's initial state
    expect(tick.value).toBe(1);

    for (let i = 0; i < 500; i++) first.emit('change', i);
    expect(tick.value).toBe(1);
    frames.run();
    expect(tick.value).toBe(2);

    source.value = emitterSource(second, ['change']);
    await nextTick();
    frames.run();
    const afterSwitch = tick.value;
    first.emit('change', 0); // the replaced source is no longer heard
    frames.run();
    expect(tick.value).toBe(afterSwitch);
    second.emit('change', 0);
    frames.run();
    expect(tick.value).toBe(afterSwitch + 1);

    second.emit('change', 1);
    scope.stop(); // unmount: the requested frame is dropped, events are no longer heard
    frames.run();
    second.emit('change', 2);
    frames.run();
    expect({ tick: tick.value, waiting: frames.waiting }).toEqual({ tick: afterSwitch + 1, waiting: 0 });
  });
});
