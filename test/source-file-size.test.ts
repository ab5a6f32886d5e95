import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

// Every source file in apps/, packages/ (and the scenarios and scripts beside them) stays small enough to read in one sitting: at most MAX_LINES lines.
// Tests (`*.test.ts`, anything under a `test/` folder), generated code (`generated/`) and build output are aside.
// A file that grows past the line is split along a real seam, never squeezed.
const MAX_LINES = 300;
/**
 * Files over the line when this test came, each with the size it may not grow past, until it is split: an entry
 * whose file is back under the line fails the test too, so the list only ever shrinks.
 */
const WAITING_FOR_A_SPLIT: Record<string, number> = {};
const root = fileURLToPath(new URL('..', import.meta.url));

const skipped = new Set(['node_modules', 'dist', 'generated', 'test', 'coverage']);

/** Every source file under `dir` (relative to the repository), tests and generated code left out. */
function sources(dir: string): string[] {
  return readdirSync(`${root}${dir}`, { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return skipped.has(entry.name) ? [] : sources(path);
    const source = /\.(ts|tsx|vue|js|mjs|cjs)$/.test(entry.name) && !/\.(test|spec|d)\.ts$/.test(entry.name);
    return entry.isFile() && source ? [path] : [];
  });
}

it(`no source file in apps/, packages/, scenarios/ or scripts/ is over ${MAX_LINES} lines`, () => {
  const files = [...sources('apps'), ...sources('packages'), ...sources('scenarios'), ...sources('scripts')];
  expect(files.length).toBeGreaterThan(100);
  const over = files
    .map((file) => [file, readFileSync(`${root}${file}`, 'utf8').split('\n').length - 1] as const)
    .filter(([file, lines]) => lines > (WAITING_FOR_A_SPLIT[file] ?? MAX_LINES))
    .map(([file, lines]) => `${file}: ${lines} lines`);
  expect(over).toEqual([]);
  const split = Object.keys(WAITING_FOR_A_SPLIT).filter(
    (file) =>
      !files.includes(file) || readFileSync(`${root}${file}`, 'utf8').split('\n').length - 1 <= MAX_LINES,
  );
  expect(split, 'split (or gone): take them off WAITING_FOR_A_SPLIT').toEqual([]);
});
