import { spawnSync } from 'node:child_process';

/**
 * Builds every app's UI (`pnpm --filter ./apps/* run build`), so no app serves a stale one; false when a build failed
 * (its output is on the terminal). `npm_execpath` is the pnpm running us (there may be no global pnpm).
 */
export function buildUis(root: string): boolean {
  const pnpm = process.env['npm_execpath'];
  const [command, prefix] =
    pnpm !== undefined && /\.c?js$/.test(pnpm) ? [process.execPath, [pnpm]] : ['npx', ['-y', 'pnpm@10']];
  const build = spawnSync(command, [...prefix, '--silent', '--filter', './apps/*', 'run', 'build'], {
    cwd: root,
    stdio: 'inherit',
  });
  return build.status === 0;
}
