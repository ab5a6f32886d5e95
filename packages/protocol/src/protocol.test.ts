import { testSeed } from '@twohop/testkit';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { crc32 } from './crc32.js';
import { descriptorModule } from './descriptorModule.js';
import { jsonCodec } from './jsonCodec.js';
import type { ServerMessage } from './messages.js';
import { protobufCodec } from './protobufCodec.js';
import { clientRequests, subscribeRequest } from './schemas.js';

const SEED = testSeed('protocol codecs and schemas', 0x70c01);

describe('client request schemas', () => {
  it('accept a well-formed subscribe', () => {
    const request = { stream: 'book:BTC-USD', options: { tier: 'pro' }, resume: { epoch: 'e1', seq: 42 } };
    expect(subscribeRequest.parse(request)).toEqual(request);
  });

  it.each([
    ['a missing stream', {}],
    ['a number for a stream', { stream: 7 }],
    ['an empty stream', { stream: '' }],
    ['a stream with spaces', { stream: 'book BTC' }],
    ['a huge stream name', { stream: 'x'.repeat(10_000) }],
    ['a negative resume seq', { stream: 's', resume: { epoch: 'e', seq: -1 } }],
    ['a fractional resume seq', { stream: 's', resume: { epoch: 'e', seq: 1.5 } }],
    ['an unknown field', { stream: 's', admin: true }],
    ['a nested object option', { stream: 's', options: { deep: { a: 1 } } }],
    ['a __proto__ payload', JSON.parse('{"stream":"s","__proto__":{"polluted":1}}')],
  ])('reject %s', (_name, request) => {
    expect(subscribeRequest.safeParse(request).success).toBe(false);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('never throw and never accept what is not a request, whatever arrives (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...Object.values(clientRequests)), fc.anything(), (schema, input) => {
        const result = schema.safeParse(input);
        if (result.success) expect(typeof (result.data as { stream: unknown }).stream).toBe('string');
      }),
      { seed: SEED, verbose: true },
    );
  });
});

const checksum = fc.option(fc.oneof(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.string({ maxLength: 16 })), {
  nil: undefined,
});
const data = fc.jsonValue().map((value) => JSON.parse(JSON.stringify(value)) as unknown);
const seq = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const withChecksum = <T extends object>(message: T, value: number | string | undefined) =>
  value === undefined ? message : { ...message, checksum: value };
const ts = fc.option(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), { nil: undefined }); // ms since the epoch
const delta = fc
  .record({
    stream: fc.string({ minLength: 1 }),
    epoch: fc.string(),
    seq,
    from: fc.option(seq, { nil: undefined }),
    data,
    checksum,
    ts,
  })
  .map(({ from, checksum, ts, ...rest }) =>
    withChecksum(
      {
        type: 'delta' as const,
        ...rest,
        ...(from === undefined ? {} : { from }),
        ...(ts === undefined ? {} : { ts }),
      },
      checksum,
    ),
  );
const message: fc.Arbitrary<ServerMessage> = fc.oneof(
  fc
    .record({ stream: fc.string({ minLength: 1 }), epoch: fc.string(), seq, data, checksum })
    .map(({ checksum, ...rest }) => withChecksum({ type: 'snapshot' as const, ...rest }, checksum)),
  delta,
  fc
    .record({ stream: fc.string({ minLength: 1 }), items: fc.array(delta, { maxLength: 4 }) })
    .map((batch) => ({
      type: 'batch' as const,
      ...batch,
    })),
  // A heartbeat's ts is server time in ms; JSON has no -0 or Infinity, and no server clock reads them.
  fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }).map((ts) => ({ type: 'heartbeat' as const, ts })),
);

describe.each([
  ['json', jsonCodec],
  ['protobuf', protobufCodec()],
])('%s codec', (_name, codec) => {
  it('round-trips every server message (property)', () => {
    fc.assert(
      fc.property(message, (original) => {
        const decoded = (codec.decode as (frame: unknown) => ServerMessage)(codec.encode(original));
        expect(decoded).toEqual(original);
      }),
      { seed: SEED, verbose: true },
    );
  });
});

describe('decoding hostile frames', () => {
  it('the protobuf codec throws a TypeError or decodes, never anything else (property)', () => {
    const codec = protobufCodec();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => {
        try {
          codec.decode(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(TypeError);
        }
      }),
      { seed: SEED, verbose: true },
    );
  });

  it('the JSON codec rejects well-formed JSON that is not a server message', () => {
    expect(() => jsonCodec.decode('{"type":"delta","seq":-1}')).toThrow(TypeError);
    expect(() => jsonCodec.decode('[1,2,3]')).toThrow(TypeError);
  });
});

describe('crc32', () => {
  it('matches the standard check value', () => {
    expect(crc32('123456789')).toBe(0xcbf43926);
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32('')).toBe(0);
  });

  it('hashes strings as UTF-8', () => {
    expect(crc32('€')).toBe(crc32(new Uint8Array([0xe2, 0x82, 0xac])));
  });
});

describe('generated protobuf descriptor', () => {
  it('matches proto/envelope.proto (regenerate with `pnpm --filter @twohop/protocol generate`)', () => {
    const read = (path: string) => readFileSync(fileURLToPath(new URL(path, import.meta.url)), 'utf8');
    expect(read('./generated/envelopeDescriptor.ts')).toBe(
      descriptorModule(read('../proto/envelope.proto'), 'envelopeDescriptor', 'proto/envelope.proto'),
    );
  });
});
