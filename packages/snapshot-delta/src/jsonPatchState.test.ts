import { ConflatingQueue } from '@twohop/conflation';
import { seededProperty } from '@twohop/testkit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  jsonPatchState,
  pointer,
  type Json,
  type JsonObject,
  type KeyedPatchOperation,
} from './jsonPatchState.js';

const model = jsonPatchState();
const apply = (document: JsonObject, ...operations: KeyedPatchOperation[]) => {
  model.apply(document, operations);
  return document;
};

describe('jsonPatchState', () => {
  it('sets nested members, creating parents', () => {
    expect(apply({}, { op: 'add', path: '/site/b1/temp', value: 21 })).toEqual({
      site: { b1: { temp: 21 } },
    });
  });

  it('is idempotent: the same patch twice leaves the same document', () => {
    const patch: KeyedPatchOperation[] = [
      { op: 'replace', path: '/a/b', value: 1 },
      { op: 'remove', path: '/a/c' },
      { op: 'add', path: '/d', value: { e: [1, 2] } },
    ];
    const once = apply({ a: { c: 3 } }, ...patch);
    expect(apply(structuredClone(once), ...patch)).toEqual(once);
  });

  it('removes a missing member as a no-op', () => {
    expect(apply({ a: 1 }, { op: 'remove', path: '/b' })).toEqual({ a: 1 });
  });

  it('never shares objects with the delta that set them', () => {
    const value = { x: 1 };
    const document = apply({}, { op: 'add', path: '/v', value });
    apply(document, { op: 'add', path: '/v/y', value: 2 });
    expect(value).toEqual({ x: 1 });
  });

  it('escapes member names with / and ~', () => {
    expect(pointer('a/b', 'c~d')).toBe('/a~1b/c~0d');
    expect(apply({}, { op: 'add', path: pointer('a/b'), value: 1 })).toEqual({ 'a/b': 1 });
  });

  it.each([
    [{ op: 'move', from: '/a', path: '/b' }],
    [{ op: 'copy', from: '/a', path: '/b' }],
    [{ op: 'test', path: '/a', value: 1 }],
    [{ op: 'add', path: 'a', value: 1 }],
    [{ op: 'add', path: '/__proto__/polluted', value: 1 }],
    [{ op: 'add', path: '/a/constructor/prototype', value: 1 }],
    [{ op: 'add', path: '/a' }],
  ])('refuses %j and changes nothing', (operation) => {
    const document = { a: 1 };
    expect(() =>
      apply(document, { op: 'add', path: '/ok', value: 1 }, operation as KeyedPatchOperation),
    ).toThrow(TypeError);
    expect(document).toEqual({ a: 1 });
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('conflating patches by path then applying equals applying them all (property)', () => {
    const segment = fc.constantFrom('a', 'b', 'c');
    const operation: fc.Arbitrary<KeyedPatchOperation> = fc.oneof(
      fc.record({
        op: fc.constantFrom('add' as const, 'replace' as const),
        path: fc.array(segment, { minLength: 1, maxLength: 3 }).map((s) => pointer(...s)),
        value: fc.oneof(fc.integer(), fc.constant({} as Json), fc.constant({ a: 1 } as Json)),
      }),
      fc.record({
        op: fc.constant('remove' as const),
        path: fc.array(segment, { minLength: 1, maxLength: 3 }).map((s) => pointer(...s)),
      }),
    );
    fc.assert(
      fc.property(
        fc.array(fc.record({ operation, drainAfter: fc.boolean() }), { maxLength: 60 }),
        (steps) => {
          const direct: JsonObject = { a: { b: 1 } };
          const conflated: JsonObject = { a: { b: 1 } };
          const queue = new ConflatingQueue<string, KeyedPatchOperation>({ order: 'last-updated' });
          const drain = () => model.apply(conflated, queue.drain()?.changes.map((c) => c.value) ?? []);
          steps.forEach(({ operation, drainAfter }, i) => {
            model.apply(direct, [operation]);
            queue.push(operation.path, operation, i + 1);
            if (drainAfter) drain();
          });
          drain();
          expect(conflated).toEqual(direct);
        },
      ),
      seededProperty('JSON Patch conflation', 0x6902),
    );
  });
});
