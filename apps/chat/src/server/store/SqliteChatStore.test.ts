import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chatStoreSuite } from '../../../test/chatStoreSuite.js';
import { SqliteChatStore } from './SqliteChatStore.js';

chatStoreSuite('SqliteChatStore', (now) => new SqliteChatStore({ now }));

describe('SqliteChatStore on a file', () => {
  it('keeps everything it acknowledged across a reopen (durable before the ack), dedup included', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'twohop-chat-'));
    try {
      const path = join(dir, 'chat.db');
      const first = new SqliteChatStore({ path });
      await first.createRoom('general', 'u1', 50);
      const ack = await first.send({
        room: 'general',
        userId: 'u1',
        name: 'ada',
        clientId: 'c1',
        text: 'persisted',
      });
      await first.close();
      const reopened = new SqliteChatStore({ path });
      expect(await reopened.latest('general', 5)).toMatchObject([
        { seq: ack.seq, text: 'persisted', name: 'ada' },
      ]);
      const again = { room: 'general', userId: 'u1', name: 'ada', clientId: 'c1', text: 'persisted' };
      expect(await reopened.send(again)).toMatchObject({ seq: 1, duplicate: true });
      expect((await reopened.send({ ...again, clientId: 'c2', text: 'next' })).seq).toBe(2);
      await reopened.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
