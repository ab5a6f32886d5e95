import { waitFor } from '@twohop/testkit';
import { startRedisServer } from '@twohop/testkit/node';
import { afterEach, describe, expect, it } from 'vitest';
import { ChatSession, requestSession } from '../src/client/ChatSession.js';
import { startChatNode } from './chatNode.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A signed-in session whose connection goes wherever `url()` says at each (re)connect. */
async function member(signInAt: string, name: string, url: () => string) {
  const { token, userId } = await requestSession(signInAt, name);
  const session = new ChatSession({
    url,
    token,
    userId,
    ackTimeoutMs: 2000,
    backoff: { baseMs: 50, capMs: 200 },
  });
  cleanups.push(() => session.close());
  await waitFor(`${name} live`, () => session.state === 'live');
  return session;
}

const timeline = (session: ChatSession) => session.open.get('general')?.messages ?? [];
const online = (session: ChatSession) =>
  [...(session.open.get('general')?.presence.state.keys() ?? [])].sort();

describe('the chat on several nodes, one of them killed', () => {
  it(
    'a member whose node is SIGKILLed resumes on another with nothing lost, duplicated or reordered, and sees the dead node’s members leave',
    { timeout: 90_000 },
    async () => {
      const redis = await startRedisServer({ args: ['--appendonly', 'yes', '--appendfsync', 'always'] });
      cleanups.push(() => redis.stop());
      // No CHAT_SECRET: the nodes sign sessions with the secret they share in Redis. A short presence lifetime.
      const env = { CHAT_PRESENCE_TTL_MS: '900', CHAT_REDIS_DURABILITY: 'require' };
      const [a, b] = await Promise.all([
        startChatNode(cleanups, redis.url, 'chat-a', env),
        startChatNode(cleanups, redis.url, 'chat-b', env),
      ]);

      // Ada's URL is the one a load balancer would give her: A, then B once A is gone. Carl stays on A; Bob is on B.
      let adaAt = a.url;
      const ada = await member(a.url, 'ada', () => adaAt);
      const carl = await member(a.url, 'carl', () => a.url);
      const bob = await member(a.url, 'bob', () => b.url);
      await ada.openRoom('general');
      await carl.openRoom('general');
      await bob.openRoom('general');
      await waitFor('bob sees all three online', () => online(bob).length === 3);

      for (let i = 0; i < 8; i++) {
        ada.send('general', `ada ${i}`);
        bob.send('general', `bob ${i}`);
      }
      await waitFor('ada has all 16', () => timeline(ada).length === 16 && ada.outbox.length === 0);

      // Sends in flight as A dies, more while ada is away; bob keeps talking on B.
      for (let i = 8; i < 11; i++) ada.send('general', `ada ${i}`);
      await a.stop('SIGKILL');
      for (let i = 8; i < 13; i++) bob.send('general', `bob ${i}`);
      for (let i = 11; i < 14; i++) ada.send('general', `ada ${i}`);
      await waitFor('bob’s sends stored', () => bob.outbox.length === 0, 20_000);
      adaAt = b.url;

      await waitFor(
        'ada resumed on B, her sends stored',
        () => ada.state === 'live' && ada.outbox.length === 0,
        20_000,
      );
      await waitFor(
        'ada and bob agree',
        () => timeline(ada).length === 27 && timeline(bob).length === 27,
        20_000,
      );
      // Nothing lost, duplicated or reordered: seqs 1..27, each sent text once, each sender's in the order sent.
      const messages = timeline(ada);
      expect(messages.map((m) => m.seq)).toEqual(Array.from({ length: 27 }, (_, i) => i + 1));
      expect(messages.map((m) => m.text)).toEqual(timeline(bob).map((m) => m.text));
      const texts = (who: string, count: number) => Array.from({ length: count }, (_, i) => `${who} ${i}`);
      expect(messages.filter((m) => m.name === 'ada').map((m) => m.text)).toEqual(texts('ada', 14));
      expect(messages.filter((m) => m.name === 'bob').map((m) => m.text)).toEqual(texts('bob', 13));
      expect(ada.stats.rejoins).toBeGreaterThanOrEqual(1);

      // Carl's only connection was on A: once A's lifetime lapses, everyone sees him leave; ada is online on B.
      await waitFor(
        'carl left',
        () => !online(bob).includes(carl.userId) && !online(ada).includes(carl.userId),
        15_000,
      );
      expect(online(bob)).toEqual([ada.userId, bob.userId].sort());
      expect(online(ada)).toEqual(online(bob));
    },
  );

  it('a node refuses a Redis that does not fsync before answering when told to require it (exit 78), and warns otherwise', async () => {
    const redis = await startRedisServer();
    cleanups.push(() => redis.stop());
    await expect(
      startChatNode(cleanups, redis.url, 'strict', { CHAT_REDIS_DURABILITY: 'require' }),
    ).rejects.toThrow(/exit code 78\)[\s\S]*appendfsync always/);
    const lenient = await startChatNode(cleanups, redis.url, 'lenient');
    expect(lenient.output()).toMatch(
      /Redis does not fsync before answering \(appendonly no, appendfsync everysec\)/,
    );
  });
});
