import { descriptorModule } from '@twohop/protocol/descriptor';
import { jsonCodec, protobufCodec, type DeltaMessage } from '@twohop/protocol';
import type { KeyedChange } from '@twohop/snapshot-delta';
import { testSeed } from '@twohop/testkit';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { orderbookPayloads } from './bookPayload.js';

const SEED = testSeed('book payload', 0x70b);
const codec = protobufCodec(orderbookPayloads);
const key = fc
  .tuple(fc.constantFrom('b', 'a'), fc.integer({ min: 1, max: 10_000_000 }))
  .map(([s, p]) => `${s}:${p}`);
const change: fc.Arbitrary<KeyedChange<number>> = fc.oneof(
  fc.record({ op: fc.constant('set' as const), key, value: fc.integer({ min: 1, max: 2 ** 40 }) }),
  fc.record({ op: fc.constant('remove' as const), key }),
);
const bySide = (changes: readonly KeyedChange<number>[]) => [
  ...changes.filter((c) => c.key.startsWith('b:')),
  ...changes.filter((c) => c.key.startsWith('a:')),
];

describe(`book payload (fast-check seed ${SEED})`, () => {
  it('round-trips book deltas and snapshots through protobuf frames (property)', () => {
    fc.assert(
      fc.property(fc.array(change, { maxLength: 40 }), fc.nat(), (changes, seq) => {
        const delta: DeltaMessage<KeyedChange<number>[]> = {
          type: 'delta',
          stream: 'book:BTC-USD',
          epoch: 'e',
          seq,
          data: changes,
          checksum: 7,
        };
        const decoded = codec.decode(codec.encode(delta)) as DeltaMessage<KeyedChange<number>[]>;
        // Bids are carried before asks; within a side, order is kept.
        expect(decoded).toEqual({ ...delta, data: bySide(changes) });
        const entries = changes
          .filter((c) => c.op === 'set')
          .map((c) => [c.key, (c as { value: number }).value] as [string, number]);
        const snapshot = {
          type: 'snapshot' as const,
          stream: 'book:BTC-USD',
          epoch: 'e',
          seq,
          data: entries,
        };
        const back = codec.decode(codec.encode(snapshot));
        expect(back.type === 'snapshot' && new Map(back.data as [string, number][])).toEqual(
          new Map(entries),
        );
      }),
      { seed: SEED, verbose: true },
    );
  });

  it('is at most half the JSON frame for a typical 3-level delta', () => {
    const delta: DeltaMessage<KeyedChange<number>[]> = {
      type: 'delta',
      stream: 'book:BTC-USD',
      epoch: '6f1c2a0e-1b7d-4e55-9a3c-2f8e0d4b7a61',
      seq: 1_234_567,
      data: [
        { op: 'set', key: 'b:6499993', value: 207 },
        { op: 'remove', key: 'b:6499990' },
        { op: 'set', key: 'a:6500004', value: 170 },
      ],
      checksum: 3_735_928_559,
    };
    const binary = codec.encode(delta).byteLength;
    const json = jsonCodec.encode(delta).length;
    expect(binary / json).toBeLessThanOrEqual(0.5);
  });

  it('leaves other streams to JSON payloads', () => {
    const trade = {
      type: 'delta' as const,
      stream: 'trades:BTC-USD',
      epoch: 'e',
      seq: 1,
      data: [{ op: 'set', key: 't1', value: { price: 1 } }],
    };
    expect(codec.decode(codec.encode(trade))).toEqual(trade);
  });

  it('matches proto/book.proto (regenerate with `pnpm --filter @twohop/orderbook generate`)', () => {
    const read = (path: string) => readFileSync(fileURLToPath(new URL(path, import.meta.url)), 'utf8');
    expect(read('./generated/bookDescriptor.ts')).toBe(
      descriptorModule(read('../../proto/book.proto'), 'bookDescriptor', 'proto/book.proto'),
    );
  });
});
