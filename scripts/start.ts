/**
 * `pnpm start` / `pnpm dev`: starts every app in apps/ (its own `start` or `dev` script) and stops them together
 * on SIGINT/SIGTERM. While no app exists yet, it runs what does: the core packages' live simulation.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const script = process.argv.includes('--dev') ? 'dev' : 'start';
const appsDir = `${root}apps/`;
const apps = existsSync(appsDir)
  ? readdirSync(appsDir).filter((name) => {
      const manifest = `${appsDir}${name}/package.json`;
      if (!existsSync(manifest)) return false;
      const scripts = (JSON.parse(readFileSync(manifest, 'utf8')) as { scripts?: Record<string, string> })
        .scripts;
      return scripts?.[script] !== undefined;
    })
  : [];

/**
 * Runs pnpm with `args` in `cwd`, using the pnpm that runs us (there may be no global pnpm). Each child leads its
 * own process group: pnpm and `sh -c` do not pass signals on, so stopping signals the whole group.
 */
const pnpm = process.env['npm_execpath'];
const run = (cwd: string, args: string[]): ChildProcess =>
  pnpm !== undefined && /\.c?js$/.test(pnpm)
    ? spawn(process.execPath, [pnpm, ...args], { cwd, stdio: 'inherit', detached: true })
    : spawn('npx', ['-y', 'pnpm@10', ...args], { cwd, stdio: 'inherit', detached: true });

const signalGroup = (child: ChildProcess, signal: NodeJS.Signals) => {
  if (child.pid === undefined || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
};

const children =
  apps.length > 0
    ? apps.map((name) => {
        console.log(`starting apps/${name} (${script})`);
        return run(`${appsDir}${name}`, ['run', script]);
      })
    : [
        (console.log('no apps yet: running the core packages’ live simulation (Ctrl-C to stop)'),
        run(root, ['scenario', 'simulation', '--forever'])),
      ];

let exiting = false;
const stopAll = (signal: NodeJS.Signals) => {
  exiting = true;
  for (const child of children) signalGroup(child, signal);
};
process.on('SIGINT', () => stopAll('SIGINT'));
process.on('SIGTERM', () => stopAll('SIGTERM'));
let running = children.length;
for (const child of children) {
  child.on('exit', (code) => {
    running--;
    // One app dying takes the others down too, so a broken start is never half-running.
    if (!exiting && code !== 0) stopAll('SIGTERM');
    if (running === 0) process.exit(exiting ? 0 : (code ?? 1));
  });
}
