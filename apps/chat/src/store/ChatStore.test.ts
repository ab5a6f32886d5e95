import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ChatError, ChatStore, MAX_TEXT } from './ChatStore.js';

const SEED = 0xc4a7;
const stores: ChatStore[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
});

function open(path = ':memory:') {
  let clock = 1000;
  const store = new ChatStore(path, { now: () => ++clock });
  stores.push(store);
  store.createRoom('general', 'u0');
  return store;
}

const refused = (code: string, operation: () => unknown) => {
  try {
    operation();
  } catch (error) {
    expect(error).toBeInstanceOf(ChatError);
    expect((error as ChatError).code).toBe(code);
    return;
  }
  throw new Error(`expected ${code}`);
};

describe('ChatStore', () => {
  it('numbers a room’s messages 1, 2, 3 … without gaps, in send order', () => {
    const store = open();
    const acks = ['a', 'b', 'c'].map((text, i) =>
      store.send({ room: 'general', userId: `u${i}`, clientId: `c${i}`, text }),
    );
    expect(acks.map((ack) => ack.seq)).toEqual([1, 2, 3]);
    expect(store.latest('general').map((m) => [m.seq, m.text])).toEqual([
      [1, 'a'],
      [2, 'b'],
      [3, 'c'],
    ]);
  });

  it('a retried send with the same client id returns the original ack and stores nothing new', () => {
    const store = open();
    const first = store.send({ room: 'general', userId: 'u1', clientId: 'm-1', text: 'hello' });
    const retry = store.send({ room: 'general', userId: 'u1', clientId: 'm-1', text: 'hello' });
    expect(retry).toEqual({ ...first, duplicate: true });
    expect(first.duplicate).toBe(false);
    expect(store.latest('general')).toHaveLength(1);
    // Client ids are the sender's own: another user may use the same one.
    expect(store.send({ room: 'general', userId: 'u2', clientId: 'm-1', text: 'hi' }).seq).toBe(2);
  });

  it('stays gapless and duplicate-free under any interleaving of sends and retries (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ user: fc.integer({ min: 0, max: 3 }), id: fc.integer({ min: 0, max: 20 }) }), {
          maxLength: 120,
        }),
        (sends) => {
          const store = new ChatStore();
          store.createRoom('r', 'u');
          const seen = new Map<string, number>();
          for (const { user, id } of sends) {
            const ack = store.send({
              room: 'r',
              userId: `u${user}`,
              clientId: `c${id}`,
              text: `${user}:${id}`,
            });
            const key = `${user}:${id}`;
            if (seen.has(key)) expect(ack).toMatchObject({ seq: seen.get(key), duplicate: true });
            else seen.set(key, ack.seq);
          }
          const stored = store.latest('r', 1000);
          expect(stored.map((m) => m.seq)).toEqual(stored.map((_, i) => i + 1));
          expect(stored).toHaveLength(seen.size);
          store.close();
        },
      ),
      { seed: SEED, verbose: true },
    );
  });

  it('pages back through history, and catches up after a disconnect', () => {
    const store = open();
    for (let i = 1; i <= 120; i++)
      store.send({ room: 'general', userId: 'u1', clientId: `c${i}`, text: `m${i}` });
    expect(store.latest('general', 10).map((m) => m.seq)).toEqual([
      111, 112, 113, 114, 115, 116, 117, 118, 119, 120,
    ]);
    expect(store.before('general', 111, 3).map((m) => m.seq)).toEqual([108, 109, 110]);
    expect(store.before('general', 2, 10).map((m) => m.seq)).toEqual([1]);
    // Missed a few: exactly those.
    expect(store.after('general', 117, 50)).toMatchObject({ limited: false });
    expect(store.after('general', 117, 50).messages.map((m) => m.seq)).toEqual([118, 119, 120]);
    // Missed more than a page: the newest page, marked limited; paging back fills the hole.
    const page = store.after('general', 20, 50);
    expect(page.limited).toBe(true);
    expect(page.messages[0]?.seq).toBe(71);
    expect(store.before('general', 71, 50).map((m) => m.seq)).toEqual(
      Array.from({ length: 50 }, (_, i) => 21 + i),
    );
  });

  it('edits and deletes are idempotent, visible, and only the sender’s', () => {
    const store = open();
    store.send({ room: 'general', userId: 'u1', clientId: 'c1', text: 'helo' });
    const edited = store.edit('general', 1, 'u1', 'hello');
    expect(edited).toMatchObject({ text: 'hello', version: 1, deleted: false });
    expect(store.edit('general', 1, 'u1', 'hello').version).toBe(1);
    refused('not_owner', () => store.edit('general', 1, 'u2', 'mine now'));
    const deleted = store.delete('general', 1, 'u1');
    expect(deleted).toMatchObject({ text: '', deleted: true, version: 2, seq: 1 });
    expect(store.delete('general', 1, 'u1').version).toBe(2);
    refused('unknown_message', () => store.delete('general', 9, 'u1'));
    refused('unknown_message', () => store.edit('general', 1, 'u1', 'back from the dead'));
  });

  it('numbers edits and deletes in a change feed, so a client that was away catches up on them', () => {
    const store = open();
    for (let i = 1; i <= 4; i++)
      store.send({ room: 'general', userId: 'u1', clientId: `c${i}`, text: `m${i}` });
    expect(store.changedSince('general', 0)).toEqual([]);
    store.edit('general', 2, 'u1', 'two');
    store.edit('general', 2, 'u1', 'two'); // idempotent: no new change
    store.delete('general', 3, 'u1');
    store.edit('general', 1, 'u1', 'one');
    expect(store.changedSince('general', 0).map((m) => [m.seq, m.change])).toEqual([
      [2, 1],
      [3, 2],
      [1, 3],
    ]);
    // A client that saw change 2 gets only what came after it.
    expect(store.changedSince('general', 2).map((m) => m.text)).toEqual(['one']);
    store.edit('general', 2, 'u1', 'TWO');
    expect(store.changedSince('general', 2).map((m) => [m.seq, m.change])).toEqual([
      [1, 3],
      [2, 4],
    ]);
  });

  it('tracks read receipts, never backwards, and unread counts per user', () => {
    const store = open();
    for (let i = 1; i <= 5; i++)
      store.send({ room: 'general', userId: 'u1', clientId: `c${i}`, text: `m${i}` });
    expect(store.markRead('general', 'u2', 3)).toBe(3);
    expect(store.markRead('general', 'u2', 1)).toBe(3);
    store.addMember('general', 'u2');
    store.addMember('general', 'u3');
    expect(store.listRooms('u2')).toEqual([
      { name: 'general', lastSeq: 5, member: true, lastRead: 3, unread: 2 },
    ]);
    expect(store.listRooms('u3')).toEqual([
      { name: 'general', lastSeq: 5, member: true, lastRead: 0, unread: 5 },
    ]);
    // Not a member: nothing is unread, and leaving keeps the receipt for a return.
    store.removeMember('general', 'u2');
    expect(store.listRooms('u2')[0]).toMatchObject({ member: false, lastRead: 3, unread: 0 });
    expect(store.roomCount('u3')).toBe(1);
  });

  it('refuses malformed input with a code and stores hostile text verbatim', () => {
    const store = open();
    refused('invalid_message', () => store.send({ room: 'general', userId: 'u1', clientId: 'c', text: '' }));
    refused('invalid_message', () =>
      store.send({ room: 'general', userId: 'u1', clientId: 'c', text: 'x'.repeat(MAX_TEXT + 1) }),
    );
    refused('invalid_message', () => store.send({ room: 'general', userId: 'u1', clientId: '', text: 'x' }));
    refused('invalid_message', () =>
      store.send({ room: 'general', userId: 'u1', clientId: 'c', text: 42 as unknown as string }),
    );
    refused('unknown_room', () => store.send({ room: 'nope', userId: 'u1', clientId: 'c', text: 'x' }));
    refused('room_exists', () => store.createRoom('general', 'u9'));
    refused('invalid_message', () => store.createRoom("x'; DROP TABLE rooms;--", 'u9'));
    const hostile = `<img src=x onerror=alert(1)>'); DROP TABLE messages; --`;
    store.send({ room: 'general', userId: 'u1', clientId: 'c', text: hostile });
    expect(store.latest('general')[0]?.text).toBe(hostile);
  });

  it('keeps everything it acknowledged across a reopen (durable before the ack)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'twohop-chat-'));
    try {
      const path = join(dir, 'chat.db');
      const first = open(path);
      const ack = first.send({ room: 'general', userId: 'u1', clientId: 'c1', text: 'persisted' });
      first.close();
      stores.splice(stores.indexOf(first), 1);
      const reopened = new ChatStore(path);
      stores.push(reopened);
      expect(reopened.latest('general')).toMatchObject([{ seq: ack.seq, text: 'persisted' }]);
      expect(
        reopened.send({ room: 'general', userId: 'u1', clientId: 'c1', text: 'persisted' }),
      ).toMatchObject({ duplicate: true });
      expect(reopened.send({ room: 'general', userId: 'u1', clientId: 'c2', text: 'next' }).seq).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
