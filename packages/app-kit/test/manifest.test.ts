import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { discoverApps, readAppManifest } from '../src/manifest.js';

/** Writes a package.json whose `twohop` entry is `twohop` in a folder named `name`; returns its path. */
function packageJson(name: string, twohop: unknown): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'twohop-manifest-')), name);
  mkdirSync(dir);
  const path = join(dir, 'package.json');
  writeFileSync(path, JSON.stringify({ name: `@twohop/${name}`, twohop }));
  return path;
}

const entry = { title: 'Demo', port: 4999, summary: 'A demo.' };

describe('readAppManifest', () => {
  it('takes the name from the folder and defaults what is optional', () => {
    const manifest = readAppManifest(packageJson('demo', entry));
    expect(manifest).toEqual({ name: 'demo', ...entry, listed: true });
    expect(manifest.cluster).toBeUndefined();
  });

  it('reads how the app runs on several nodes', () => {
    const cluster = {
      node: { DEMO_ROLE: 'gateway' },
      singletons: [{ name: 'engine', env: { DEMO_ROLE: 'engine' } }],
      sticky: false,
    };
    expect(readAppManifest(packageJson('demo', { ...entry, cluster })).cluster).toEqual(cluster);
    // Sticky unless it says otherwise: a client that may long-poll needs it.
    expect(readAppManifest(packageJson('demo', { ...entry, cluster: {} })).cluster).toEqual({
      node: {},
      singletons: [],
      sticky: true,
    });
  });

  it('refuses a cluster plan whose environment is not variables', () => {
    const cluster = { node: { 'not a variable': 'x' } };
    expect(() => readAppManifest(packageJson('demo', { ...entry, cluster }))).toThrow(
      /not a variable|Invalid/,
    );
  });
});

describe("the repository's apps", () => {
  it('the order book runs one engine and gateway nodes', () => {
    const orderbook = discoverApps(new URL('../../../apps/', import.meta.url)).find(
      (app) => app.name === 'orderbook',
    );
    expect(orderbook?.cluster).toEqual({
      node: { ORDERBOOK_ROLE: 'gateway' },
      singletons: [{ name: 'engine', env: { ORDERBOOK_ROLE: 'engine' } }],
      sticky: false,
    });
  });
});
