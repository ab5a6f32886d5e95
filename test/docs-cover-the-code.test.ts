import { readdirSync, readFileSync, type Dirent } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES } from '@twohop/app-kit';

// Every name a reader or an operator has to know — each error code sent or thrown, each environment variable read,
// each event sent or listened to — appears in the docs. The names are found by scanning the sources, not listed
// here, so a new app (or a new code in an old one) is covered the day it lands.

const root = fileURLToPath(new URL('../', import.meta.url));

/** Folders never scanned: dependencies (pnpm's symlinks make them endless), builds and reports. */
const SKIPPED = new Set(['node_modules', 'dist', 'reports']);

/** Files under `dir` (relative to the root) whose names end with one of `endings`, skipping dependencies and builds. */
function filesUnder(dir: string, endings: readonly string[]): string[] {
  let entries: Dirent[];
  try {
    entries = readdirSync(`${root}${dir}`, { withFileTypes: true });
  } catch {
    return [];
  }
  // Walked by hand so skipped folders are never entered (a recursive readdir would list them first).
  return entries.flatMap((entry) => {
    if (entry.isDirectory())
      return SKIPPED.has(entry.name) ? [] : filesUnder(`${dir}/${entry.name}`, endings);
    return entry.isFile() && endings.some((ending) => entry.name.endsWith(ending))
      ? [`${dir}/${entry.name}`]
      : [];
  });
}

const workspaces = (parent: 'packages' | 'apps') =>
  readdirSync(`${root}${parent}`, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => `${parent}/${entry.name}`);

/** Production sources: every package's and app's `src/`, tests excluded (Vue components' own events are theirs). */
const sources = [...workspaces('packages'), ...workspaces('apps')]
  .flatMap((dir) => filesUnder(`${dir}/src`, ['.ts']))
  .filter((path) => !path.endsWith('.test.ts'));
/** Everything that may read the environment: sources, tests, scenarios, scripts, benchmarks. */
const everything = [
  ...workspaces('packages'),
  ...workspaces('apps'),
  'scenarios',
  'scripts',
  'bench',
  'test',
].flatMap((dir) => filesUnder(dir, ['.ts', '.mts', '.vue']));

const read = (path: string) => readFileSync(`${root}${path}`, 'utf8');
const docs = [
  'README.md',
  ...filesUnder('docs', ['.md']),
  ...[...workspaces('packages'), ...workspaces('apps'), 'apps'].map((dir) => `${dir}/README.md`),
]
  .map((path) => {
    try {
      return read(path);
    } catch {
      return '';
    }
  })
  .join('\n');
/** Whether the docs name `name` as code (in backticks, alone or at the start of a longer span such as `PORT=4100`). */
const documented = (name: string) =>
  new RegExp(`\`${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`).test(docs);

/** Every match of `pattern`'s first non-empty group in `files`, with where it was found. */
function collect(files: readonly string[], pattern: RegExp): Map<string, string> {
  const found = new Map<string, string>();
  for (const path of files) {
    for (const match of read(path).matchAll(pattern)) {
      const name = match.slice(1).find((group) => group !== undefined);
      if (name !== undefined && !found.has(name)) found.set(name, path);
    }
  }
  return found;
}

/**
 * Environment variables read through a zod schema (app-kit's `PORT`, `HOST`, `TWOHOP_*`; an app's own `settings`):
 * the upper-case keys of every `z.object({…})` in the sources — a wire schema's keys are camelCase.
 */
function schemaVariables(): Map<string, string> {
  const found = new Map<string, string>();
  for (const path of sources) {
    const text = read(path);
    for (const start of text.matchAll(/z\.object\(\{/g)) {
      // The object literal, up to its matching brace.
      let depth = 0;
      let end = start.index + start[0].length - 1;
      for (; end < text.length; end++) {
        if (text[end] === '{') depth++;
        else if (text[end] === '}' && --depth === 0) break;
      }
      for (const key of text.slice(start.index, end).matchAll(/^\s*([A-Z][A-Z0-9_]*)\s*:/gm))
        if (!found.has(key[1]!)) found.set(key[1]!, path);
    }
  }
  return found;
}

const undocumented = (found: Map<string, string>) =>
  [...found].filter(([name]) => !documented(name)).map(([name, where]) => `${name} (${where})`);

/** Error codes: the members of every `…ErrorCode` union, of every `…_CODES` list, and every `code: '…'` sent. */
function errorCodes(): Map<string, string> {
  const found = new Map<string, string>();
  const add = (name: string, where: string) => void (found.has(name) || found.set(name, where));
  for (const path of sources) {
    const text = read(path);
    const blocks = [
      ...text.matchAll(/type \w*ErrorCode\w* =([^;]*);/g),
      ...text.matchAll(/ErrorCode<([^>]*)>/g),
      ...text.matchAll(/\w+_CODES = \[([^\]]*)\]/g),
    ];
    for (const block of blocks)
      for (const code of (block[1] ?? '').matchAll(/'([a-z][a-z0-9_]*)'/g)) add(code[1] as string, path);
    for (const code of text.matchAll(/\bcode: '([a-z][a-z0-9_]*)'/g)) add(code[1] as string, path);
  }
  return found;
}

// Events the platform defines (Node streams, servers and child processes, socket.io's reserved ones): documented by their owners.
const platformEvents = new Set([
  'connect',
  'connect_error',
  'connection',
  'disconnect',
  'disconnecting',
  'error',
  'close',
  'drain',
  'data',
  'end',
  'finish',
  'listening',
  'upgrade',
  'open',
  'exit',
]);

describe('the docs name what the code uses', () => {
  it('every error code an app or package sends or throws', () => {
    const codes = errorCodes();
    expect(codes.size).toBeGreaterThan(10); // the scan still finds the protocol's codes
    expect(undocumented(codes)).toEqual([]);
  });

  it('every environment variable read (those the package manager sets aside)', () => {
    const variables = collect(
      everything,
      /\benv(?:\[\s*'([A-Za-z_][A-Za-z0-9_]*)'\s*\]|\.([A-Z][A-Z0-9_]*)\b)/g,
    );
    for (const name of variables.keys()) if (name.startsWith('npm_')) variables.delete(name);
    for (const [name, where] of schemaVariables()) if (!variables.has(name)) variables.set(name, where);
    expect(variables.has('TWOHOP_SEED')).toBe(true); // the scan still finds what the test kit reads
    // …and every variable app-kit's configuration schema reads.
    expect(CONFIG_VARIABLES.filter((name) => !variables.has(name))).toEqual([]);
    expect(undocumented(variables)).toEqual([]);
  });

  it('every event sent, requested or listened to, on the wire or on a client’s event emitter', () => {
    // Sent or listened to (`emit('x'`, `request<T>('x'`, `on('x'`), registered with a router (`.add('x'`), or a
    // namespaced key of a handler or schema table (`'room:join': …`).
    const events = collect(
      sources,
      /\b(?:emit|emitWithAck|request|on|once|receive|add)(?:<[^()]*?>)?\(\s*'([a-z][a-zA-Z0-9_:.-]*)'|'([a-z]+:[a-z][a-z:-]*)':/g,
    );
    for (const name of platformEvents) events.delete(name);
    expect(events.has('subscribe')).toBe(true);
    expect(undocumented(events)).toEqual([]);
  });
});
