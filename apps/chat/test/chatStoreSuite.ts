import { seededProperty } from '@twohop/testkit';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChatStore } from '../src/domain/ChatStore.js';
import { isChatError, type ChatRuleCode } from '../src/domain/errors.js';
import { MAX_TEXT } from '../src/domain/wire.js';

/** Makes a fresh, empty store; `now` stamps its messages. */
export type StoreFactory = (now: () => number) => ChatStore;

const refused = async (code: ChatRuleCode, operation: () => Promise<unknown>) => {
  const outcome = await operation().then(
    () => 'resolved',
    (error: unknown) => (isChatError(error) ? error.code : `threw ${String(error)}`),
  );
  expect(outcome).toBe(code);
};

/**
 * The rules every {@link ChatStore} keeps, run against one implementation: the embedded SQLite store today, a shared
 * store for several nodes tomorrow, unchanged.
 */
export function chatStoreSuite(name: string, make: StoreFactory): void {
  const stores: ChatStore[] = [];
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
  });
  /** A store with room `general` made by u0, and u1, u2 members. */
  async function open() {
    let clock = 1000;
    const store = make(() => ++clock);
    stores.push(store);
    await store.createRoom('general', 'u0', 50);
    for (const user of ['u1', 'u2']) await store.join('general', user, 50);
    return store;
  }
  const say = (store: ChatStore, userId: string, clientId: string, text = clientId) =>
    store.send({ room: 'general', userId, name: userId, clientId, text });

  describe(`${name}: the ChatStore rules`, () => {
    it('numbers a room’s messages 1, 2, 3 … without gaps, in send order', async () => {
      const store = await open();
      const acks = [await say(store, 'u0', 'a'), await say(store, 'u1', 'b'), await say(store, 'u2', 'c')];
      expect(acks.map((ack) => ack.seq)).toEqual([1, 2, 3]);
      expect((await store.latest('general', 50)).map((m) => [m.seq, m.text])).toEqual([
        [1, 'a'],
        [2, 'b'],
        [3, 'c'],
      ]);
      expect(await store.head('general')).toEqual({ lastSeq: 3, lastChange: 0 });
      expect(await store.head('nowhere')).toBeUndefined();
    });

    it('a retried send with the same client id returns the original ack and stores nothing new', async () => {
      const store = await open();
      const first = await say(store, 'u1', 'm-1', 'hello');
      const retry = await say(store, 'u1', 'm-1', 'hello');
      expect(first.duplicate).toBe(false);
      expect(retry).toEqual({ ...first, duplicate: true });
      expect(await store.latest('general', 50)).toHaveLength(1);
      // Client ids are the sender's own: another user may use the same one.
      expect((await say(store, 'u2', 'm-1', 'hi')).seq).toBe(2);
    });

    it('stays gapless and duplicate-free under any interleaving of sends and retries (property)', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.record({ user: fc.integer({ min: 0, max: 2 }), id: fc.integer({ min: 0, max: 20 }) }), {
            maxLength: 80,
          }),
          async (sends) => {
            const store = make(() => 1);
            await store.createRoom('r', 'u0', 50);
            for (const user of ['u1', 'u2']) await store.join('r', user, 50);
            const seen = new Map<string, number>();
            for (const { user, id } of sends) {
              const ack = await store.send({
                room: 'r',
                userId: `u${user}`,
                name: '',
                clientId: `c${id}`,
                text: 'x',
              });
              const key = `${user}:${id}`;
              if (seen.has(key)) expect(ack).toMatchObject({ seq: seen.get(key), duplicate: true });
              else {
                expect(ack).toMatchObject({ seq: seen.size + 1, duplicate: false });
                seen.set(key, ack.seq);
              }
            }
            const stored = await store.latest('r', 1000);
            expect(stored.map((m) => m.seq)).toEqual(stored.map((_, i) => i + 1));
            expect(stored).toHaveLength(seen.size);
            await store.close();
          },
        ),
        { ...seededProperty(`${name} sends and retries`, 0xc4a7), numRuns: 60 },
      );
    });

    it('pages back through history, and catches up after a disconnect (limited past a page)', async () => {
      const store = await open();
      for (let i = 1; i <= 120; i++) await say(store, 'u1', `c${i}`, `m${i}`);
      expect((await store.latest('general', 3)).map((m) => m.seq)).toEqual([118, 119, 120]);
      expect((await store.before('general', 111, 3)).map((m) => m.seq)).toEqual([108, 109, 110]);
      expect((await store.before('general', 2, 10)).map((m) => m.seq)).toEqual([1]);
      expect(await store.after('general', 117, 50)).toMatchObject({ limited: false });
      expect((await store.after('general', 117, 50)).messages.map((m) => m.seq)).toEqual([118, 119, 120]);
      // Exactly a page missed is not limited; one more is.
      expect((await store.after('general', 70, 50)).limited).toBe(false);
      const page = await store.after('general', 69, 50);
      expect(page.limited).toBe(true);
      expect(page.messages.map((m) => m.seq)).toEqual(Array.from({ length: 50 }, (_, i) => 71 + i));
    });

    it('edits and deletes are idempotent, numbered in a change feed, and only the sender’s', async () => {
      const store = await open();
      for (let i = 1; i <= 3; i++) await say(store, 'u1', `c${i}`, `m${i}`);
      expect(await store.edit('general', 2, 'u1', 'two')).toMatchObject({
        text: 'two',
        version: 1,
        change: 1,
      });
      expect((await store.edit('general', 2, 'u1', 'two')).version).toBe(1);
      expect(await store.delete('general', 3, 'u1')).toMatchObject({ text: '', deleted: true, version: 1 });
      expect((await store.delete('general', 3, 'u1')).change).toBe(2);
      await refused('not_owner', () => store.edit('general', 1, 'u2', 'mine now'));
      await refused('not_owner', () => store.delete('general', 1, 'u2'));
      await refused('unknown_message', () => store.delete('general', 9, 'u1'));
      await refused('unknown_message', () => store.edit('general', 3, 'u1', 'back from the dead'));
      expect((await store.changedSince('general', 0, 500)).map((m) => [m.seq, m.change])).toEqual([
        [2, 1],
        [3, 2],
      ]);
      expect((await store.changedSince('general', 1, 500)).map((m) => m.seq)).toEqual([3]);
      expect(await store.head('general')).toEqual({ lastSeq: 3, lastChange: 2 });
    });

    it('a user who left cannot send, edit or delete in the room; joining again restores it', async () => {
      const store = await open();
      await say(store, 'u1', 'c1', 'mine');
      await store.leave('general', 'u1');
      expect(await store.isMember('general', 'u1')).toBe(false);
      await refused('not_member', () => store.edit('general', 1, 'u1', 'changed after leaving'));
      await refused('not_member', () => store.delete('general', 1, 'u1'));
      await refused('not_member', () => say(store, 'u1', 'c2'));
      expect((await store.latest('general', 5))[0]).toMatchObject({ text: 'mine', version: 0 });
      await store.join('general', 'u1', 50);
      expect(await store.edit('general', 1, 'u1', 'back')).toMatchObject({ text: 'back' });
    });

    it('membership: join is idempotent, limited per user, refused for a missing room', async () => {
      const store = await open();
      await store.join('general', 'u1', 50);
      expect((await store.members('general')).sort()).toEqual(['u0', 'u1', 'u2']);
      await refused('unknown_room', () => store.join('nowhere', 'u1', 50));
      await store.createRoom('second', 'u3', 2);
      await refused('room_limit', () => store.createRoom('third', 'u3', 1));
      await refused('room_limit', () => store.join('general', 'u3', 1));
      await store.join('general', 'u3', 2);
      await refused('room_exists', () => store.createRoom('general', 'u9', 50));
      await refused('invalid_message', () => store.createRoom("x'; DROP TABLE rooms;--", 'u9', 50));
    });

    it('tracks read receipts, never backwards, with unread counts per user', async () => {
      const store = await open();
      for (let i = 1; i <= 5; i++) await say(store, 'u0', `c${i}`);
      expect(await store.markRead('general', 'u2', 3)).toBe(3);
      expect(await store.markRead('general', 'u2', 1)).toBe(3);
      expect((await store.listRooms({ userId: 'u2', limit: 10 })).rooms).toEqual([
        { name: 'general', lastSeq: 5, member: true, lastRead: 3, unread: 2 },
      ]);
      expect(await store.receiptsFrom('general', 3)).toEqual([{ userId: 'u2', seq: 3 }]);
      expect(await store.receiptsFrom('general', 4)).toEqual([]);
      // Not a member: nothing is unread, and the receipt stays for a return.
      await store.leave('general', 'u2');
      expect((await store.listRooms({ userId: 'u2', limit: 10 })).rooms[0]).toMatchObject({
        member: false,
        lastRead: 3,
        unread: 0,
      });
    });

    it('lists rooms in pages by name, and the user’s own rooms alone', async () => {
      const store = await open();
      for (const room of ['b', 'c', 'd', 'e']) await store.ensureRoom(room);
      await store.join('d', 'u1', 50);
      const first = await store.listRooms({ userId: 'u1', limit: 2 });
      expect(first).toMatchObject({ next: 'c' });
      expect(first.rooms.map((room) => room.name)).toEqual(['b', 'c']);
      const second = await store.listRooms({ userId: 'u1', limit: 2, after: 'c' });
      expect(second.rooms.map((room) => room.name)).toEqual(['d', 'e']);
      expect((await store.listRooms({ userId: 'u1', limit: 2, after: 'e' })).next).toBeUndefined();
      const mine = await store.listRooms({ userId: 'u1', limit: 10, mine: true });
      expect(mine.rooms.map((room) => room.name)).toEqual(['d', 'general']);
      expect(mine.next).toBeUndefined();
    });

    it('stores text verbatim, and refuses text that could not be (empty, too long, lone surrogates)', async () => {
      const store = await open();
      const hostile = `<img src=x onerror=alert(1)>'); DROP TABLE messages; -- \u{1F600} \u0000 e\u0301`;
      await say(store, 'u1', 'c1', hostile);
      expect((await store.latest('general', 5))[0]?.text).toBe(hostile);
      for (const text of ['', 'x'.repeat(MAX_TEXT + 1), 'a\uD800b', '\uDC00', 'x\uD83D']) {
        await refused('invalid_text', () => say(store, 'u1', `bad-${text.length}`, text));
        await refused('invalid_text', () => store.edit('general', 1, 'u1', text));
      }
      await refused('invalid_message', () => say(store, 'u1', '', 'x'));
      await refused('unknown_room', () =>
        store.send({ room: 'nope', userId: 'u1', name: '', clientId: 'c', text: 'x' }),
      );
      expect(await store.latest('general', 5)).toHaveLength(1);
    });
  });
}
