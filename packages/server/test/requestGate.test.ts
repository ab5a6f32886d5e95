import type { CloseNotice } from '@twohop/protocol';
import { FakeClock } from '@twohop/testkit';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  IdentityBudgets,
  RequestError,
  RequestGate,
  RequestRouter,
  defaultLimits,
  type ConnectionLimits,
  type RequestErrorCode,
  type RequestReply,
} from '../src/index.js';

type NotesErrorCode = RequestErrorCode<'unknown_note'>;

/** A small app: notes by id, a cheap read and a costly one, and a handler that fails inside. */
const notes = new Map([['a', 'first']]);
const router = new RequestRouter<{ user: string }>()
  .add('note:get', {
    schema: z.strictObject({ id: z.string().max(8) }),
    handle: ({ id }) => {
      const text = notes.get(id);
      if (text === undefined) throw new RequestError<NotesErrorCode>('unknown_note', `no note ${id}`);
      return { text };
    },
  })
  .add('note:export', {
    schema: z.strictObject({ tags: z.record(z.string(), z.string()).optional() }),
    cost: 5,
    handle: async (_input, { user }) => ({ user, size: 'x'.repeat(1000) }),
  })
  .add('note:claim', {
    schema: z.strictObject({ id: z.string().max(8) }),
    handle: ({ id }) => {
      throw RequestError.outcome('note_taken', `someone else claimed ${id} first`);
    },
  })
  .add('note:crash', {
    schema: z.strictObject({}),
    handle: () => {
      throw new Error('SELECT * FROM secret_table failed at /srv/app/db.ts:12');
    },
  });

/** A transport whose unflushed bytes the test sets, recording replies and the close. */
function harness(limits: Partial<ConnectionLimits> = {}, budgets?: IdentityBudgets, clock = new FakeClock()) {
  const state = { buffered: 0, notice: undefined as CloseNotice | undefined, drain: () => {} };
  const gate = new RequestGate({
    requests: [router.bind({ user: 'ada' })],
    transport: {
      bufferedBytes: () => state.buffered,
      onDrain: (listener) => (state.drain = listener),
      close: (notice) => (state.notice = notice),
    },
    limits: { ...defaultLimits, ...limits },
    clock,
    identity: budgets === undefined ? undefined : { budgets, key: 'ada' },
  });
  const replies: RequestReply<Record<string, unknown>, string>[] = [];
  const send = (name: unknown, payload?: unknown) =>
    gate.receive(name, payload, (reply) => replies.push(reply as (typeof replies)[number]));
  const codes = () => replies.map((reply) => (reply.ok ? 'ok' : reply.error.code));
  return { gate, state, replies, send, codes, clock };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('RequestRouter', () => {
  it('accepts only strict object schemas, positive costs and new names', () => {
    const handle = () => ({});
    expect(() => new RequestRouter().add('a', { schema: z.object({}), handle })).toThrow(/strictObject/);
    expect(() => new RequestRouter().add('a', { schema: z.looseObject({}), handle })).toThrow(/strictObject/);
    expect(() => new RequestRouter().add('a', { schema: z.string(), handle })).toThrow(/strictObject/);
    expect(() => new RequestRouter().add('a', { schema: z.strictObject({}), cost: 0, handle })).toThrow(
      /cost/,
    );
    const ok = new RequestRouter().add('a', { schema: z.strictObject({}), handle });
    expect(() => ok.add('a', { schema: z.strictObject({}), handle })).toThrow(/twice/);
    expect(ok.names).toEqual(['a']);
  });
});

describe('RequestGate', () => {
  it('answers ok with the handler’s fields, or the app’s own code', async () => {
    const { send, replies } = harness();
    send('note:get', { id: 'a' });
    send('note:get', { id: 'zz' });
    send('note:export');
    await settle();
    expect(replies).toEqual([
      { ok: true, text: 'first' },
      { ok: false, error: { code: 'unknown_note', message: 'no note zz' } },
      { ok: true, user: 'ada', size: 'x'.repeat(1000) },
    ]);
  });

  it('refuses unknown keys, __proto__ and constructor at any depth, before the handler runs', () => {
    const { send, codes, replies } = harness();
    send('note:get', { id: 'a', extra: 1 });
    send('note:get', JSON.parse('{"id":"a","__proto__":{"polluted":true}}'));
    send('note:get', JSON.parse('{"id":"a","constructor":{"prototype":{}}}'));
    send('note:export', JSON.parse('{"tags":{"__proto__":"x"}}'));
    send('note:export', { tags: { constructor: 'x' } });
    send('note:get', [{ id: 'a' }]);
    expect(codes()).toEqual(Array(6).fill('invalid_message'));
    expect(JSON.stringify(replies)).toContain('__proto__');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('turns anything else a handler throws into internal, without its message', () => {
    const errors: unknown[] = [];
    const gate = new RequestGate({
      requests: [router.bind({ user: 'ada' })],
      transport: { bufferedBytes: () => 0, onDrain: () => {}, close: () => {} },
      limits: defaultLimits,
      clock: new FakeClock(),
      onInternalError: (error) => errors.push(error),
    });
    const replies: unknown[] = [];
    gate.receive('note:crash', {}, (reply) => replies.push(reply));
    expect(replies).toEqual([
      { ok: false, error: { code: 'internal', message: 'the request failed inside the server' } },
    ]);
    expect(errors).toHaveLength(1);
  });

  it('charges each request its cost against the connection’s budget', async () => {
    const { send, codes, replies } = harness({ rateBurst: 12, ratePerSecond: 1 });
    for (let i = 0; i < 3; i++) send('note:export');
    send('note:get', { id: 'a' });
    send('note:get', { id: 'a' });
    send('note:get', { id: 'a' });
    await settle();
    expect(codes()).toEqual(['rate_limited', 'rate_limited', 'ok', 'ok', 'ok', 'ok']);
    expect(replies[0]).toMatchObject({ error: { retryAfterMs: 3000 } });
  });

  it('charges the identity’s budget across its connections, reads included', () => {
    const clock = new FakeClock();
    const budgets = new IdentityBudgets({ ratePerSecond: 1, burst: 4, clock });
    const first = harness({}, budgets, clock);
    const second = harness({}, budgets, clock);
    for (let i = 0; i < 3; i++) first.send('note:get', { id: 'a' });
    for (let i = 0; i < 3; i++) second.send('note:get', { id: 'a' });
    expect([...first.codes(), ...second.codes()]).toEqual([
      'ok',
      'ok',
      'ok',
      'ok',
      'rate_limited',
      'rate_limited',
    ]);
    clock.advance(2000);
    second.send('note:get', { id: 'a' });
    expect(second.codes().at(-1)).toBe('ok');
  });

  it('closes with protocol_abuse exactly at the strike limit, whatever the refusals (rate_limited included)', () => {
    const { send, codes, state, gate } = harness({ maxStrikes: 20, ratePerSecond: 1, rateBurst: 10 });
    const kinds = [
      () => send('nope'),
      () => send('note:get', { id: 42 }),
      () => send('note:get', { id: 'zz' }),
      () => send('note:get', 'x'.repeat(20_000)),
    ];
    for (let i = 0; i < 10_000; i++) kinds[i % kinds.length]?.();
    const refusals = codes().filter((code) => code !== 'ok');
    expect(refusals).toHaveLength(21);
    expect(new Set(refusals)).toEqual(
      new Set(['invalid_message', 'unknown_note', 'payload_too_large', 'rate_limited']),
    );
    expect(state.notice).toEqual({
      error: { code: 'protocol_abuse', message: 'too many refused requests' },
      reconnect: false,
    });
    expect(gate.stats().refused).toBe(21);
  });

  it('counts no strike for a rule outcome (RequestError.outcome): only the budget bounds those', () => {
    const { send, codes, state, gate } = harness({ maxStrikes: 3, ratePerSecond: 1, rateBurst: 50 });
    for (let i = 0; i < 50; i++) send('note:claim', { id: 'a' });
    // Fifty races lost in a row: answered every time, the connection stays open.
    expect(codes()).toEqual(Array(50).fill('note_taken'));
    expect(state.notice).toBeUndefined();
    // Past the budget, rate_limited refusals are strikes like any other: a client that keeps on is closed.
    for (let i = 0; i < 10; i++) send('note:claim', { id: 'a' });
    expect(codes().slice(50)).toEqual(Array(4).fill('rate_limited'));
    expect(state.notice?.error.code).toBe('protocol_abuse');
    expect(gate.stats().refused).toBe(54);
  });

  it('forgives one strike per strikeForgiveMs, so an honest long-lived connection is not closed', () => {
    const { send, state, clock } = harness({ maxStrikes: 2, strikeForgiveMs: 1000 });
    for (let i = 0; i < 10; i++) {
      send('note:get', { id: 'zz' });
      clock.advance(1000);
    }
    expect(state.notice).toBeUndefined();
    send('note:get', { id: 'zz' });
    send('note:get', { id: 'zz' });
    send('note:get', { id: 'zz' });
    expect(state.notice?.error.code).toBe('protocol_abuse');
  });

  it('stops serving while replies are not flushed, resumes on drain, bounded by the pending limit', () => {
    const { send, codes, state, gate } = harness({ replyHighWaterBytes: 100, maxPendingRequests: 3 });
    state.buffered = 101;
    for (let i = 0; i < 3; i++) send('note:get', { id: 'a' });
    expect(codes()).toEqual([]);
    expect(gate.stats()).toMatchObject({ pending: 3, stalled: true, handled: 0 });
    state.buffered = 0;
    state.drain();
    expect(codes()).toEqual(['ok', 'ok', 'ok']);
    state.buffered = 101;
    for (let i = 0; i < 4; i++) send('note:get', { id: 'a' });
    expect(state.notice?.error.code).toBe('slow_consumer');
    expect(gate.stats().pending).toBe(0);
    send('note:get', { id: 'a' });
    expect(codes()).toEqual(['ok', 'ok', 'ok']);
  });

  it('closes with slow_consumer when the output stays over the mark for maxStallMs', () => {
    const { send, state, clock } = harness({ replyHighWaterBytes: 100, maxStallMs: 5000 });
    state.buffered = 101;
    send('note:get', { id: 'a' });
    clock.advance(4999);
    expect(state.notice).toBeUndefined();
    clock.advance(1);
    expect(state.notice).toEqual({
      error: {
        code: 'slow_consumer',
        message: 'the client read too slowly (replies not read); reconnect and resume',
      },
      reconnect: true,
    });
  });

  it('closes with slow_consumer when a reply leaves more than maxQueuedBytes unflushed', async () => {
    const { send, state } = harness({ replyHighWaterBytes: 10_000, maxQueuedBytes: 20_000 });
    state.buffered = 9_000;
    send('note:get', { id: 'a' });
    expect(state.notice).toBeUndefined();
    state.buffered = 25_000;
    send('note:get', { id: 'a' });
    expect(state.notice).toBeUndefined();
    state.buffered = 9_000;
    send('note:export', {});
    state.buffered = 25_000;
    await settle();
    expect(state.notice?.error.code).toBe('slow_consumer');
  });

  it('handles one request at a time, in order, even when handlers are async', async () => {
    const order: string[] = [];
    const slow = new RequestRouter<null>()
      .add('slow', {
        schema: z.strictObject({}),
        handle: async () => (await settle(), order.push('slow'), {}),
      })
      .add('fast', { schema: z.strictObject({}), handle: () => (order.push('fast'), {}) });
    const gate = new RequestGate({
      requests: [slow.bind(null)],
      transport: { bufferedBytes: () => 0, onDrain: () => {}, close: () => {} },
      limits: defaultLimits,
      clock: new FakeClock(),
    });
    gate.receive('slow', {});
    gate.receive('fast', {});
    await settle();
    await settle();
    expect(order).toEqual(['slow', 'fast']);
  });
});
