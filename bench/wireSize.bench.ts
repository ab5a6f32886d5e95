import { jsonCodec, protobufCodec, type DeltaMessage } from '@twohop/protocol';
import { SeededRandom } from '@twohop/testkit';
import { MatchingEngine } from '@twohop/orderbook/engine';
import { BookFeed } from '@twohop/orderbook/feed';
import { MarketSimulator } from '@twohop/orderbook/simulator';
import { orderbookPayloads } from '@twohop/orderbook/wire';
import { tiers } from '@twohop/orderbook/tiers';

/** Frame sizes of the pro tier's book deltas: the same deltas as JSON text and as protobuf (BookLevels payloads). */
export function benchWireSize(operations = 20_000) {
  const random = new SeededRandom(31);
  const engine = new MatchingEngine('BTC-USD');
  const simulator = new MarketSimulator(engine, { mid: 6_500_000, random: () => random.float() });
  const feed = new BookFeed(engine, tiers(500));
  for (let i = 0; i < 2000; i++) feed.publish(simulator.step()); // warm the book
  const deltas: DeltaMessage<unknown>[] = [];
  feed.books
    .get('pro')
    ?.subscribe((event) => event.type === 'delta' && deltas.push(event as DeltaMessage<unknown>));
  for (let i = 0; i < operations; i++) feed.publish(simulator.step());
  const binary = protobufCodec(orderbookPayloads);
  let json = 0;
  let proto = 0;
  const byLevels = new Map<number, { json: number; proto: number; count: number }>();
  for (const delta of deltas) {
    const j = jsonCodec.encode(delta).length;
    const p = binary.encode(delta).byteLength;
    json += j;
    proto += p;
    const levels = (delta.data as unknown[]).length;
    const row = byLevels.get(levels) ?? { json: 0, proto: 0, count: 0 };
    row.json += j;
    row.proto += p;
    row.count++;
    byLevels.set(levels, row);
  }
  return { deltas: deltas.length, json, proto, byLevels };
}
