import { launchChromium } from '@twohop/testkit';
const url = process.argv[2]!;
const browser = await launchChromium();
const ctxA = await browser.newContext({ viewport: { width: 1280, height: 760 } });
const ctxB = await browser.newContext({ viewport: { width: 1280, height: 760 } });
const a = await ctxA.newPage();
const b = await ctxB.newPage();
const errors: string[] = [];
for (const p of [a, b]) {
  p.on('pageerror', (e) => errors.push(e.message));
  p.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
}
for (const [p, name] of [
  [a, 'Ada'],
  [b, 'Bob'],
] as const) {
  await p.goto(url);
  await p.fill('[data-test=name]', name);
  await p.click('button[type=submit]');
  await p.waitForSelector('[data-test=composer]', { timeout: 10000 });
}
await a.fill('[data-test=composer]', 'Hello <b>Bob</b> <img src=x onerror=alert(1)>');
await a.press('[data-test=composer]', 'Enter');
await b.fill('[data-test=composer]', 'Hi Ada! Long line ' + 'lorem ipsum '.repeat(20));
await b.press('[data-test=composer]', 'Enter');
await b.type('[data-test=composer]', 'typing');
await new Promise((r) => setTimeout(r, 800));
await a.screenshot({ path: '/tmp/chat-a.png' });
await b.screenshot({ path: '/tmp/chat-b.png' });
console.log(errors);
await browser.close();
