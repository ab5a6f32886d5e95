/**
 * Generated hostile input for the order book, shaped per event so most of it passes the schema and reaches the
 * handlers (real streams, real resume points, real faults), with the wrong types, unknown keys, reserved keys,
 * unknown streams and unknown events mixed in.
 */
import fc from 'fast-check';

const SYMBOLS = ['BTC-USD', 'ETH-USD', 'SOL-USD'];
/** Every stream the order book serves. */
export const STREAMS = SYMBOLS.flatMap((symbol) => [
  `book:${symbol}`,
  `book:${symbol}/retail`,
  `book:${symbol}/mobile`,
  `trades:${symbol}`,
]);

/** One request: an event name and its payload. */
export interface HostileInput {
  readonly event: string;
  readonly payload: unknown;
}

const stream = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom(...STREAMS) },
  { weight: 2, arbitrary: fc.constantFrom('book:DOGE-USD', 'trades:NOPE', 'book:BTC-USD/vip') },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
  {
    weight: 1,
    arbitrary: fc.oneof(fc.integer(), fc.constant(null), fc.string({ minLength: 201, maxLength: 260 })),
  },
);
const anyOptions = fc.dictionary(
  fc.string({ minLength: 1, maxLength: 10 }),
  fc.oneof(fc.string(), fc.integer(), fc.boolean()),
  { maxKeys: 4 },
);
const reservedOptions = fc.constantFrom<unknown>(
  JSON.parse('{"__proto__":{"tier":"pro"}}'),
  { constructor: 'x' },
  { prototype: { polluted: true } },
);
const options = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({ tier: fc.constantFrom('pro', 'retail', 'mobile') }) as fc.Arbitrary<unknown>,
  },
  { weight: 2, arbitrary: anyOptions },
  { weight: 1, arbitrary: reservedOptions },
);
const resume = fc.oneof(
  { weight: 4, arbitrary: fc.record({ epoch: fc.string({ minLength: 1, maxLength: 16 }), seq: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({ epoch: fc.constant(''), seq: fc.oneof(fc.double(), fc.constant(-1)) }),
  },
);
/** Mostly the well-formed shape; sometimes an unknown key, sometimes anything at all. */
const withNoise = <T extends object>(base: fc.Arbitrary<T>) =>
  fc.oneof(
    { weight: 16, arbitrary: base as fc.Arbitrary<unknown> },
    { weight: 1, arbitrary: base.map((value) => ({ ...value, extra: 1 })) },
    { weight: 1, arbitrary: fc.anything({ maxDepth: 2 }) },
  );

const byEvent: Record<string, fc.Arbitrary<unknown>> = {
  subscribe: withNoise(
    fc.record({ stream, options, resume }, { requiredKeys: ['stream'] }) as fc.Arbitrary<object>,
  ),
  unsubscribe: withNoise(fc.record({ stream })),
  resync: withNoise(fc.record({ stream })),
  fault: withNoise(
    fc.record({
      kind: fc.constantFrom('stall', 'stall', 'stall', 'drop'),
      ms: fc.oneof(
        { weight: 4, arbitrary: fc.integer({ min: 0, max: 2000 }) },
        fc.integer({ min: -5, max: 12_000 }),
      ),
    }),
  ),
};

/** One generated request: mostly the order book's four events, sometimes an unknown one. */
export const hostileInput: fc.Arbitrary<HostileInput> = fc.oneof(
  ...Object.entries(byEvent).map(([event, payload]) => ({
    weight: event === 'fault' ? 2 : 6,
    arbitrary: payload.map((value) => ({ event, payload: value })),
  })),
  {
    weight: 1,
    arbitrary: fc.record({
      event: fc.constantFrom('bogus', '__proto__', 'constructor', 'toString', 'm', 'close-notice'),
      payload: fc.anything({ maxDepth: 1 }),
    }),
  },
);

/** `count` inputs from `seed`: the same seed always gives the same inputs. */
export function hostileInputs(count: number, seed: number): HostileInput[] {
  return fc.sample(hostileInput, { numRuns: count, seed });
}
