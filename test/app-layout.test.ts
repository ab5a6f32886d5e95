import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The layout every app shares (apps/README.md): src/domain holds pure rules, src/client is what a browser runs, and
// neither reaches into the server. These checks read the imports of every file in those folders.
const root = fileURLToPath(new URL('..', import.meta.url));
const apps = readdirSync(`${root}apps`, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

/** `[file, imported module]` for every import in `apps/<app>/src/<folder>` (tests left out). */
function importsIn(app: string, folder: string): Array<[string, string]> {
  const dir = `${root}apps/${app}/src/${folder}`;
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.(ts|vue)$/.test(file) && !file.endsWith('.test.ts'))
    .flatMap((file) =>
      [...readFileSync(`${dir}/${file}`, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)].map(
        (match): [string, string] => [`${folder}/${file}`, match[1]!],
      ),
    );
}

const serverSide =
  /(^|\/)server(\/|$)|^node:|^express$|^socket\.io$|^better-sqlite3$|^prom-client$|^@twohop\/(server|app-kit|metrics|testkit)/;

describe.each(apps)('apps/%s', (app) => {
  it('src/domain does no I/O and knows nothing of the server', () => {
    const io =
      /^node:|^express$|^socket\.io|^better-sqlite3$|^prom-client$|^@twohop\/(server|app-kit|client|metrics|testkit)/;
    expect(
      importsIn(app, 'domain').filter(([, module]) => io.test(module) || /\/server\//.test(module)),
    ).toEqual([]);
  });

  it('src/client and src/web import no server code (they run in the browser)', () => {
    const offenders = [...importsIn(app, 'client'), ...importsIn(app, 'web')].filter(([, module]) =>
      serverSide.test(module),
    );
    expect(offenders).toEqual([]);
  });
});

it('the order book has the shared layout', () => {
  for (const folder of ['src/domain', 'src/server', 'src/client', 'src/web', 'scenarios', 'test'])
    expect(existsSync(`${root}apps/orderbook/${folder}`), folder).toBe(true);
});
