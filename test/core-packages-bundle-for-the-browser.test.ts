import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The core packages must run in the browser as they do in Node: no Node built-ins, no transport, no framework.
// esbuild with platform "browser" fails to resolve any `node:` import or Node built-in, so a clean bundle proves it.
const corePackages = ['sequence', 'snapshot-delta', 'conflation'] as const;
const forbiddenInputs = ['socket.io', 'express', 'vue', 'node:'];
const forbiddenGlobals = [/\bBuffer\b/, /\bprocess\./, /\brequire\(/, /\b__dirname\b/];

async function bundle(name: string) {
  const entry = fileURLToPath(new URL(`../packages/${name}/src/index.ts`, import.meta.url));
  return build({
    entryPoints: [entry],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
}

describe.each(corePackages)('@twohop/%s', (name) => {
  it('bundles for the browser with no Node, transport or framework dependency', async () => {
    const result = await bundle(name);
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

// The protocol package (codecs, schemas, CRC32) is shared by browser clients too. Its libraries (protobufjs, zod,
// crc-32) feature-test for Node at run time, so only the imports are checked here.
describe('@twohop/protocol', () => {
  it('bundles for the browser with no Node import', async () => {
    const result = await bundle('protocol');
    expect(result.errors).toEqual([]);
    expect(Object.keys(result.metafile.inputs).filter((input) => input.startsWith('node:'))).toEqual([]);
  });
});
