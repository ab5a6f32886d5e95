import { describe, expect, it } from 'vitest';
import { MemoryBusStore, memoryBus } from '../src/index.js';
import { busConformance, failedChecks, type OpenBuses } from './busConformance.js';
import { leakyTail, skippingSeqs } from './canaryBuses.js';

/** Handles onto one fresh store: the in-process picture of several nodes on one Redis. */
const openMemory: OpenBuses = async (count, { logCapacity }) => {
  const store = new MemoryBusStore({ logCapacity });
  return Array.from({ length: count }, () => memoryBus({ store }));
};

busConformance('memoryBus', openMemory);

describe('the bus conformance suite', () => {
  it('fails a bus whose log skips a seq', async () => {
    expect(await failedChecks(skippingSeqs(openMemory))).toEqual(
      expect.arrayContaining([
        'numbers concurrent appends from several handles densely, in one epoch',
        'reads the log from a seq, and says why when it cannot',
      ]),
    );
  });

  it('fails a bus whose tail misses an entry', async () => {
    expect(await failedChecks(leakyTail(openMemory))).toContain(
      'tails live entries in order, once each, with no gap between a read and the tail',
    );
  });

  it('passes memoryBus when run the same way (so the failures above are the canaries’, not the runner’s)', async () => {
    expect(await failedChecks(openMemory)).toEqual([]);
  });
});
