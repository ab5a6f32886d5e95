import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The core packages must run in the browser as they do in Node: no Node built-ins, no transport, no framework.
// esbuild with platform "browser" fails to resolve any `node:` import or Node built-in, so a clean bundle proves it.
const corePackages = ['sequence', 'snapshot-delta', 'conflation'] as const;
const forbiddenInputs = ['socket.io', 'express', 'vue', 'node:'];
const forbiddenGlobals = [/\bBuffer\b/, /\bprocess\./, /\brequire\(/, /\b__dirname\b/];

describe.each(corePackages)('@twohop/%s', (name) => {
  it('bundles for the browser with no Node, transport or framework dependency', async () => {
    const entry = fileURLToPath(new URL(`../packages/${name}/src/index.ts`, import.meta.url));
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    expect(result.errors).toEqual([]);
    const inputs = Object.keys(result.metafile.inputs);
    const code = result.outputFiles[0]?.text ?? '';
    for (const word of forbiddenInputs)
      expect(
        inputs.filter((input) => input.includes(word)),
        word,
      ).toEqual([]);
    for (const pattern of forbiddenGlobals)
      expect(code, `bundle uses ${pattern.source}`).not.toMatch(pattern);
  });
});
