import { SeededRandom, testSeed } from '@twohop/testkit';
import { describe, expect, it } from 'vitest';
import { MarketSimulator } from './MarketSimulator.js';
import { MatchingEngine } from './MatchingEngine.js';

describe('MarketSimulator', () => {
  it('keeps a two-sided book near the mid, with trades and cancels', () => {
    const random = new SeededRandom(testSeed('MarketSimulator', 7));
    const engine = new MatchingEngine('BTC-USD');
    const simulator = new MarketSimulator(engine, { mid: 10_000, random: () => random.float() });
    let changes = 0;
    let fills = 0;
    for (let i = 0; i < 5000; i++) {
      const execution = simulator.step();
      changes += execution.levels.length;
      fills += execution.fills.length;
    }
    expect(engine.bids.depth).toBeGreaterThan(10);
    expect(engine.asks.depth).toBeGreaterThan(10);
    expect((engine.bids.best as number) < (engine.asks.best as number)).toBe(true);
    expect(Math.abs((engine.bids.best as number) - 10_000)).toBeLessThan(200);
    expect(changes).toBeGreaterThan(5000);
    expect(fills).toBeGreaterThan(100);
    expect(engine.stats.cancels).toBeGreaterThan(500);
  });
});
