import { ManualClock } from '@twohop/sequence';
import { describe, expect, it } from 'vitest';
import { estimateOffset } from './clockOffset.js';
import { Countdown, formatRemaining } from './Countdown.js';
import { ServerClock } from './ServerClock.js';

/** A server whose wall clock is `skew` ahead of the client's monotonic clock, reached over the given trip times. */
function server(clock: ManualClock, skew: number, trips: readonly [up: number, down: number][]) {
  let asked = 0;
  return {
    get asked() {
      return asked;
    },
    ask: async () => {
      const [up, down] = trips[asked++ % trips.length] as [number, number];
      clock.advance(up);
      const time = clock.now() + skew;
      clock.advance(down);
      return time;
    },
  };
}

describe('estimateOffset', () => {
  it('is exact on symmetric trips, and reports the fastest trip kept', () => {
    const estimate = estimateOffset([
      { sentAt: 0, receivedAt: 20, serverTime: 1010 },
      { sentAt: 100, receivedAt: 140, serverTime: 1120 },
    ]);
    expect(estimate).toEqual({ offsetMs: 1000, roundTripMs: 20, maxRoundTripMs: 40, samples: 2, kept: 2 });
  });

  it('discards a slow, lopsided round trip instead of averaging it in', () => {
    const fast = [0, 1, 2, 3].map((i) => ({
      sentAt: i * 100,
      receivedAt: i * 100 + 10,
      serverTime: i * 100 + 505,
    }));
    // 400 ms out, 10 back: taken at face value its offset is ~195 ms off.
    const slow = { sentAt: 1000, receivedAt: 1410, serverTime: 1000 + 400 + 500 };
    const estimate = estimateOffset([...fast, slow])!;
    expect(estimate.kept).toBe(4);
    expect(estimate.offsetMs).toBe(500);
  });

  it('has nothing to say without samples', () => {
    expect(estimateOffset([])).toBeUndefined();
  });
});

describe('ServerClock', () => {
  it('estimates a skewed server clock within half the fastest round trip, slow trips discarded', async () => {
    const clock = new ManualClock(5_000);
    const remote = server(clock, 3_600_000, [
      [10, 10],
      [12, 8],
      [300, 5],
      [9, 11],
      [10, 10],
    ]);
    const time = new ServerClock({ ask: remote.ask, clock });
    const estimate = await time.start();
    expect(estimate?.kept).toBe(4);
    expect(Math.abs(time.now()! - (clock.now() + 3_600_000))).toBeLessThanOrEqual(
      estimate!.maxRoundTripMs / 2,
    );
    expect(estimate!.maxRoundTripMs).toBe(20);
    time.stop();
  });

  it('re-estimates every interval and on resync (a tab made visible), one estimate at a time', async () => {
    const clock = new ManualClock(0);
    const remote = server(clock, 50, [[5, 5]]);
    const time = new ServerClock({ ask: remote.ask, clock, samples: 3, intervalMs: 10_000 });
    await time.start();
    expect(remote.asked).toBe(3);
    clock.advance(10_000);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(remote.asked).toBe(6);
    const [a, b] = [time.resync(), time.resync()];
    expect(a).toBe(b);
    await a;
    expect(remote.asked).toBe(9);
    time.stop();
    clock.advance(60_000);
    expect(remote.asked).toBe(9);
  });

  it('keeps no estimate until the server answers', async () => {
    const time = new ServerClock({ ask: async () => undefined, clock: new ManualClock(0), samples: 2 });
    expect(await time.start()).toBeUndefined();
    expect(time.now()).toBeUndefined();
    time.stop();
  });
});

describe('Countdown', () => {
  it('counts down on the server clock, flashes an extension, and stops bidding at zero', () => {
    const clock = new ManualClock(0);
    const serverNow = { now: () => clock.now() + 1_000_000 };
    const countdown = new Countdown(serverNow, clock, 1500);
    countdown.update(1_010_000, true);
    expect(countdown.view()).toEqual({ remainingMs: 10_000, biddable: true, extended: false });
    clock.advance(9_000);
    countdown.update(1_019_000, true);
    expect(countdown.view()).toEqual({ remainingMs: 10_000, biddable: true, extended: true });
    clock.advance(1_500);
    expect(countdown.view().extended).toBe(false);
    clock.advance(8_500);
    expect(countdown.view()).toEqual({ remainingMs: 0, biddable: false, extended: false });
    clock.advance(1_000);
    expect(countdown.view().remainingMs).toBe(0);
  });

  it('is not biddable before the server time is known, nor once the lot closed', () => {
    const clock = new ManualClock(0);
    const unknown = new Countdown({ now: () => undefined }, clock);
    unknown.update(10_000, true);
    expect(unknown.view()).toEqual({ remainingMs: undefined, biddable: false, extended: false });
    const closed = new Countdown({ now: () => 0 }, clock);
    closed.update(10_000, false);
    expect(closed.view().biddable).toBe(false);
  });

  it('formats minutes, hours and the last ten seconds with tenths', () => {
    expect(formatRemaining(undefined)).toBe('–:––');
    expect(formatRemaining(9_450)).toBe('0:09.4');
    expect(formatRemaining(65_000)).toBe('1:05');
    expect(formatRemaining(3_909_000)).toBe('1:05:09');
  });
});
