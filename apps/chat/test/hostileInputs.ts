import fc from 'fast-check';

/**
 * Generated hostile requests for the chat, shaped per event so they reach the handlers: a valid-looking payload
 * for a real event, in a room that exists, one the sender is not in, or one that does not exist — then, most of the
 * time, one thing wrong with it (a field of the wrong type or out of range, a hostile string, a missing field, an
 * extra or reserved key). Shared by the hostile-input test and `pnpm scenario chat:hostile`.
 */
export interface HostileRooms {
  /** A room the sender is a member of. */
  mine: string;
  /** A room that exists, the sender not a member. */
  theirs: string;
}

const MISSING = 'nowhere-to-be-found';

/** Strings a hostile client tries: lone surrogates, oversized, markup, control characters, reserved words. */
export const hostileString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom(
    '',
    '\uD800',
    'tail\uDBFF',
    '\uDC00head',
    'x'.repeat(4001),
    'y'.repeat(9000),
    '<img src=x onerror=alert(1)>',
    "'); DROP TABLE messages; --",
    '\u0000\u0001\u202E',
    '__proto__',
    'constructor',
    '../../etc/passwd',
    'a b',
  ),
);

/** Values of the wrong type or range for any field. */
const wrongValue = fc.oneof(
  fc.constantFrom(null, true, -1, 0, 1.5, Number.MAX_SAFE_INTEGER + 2, 1e308, '1', [], {}),
  fc.integer(),
  fc.double(),
  hostileString,
  fc.array(fc.anything(), { maxLength: 3 }),
  fc.object({ maxDepth: 1 }),
);

/** The rooms a request names: the sender's, someone else's, a missing one, or a hostile string. */
const roomOf = (rooms: HostileRooms) =>
  fc.oneof(
    { weight: 8, arbitrary: fc.constant(rooms.mine) },
    { weight: 4, arbitrary: fc.constant(rooms.theirs) },
    { weight: 4, arbitrary: fc.constant(MISSING) },
    { weight: 1, arbitrary: hostileString },
  );

const seq = fc.oneof(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 1000 }));
/** Message text: plain, hostile, or text the chat must refuse (empty, too long, lone surrogates). */
const text = fc.oneof(
  { weight: 3, arbitrary: fc.string({ minLength: 1, maxLength: 60 }) },
  { weight: 2, arbitrary: hostileString },
  {
    weight: 2,
    arbitrary: fc.constantFrom('', 'x'.repeat(4001), '\uD800', 'ok \uDBFF', '\uDC00 ok', 'a\uD83D\uD83Db'),
  },
);

/** A valid-looking payload for each event. */
function shapes(rooms: HostileRooms): Record<string, fc.Arbitrary<Record<string, unknown>>> {
  const room = roomOf(rooms);
  return {
    'message:send': fc.record({ room, clientId: fc.string({ minLength: 1, maxLength: 64 }), text }),
    'message:edit': fc.record({ room, seq, text }),
    'message:delete': fc.record({ room, seq }),
    'room:history': fc.record(
      { room, before: seq, limit: fc.integer({ min: 1, max: 100 }) },
      { requiredKeys: ['room', 'before'] },
    ),
    'room:join': fc.record({ room, after: fc.nat(10), changesAfter: fc.nat(10) }, { requiredKeys: ['room'] }),
    'room:create': fc.record({
      room: fc.oneof(
        { weight: 4, arbitrary: fc.stringMatching(/^[a-z]{1,12}$/) },
        { weight: 1, arbitrary: hostileString },
      ),
    }),
    'room:close': fc.record({ room }),
    'room:leave': fc.record({ room }),
    read: fc.record({ room, seq: fc.nat(10) }),
    typing: fc.record({ room }),
    'rooms:list': fc.record(
      {
        after: fc.stringMatching(/^[a-z]{1,8}$/),
        limit: fc.integer({ min: 1, max: 100 }),
        mine: fc.boolean(),
      },
      { requiredKeys: [] },
    ),
    'session:refresh': fc.constant({}),
  };
}

/** One thing wrong with a payload, or nothing. */
type Flaw =
  | { kind: 'none' }
  | { kind: 'wrong'; pick: number; value: unknown }
  | { kind: 'drop'; pick: number }
  | { kind: 'extra'; key: string; value: unknown };

const flaw: fc.Arbitrary<Flaw> = fc.oneof(
  { weight: 8, arbitrary: fc.constant({ kind: 'none' as const }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('wrong' as const), pick: fc.nat(), value: wrongValue }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('drop' as const), pick: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('extra' as const),
      key: fc.constantFrom('__proto__', 'constructor', 'prototype', 'admin', 'userId'),
      value: wrongValue,
    }),
  },
);

/** Applies a flaw; a reserved key becomes an own property, as JSON.parse would make it on the server. */
function withFlaw(payload: Record<string, unknown>, flawed: Flaw): Record<string, unknown> {
  const keys = Object.keys(payload);
  const copy: Record<string, unknown> = { ...payload };
  if (flawed.kind === 'wrong' && keys.length > 0) copy[keys[flawed.pick % keys.length]!] = flawed.value;
  if (flawed.kind === 'drop' && keys.length > 0) delete copy[keys[flawed.pick % keys.length]!];
  if (flawed.kind === 'extra')
    Object.defineProperty(copy, flawed.key, { value: flawed.value, enumerable: true });
  return copy;
}

/** A hostile request: `[event, payload]`, mostly for the chat's real events, now and then for an unknown one. */
export function hostileRequest(rooms: HostileRooms): fc.Arbitrary<[string, unknown]> {
  const byEvent = Object.entries(shapes(rooms)).map(([event, shape]) =>
    fc
      .tuple(fc.constant(event), shape, flaw)
      .map(([name, payload, flawed]): [string, unknown] => [name, withFlaw(payload, flawed)]),
  );
  return fc.oneof(
    { weight: 12, arbitrary: fc.oneof(...byEvent) },
    {
      weight: 1,
      arbitrary: fc.tuple(
        fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('subscribe', 'fault', 'm')),
        fc.anything(),
      ),
    },
  );
}
