import { testSeed } from '@twohop/testkit';
import fc from 'fast-check';
import type { Socket } from 'socket.io-client';
import { expect } from 'vitest';
import type { HostileRequest, RunningApp } from '../AppAdapter.js';
import { noErrorCodes, noReply } from '../canaries.js';
import type { Property } from '../Property.js';

const SEED = testSeed('conformance hostile input', 0xc0f0);
/** Refusals decided before any handler runs. */
const SCHEMA_CODES = new Set(['invalid_message', 'payload_too_large', 'rate_limited']);
/** Requests per connection: well under every app's strike and rate budgets, so each one reaches the server's logic. */
const RUNS_PER_CONNECTION = 8;

/** One request derived from a well-formed one with one thing wrong — or left well-formed, or an unknown request. */
function hostileRequest(requests: readonly HostileRequest[]): fc.Arbitrary<[string, unknown]> {
  const shaped = fc.constantFrom(...requests).chain(({ event, valid }) =>
    valid.chain((payload) => {
      const keys = Object.keys(payload);
      // Half the inputs are well-formed, so they reach the handlers; the others have exactly one thing wrong.
      const wrong: fc.Arbitrary<unknown>[] = [
        fc.record({ key: fc.string({ maxLength: 12 }), value: fc.jsonValue() }).map(({ key, value }) => ({
          ...payload,
          [`x${key}`]: value,
        })),
        fc.anything(),
      ];
      if (keys.length > 0) {
        const key = fc.constantFrom(...keys);
        wrong.push(
          key.map((dropped) =>
            Object.fromEntries(keys.filter((k) => k !== dropped).map((k) => [k, payload[k]])),
          ),
        );
        wrong.push(
          fc
            .tuple(
              key,
              fc.oneof(fc.anything(), fc.integer({ min: -5, max: 2 ** 40 }), fc.string({ maxLength: 300 })),
            )
            .map(([field, value]) => ({ ...payload, [field]: value })),
        );
      }
      const variants = [
        { weight: wrong.length, arbitrary: fc.constant<unknown>(payload) },
        ...wrong.map((arbitrary) => ({ weight: 1, arbitrary })),
      ];
      return fc.oneof(...variants).map((body): [string, unknown] => [event, body]);
    }),
  );
  const unknown = fc
    .tuple(fc.string({ maxLength: 20 }), fc.anything())
    .map(([event, body]): [string, unknown] => [`?${event}`, body]);
  return fc.oneof({ weight: 6, arbitrary: shaped }, { weight: 1, arbitrary: unknown });
}

/** Hands out connections for the runs, each set up and used for a few requests, then replaced by a fresh one. */
function connections(app: RunningApp, defer: (cleanup: () => unknown) => void) {
  let current: Socket | undefined;
  let used = 0;
  return async (ackMs: number): Promise<Socket> => {
    if (current === undefined || used >= RUNS_PER_CONNECTION) {
      current?.disconnect();
      const socket = await app.connect();
      defer(() => socket.disconnect());
      for (const { event, payload } of app.hostile.setup) {
        const reply = (await socket.timeout(ackMs).emitWithAck(event, payload)) as { ok?: unknown };
        expect(reply, `setup ${event}`).toMatchObject({ ok: true });
      }
      current = socket;
      used = 0;
    }
    used++;
    return current;
  };
}

export const hostileInput: Property = {
  name: `hostile input (seed ${SEED}, TWOHOP_SEED to change): every request answered, refusals carry documented codes, others carry on`,
  needs: 'common',
  canaries: [noReply, noErrorCodes],
  async run(context) {
    const app = await context.start();
    const bystander = await app.follow();
    context.defer(() => bystander.close());
    await context.until('the bystander', () => app.caughtUp(bystander));
    const ackMs = context.canary ? 1000 : 3000;
    const next = connections(app, context.defer);
    const codes = new Set(app.hostile.codes);
    /** What the replies were, by `ok` or code: proof that the inputs reached the handlers, not only the schema. */
    const outcomes = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(hostileRequest(app.hostile.requests), async ([event, payload]) => {
        const socket = await next(ackMs);
        expect(socket.connected, 'the connection is still open (within the strike budget)').toBe(true);
        const reply = (await socket
          .timeout(ackMs)
          .emitWithAck(event, payload)
          .catch(() => ({ missing: `no reply to ${event} within ${ackMs} ms` }))) as {
          ok?: unknown;
          error?: { code?: unknown; message?: unknown };
        };
        expect(reply).toHaveProperty('ok');
        const outcome = reply.ok === true ? 'ok' : String(reply.error?.code);
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
        if (reply.ok !== true) {
          expect(reply.ok).toBe(false);
          expect(
            codes.has(reply.error?.code as string),
            `documented code: ${String(reply.error?.code)}`,
          ).toBe(true);
          expect(typeof reply.error?.message).toBe('string');
        }
      }),
      { seed: SEED, numRuns: context.canary ? 12 : 60, endOnFailure: context.canary },
    );
    console.log(`hostile input on ${app.url}: replies by outcome`, Object.fromEntries(outcomes));
    const fromHandlers = [...outcomes].filter(([outcome]) => !SCHEMA_CODES.has(outcome));
    expect(outcomes.get('ok') ?? 0, 'accepted requests').toBeGreaterThan(0);
    expect(
      fromHandlers.length,
      'outcomes decided past the schema (accepted, or refused by a handler)',
    ).toBeGreaterThan(1);
    await app.cause(25);
    await context.until('the bystander to keep receiving', () => app.caughtUp(bystander));
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
  },
};
