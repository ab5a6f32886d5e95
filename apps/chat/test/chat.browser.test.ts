import { startApp, type StartedApp } from '@twohop/app-kit';
import { readMetric } from '@twohop/metrics';
import { launchChromium } from '@twohop/testkit/node';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { buildUi } from '@twohop/vue/vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatServer } from '../src/server/createChatServer.js';
import { SqliteChatStore } from '../src/server/store/SqliteChatStore.js';
import { losingAcks } from './lostAcks.js';
import { say, signedIn } from './signedIn.js';

const appRoot = fileURLToPath(new URL('..', import.meta.url));
const screenshots = fileURLToPath(new URL('../../../test-results/screenshots/', import.meta.url));

let server: ReturnType<typeof createChatServer>;
let app: StartedApp<typeof server>;
let lossy: ReturnType<typeof losingAcks>;
let browser: Browser;
let url: string;

beforeAll(async () => {
  // The UI the server serves is built here, so the test never runs a stale (or missing) build.
  await buildUi(new URL('..', import.meta.url));
  // The store holds back the reply to one send after committing it: its ack comes too late for the page.
  lossy = losingAcks(new SqliteChatStore(), (input) => input.text === 'ack lost in transit', 'hold');
  server = createChatServer({
    store: lossy.store,
    webRoot: `${appRoot}dist/web/`,
    seedRooms: ['general', 'random'],
  });
  await server.ready;
  app = await startApp(server);
  url = app.url;
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

/** A person in their own browser profile (a different user), signed in and in #general. */
const person = (name: string) => signedIn(browser, url, name, { screen: { width: 1280, height: 760 } });

const texts = (page: Page) => page.locator('[data-test=message] [data-test=text]').allTextContents();

describe('chat UI in Chromium', () => {
  it('a stored send whose ack never comes shows "failed — retry"; the retry is answered duplicate and stored once; scroll-back loads older pages', async () => {
    // A long history, there before Ada arrives.
    await server.store.createRoom('history', 'someone', 50);
    for (let i = 1; i <= 120; i++)
      await server.store.send({
        room: 'history',
        userId: 'someone',
        name: 'Archivist',
        clientId: `h${i}`,
        text: `old ${i}`,
      });
    const ada = await person('Ada');
    try {
      // A room of its own, so the other tests' timelines stay as they expect.
      await ada.page.fill('[data-test=new-room]', 'drafts');
      await ada.page.press('[data-test=new-room]', 'Enter');
      await expect.poll(() => ada.page.locator('.room-head h2').textContent()).toContain('drafts');
      // The send is stored, but its ack is held back past the page's ack timeout: it shows as failed.
      await say(ada.page, 'ack lost in transit');
      const failed = ada.page.locator('[data-test=outgoing][data-status=failed]');
      await expect.poll(() => failed.count(), { timeout: 10_000 }).toBe(1);
      await ada.page.screenshot({ path: `${screenshots}chat-failed.png` });
      // Retried (same client id) while the first reply is still held; once it goes (late: the page has given up on
      // it), the retry is handled and the store answers it from the stored row.
      await failed.locator('[data-test=retry]').click();
      lossy.state.release();
      await expect.poll(() => readMetric(server.metrics.registry, 'chat_duplicate_sends_total')).toBe(1);
      await expect.poll(() => texts(ada.page)).toContain('ack lost in transit');
      expect(await ada.page.locator('[data-test=outgoing]').count()).toBe(0);
      expect((await server.store.latest('drafts', 50)).map((m) => m.text)).toEqual(['ack lost in transit']);
      expect(lossy.state.lost).toBe(1);

      // The long history opens on the newest page, and scrolling back loads the rest, page by page.
      await ada.page.click('[data-test=room][data-room=history]');
      await expect.poll(() => ada.page.locator('[data-test=message]').count()).toBe(50);
      // Each page is 50 (the list may also load one by itself when scrolled to its top): 100, then all 120.
      const count = () => ada.page.locator('[data-test=message]').count();
      await ada.page.click('[data-test=older]');
      await expect.poll(async () => [100, 120].includes(await count())).toBe(true);
      if ((await count()) === 100) await ada.page.click('[data-test=older]');
      await expect.poll(count).toBe(120);
      expect(await ada.page.locator('[data-test=older]').count()).toBe(0);
      expect((await texts(ada.page)).slice(0, 2)).toEqual(['old 1', 'old 2']);
      expect(ada.errors).toEqual([]);
    } finally {
      await ada.context.close();
    }
  }, 60_000);

  it('two people chat; hostile text stays text; one goes offline, and catches up when back', async () => {
    const ada = await person('Ada');
    const bob = await person('Bob');
    try {
      await expect.poll(() => ada.page.locator('[data-test=online-user]').count()).toBe(2);

      const hostile = `<img src=x onerror="window.__owned=1;alert(1)"><script>window.__owned=2</script> & <b>bold</b>`;
      await say(ada.page, hostile);
      await expect.poll(() => texts(bob.page)).toEqual([hostile]);
      // Rendered as characters: no element was made from it, no script ran.
      expect(await bob.page.locator('[data-test=messages] img, [data-test=messages] b').count()).toBe(0);
      expect(await bob.page.evaluate(() => (window as { __owned?: number }).__owned)).toBeUndefined();

      await say(bob.page, 'hi Ada');
      await expect.poll(() => texts(ada.page)).toEqual([hostile, 'hi Ada']);
      // Typing shows on the other side (Bob's message reset his throttle, so this keystroke is announced).
      await bob.page.type('[data-test=composer]', 'more');
      await expect.poll(() => ada.page.textContent('[data-test=typing]')).toContain('Bob is typing');
      await bob.page.fill('[data-test=composer]', '');

      // Bob loses the network: his connection is cut and reconnecting fails until he is back.
      await bob.context.setOffline(true);
      server.io
        .in(`user:${await bob.page.evaluate(() => JSON.parse(localStorage['twohop.chat.identity']).userId)}`)
        .disconnectSockets(true);
      await expect.poll(() => bob.page.textContent('[data-test=connection]')).toContain('reconnecting');
      await expect.poll(() => ada.page.locator('[data-test=online-user]').count()).toBe(1);
      // What he writes meanwhile waits, pending; what Ada writes he has not seen.
      await say(bob.page, 'written offline');
      await expect.poll(() => bob.page.locator('[data-test=outgoing][data-status=pending]').count()).toBe(1);
      for (const text of ['one', 'two', 'three']) await say(ada.page, text);
      await expect.poll(() => texts(ada.page)).toEqual([hostile, 'hi Ada', 'one', 'two', 'three']);
      mkdirSync(screenshots, { recursive: true });
      await bob.page.screenshot({ path: `${screenshots}chat-offline.png` });

      await bob.context.setOffline(false);
      await expect
        .poll(() => bob.page.textContent('[data-test=connection]'), { timeout: 20_000 })
        .toContain('caught up: 3 messages');
      await expect
        .poll(() => texts(bob.page))
        .toEqual([hostile, 'hi Ada', 'one', 'two', 'three', 'written offline']);
      await expect
        .poll(() => texts(ada.page))
        .toEqual([hostile, 'hi Ada', 'one', 'two', 'three', 'written offline']);
      expect(await bob.page.locator('[data-test=outgoing]').count()).toBe(0);
      await bob.page.screenshot({ path: `${screenshots}chat-caught-up.png` });
      await ada.page.screenshot({ path: `${screenshots}chat-ada.png` });
      expect([...ada.errors, ...bob.errors]).toEqual([]);
    } finally {
      await ada.context.close();
      await bob.context.close();
    }
  }, 90_000);

  it('unread badges count messages in rooms you are not looking at; edit and delete show for everyone', async () => {
    const ada = await person('Ada');
    const bob = await person('Bob');
    try {
      // Bob joins #random, then goes back to #general: Ada's messages in #random are unread for him.
      await bob.page.click('[data-test=room][data-room=random]');
      await expect.poll(() => bob.page.locator('.room-head h2').textContent()).toContain('random');
      await bob.page.click('[data-test=room][data-room=general]');
      await ada.page.click('[data-test=room][data-room=random]');
      await say(ada.page, 'psst');
      await say(ada.page, 'over here');
      const badge = bob.page.locator('[data-test=room][data-room=random] [data-test=unread]');
      await expect.poll(() => badge.textContent()).toBe('2');
      await bob.page.click('[data-test=room][data-room=random]');
      await expect.poll(() => badge.count()).toBe(0);

      // Ada edits one message and deletes the other.
      const first = ada.page.locator('[data-test=message]', { hasText: 'psst' });
      await first.hover();
      await first.locator('[data-test=edit]').click();
      await ada.page.fill('[data-test=edit-input]', 'psst (edited)');
      await ada.page.press('[data-test=edit-input]', 'Enter');
      const second = ada.page.locator('[data-test=message]', { hasText: 'over here' });
      await second.hover();
      await second.locator('[data-test=delete]').click();
      await expect.poll(() => texts(bob.page)).toEqual(['psst (edited)']);
      await expect.poll(() => bob.page.locator('[data-test=message].deleted').count()).toBe(1);
      await bob.page.screenshot({ path: `${screenshots}chat-edits.png` });
      expect([...ada.errors, ...bob.errors]).toEqual([]);
    } finally {
      await ada.context.close();
      await bob.context.close();
    }
  }, 60_000);
});
