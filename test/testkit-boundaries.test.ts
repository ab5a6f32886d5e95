import { build } from 'esbuild';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Every source file under `dir` (relative to the root), tests left out. */
function sources(dir: string): string[] {
  return readdirSync(`${root}${dir}`, { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.(ts|vue)$/.test(file) && !/\.test\.ts$/.test(file) && !file.includes('node_modules'))
    .map((file) => `${dir}/${file}`);
}

const workspaces = (parent: string) =>
  readdirSync(`${root}${parent}`, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => `${parent}/${entry.name}`);

describe('the test kit stays in tests', () => {
  it('no production source in apps/*/src or packages/*/src imports @twohop/testkit', () => {
    const production = [
      ...workspaces('apps').flatMap((app) => sources(`${app}/src`)),
      ...workspaces('packages')
        .filter((pkg) => pkg !== 'packages/testkit')
        .flatMap((pkg) => sources(`${pkg}/src`)),
    ];
    expect(production.length).toBeGreaterThan(50);
    const imports = /(from|import\()\s*'@twohop\/testkit/;
    const offenders = production.filter((file) => imports.test(readFileSync(`${root}${file}`, 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('no app or package lists it among its runtime dependencies (devDependencies only)', () => {
    const offenders = [...workspaces('apps'), ...workspaces('packages')].filter((dir) => {
      if (dir === 'packages/testkit') return false;
      try {
        const manifest = JSON.parse(readFileSync(`${root}${dir}/package.json`, 'utf8')) as {
          dependencies?: Record<string, string>;
        };
        return manifest.dependencies?.['@twohop/testkit'] !== undefined;
      } catch {
        return false; // not a package
      }
    });
    expect(offenders).toEqual([]);
  });

  it('@twohop/testkit (the part that runs anywhere) bundles for the browser with no Node import', async () => {
    const result = await build({
      entryPoints: [`${root}packages/testkit/src/index.ts`],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    expect(result.errors).toEqual([]);
    const inputs = Object.keys(result.metafile.inputs);
    for (const word of ['node:', 'express', 'socket.io', 'playwright'])
      expect(
        inputs.filter((input) => input.includes(word)),
        word,
      ).toEqual([]);
  });
});
