/**
 * `pnpm start` / `pnpm dev`: builds every app's UI, then runs each app in apps/ (its `src/server/main.ts`) in a
 * process of its own, and stops them together on Ctrl-C (SIGINT) or SIGTERM — each app says `<app>: stopping…` and
 * `<app>: stopped`, and this exits 0. `--dev` restarts an app when its source changes.
 *
 * `pnpm start --nodes N` runs a local cluster instead (scripts/start/startNodes.ts): redis-server, nginx on each
 * app's port in front of N nodes of every app with a cluster plan, the other apps in one process each; its state in
 * TWOHOP_CLUSTER_DIR (default `.twohop/cluster`). `--skip-build` starts without building the UIs first.
 *
 * Every app listens on its default port (the `twohop.port` of its package.json) plus TWOHOP_PORT_OFFSET, so
 * `TWOHOP_PORT_OFFSET=1000 pnpm start` runs a second set beside the first; HOST applies to all of them. Each app is
 * given its PORT (a PORT set for this script is ignored: one port cannot serve them all).
 */
import { discoverApps } from '@twohop/app-kit';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildUis } from './start/buildUis.js';
import { runApps } from './start/runApps.js';
import { startNodes } from './start/startNodes.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const usage = 'usage: pnpm start [--nodes N] [--skip-build] | pnpm dev';
let args: { dev?: boolean; nodes?: string; 'skip-build'?: boolean };
try {
  args = parseArgs({
    options: { dev: { type: 'boolean' }, nodes: { type: 'string' }, 'skip-build': { type: 'boolean' } },
  }).values;
} catch (error) {
  console.error(`start: ${(error as Error).message}\n${usage}`);
  process.exit(64);
}
const nodes = args.nodes === undefined ? undefined : Number(args.nodes);
if (nodes !== undefined && (!Number.isInteger(nodes) || nodes < 1 || nodes > 16)) {
  console.error(`start: --nodes must be a whole number from 1 to 16 (got ${args.nodes})\n${usage}`);
  process.exit(64);
}
if (nodes !== undefined && args.dev === true) {
  console.error('start: --dev runs one process per app; it cannot be combined with --nodes');
  process.exit(64);
}
const offset = Number(process.env['TWOHOP_PORT_OFFSET'] ?? 0);
if (!Number.isInteger(offset) || offset < 0) {
  console.error(
    `start: TWOHOP_PORT_OFFSET must be a whole number (got ${process.env['TWOHOP_PORT_OFFSET']})`,
  );
  process.exit(78);
}
const apps = discoverApps(new URL('../apps/', import.meta.url)).filter((app) =>
  existsSync(`${root}apps/${app.name}/src/server/main.ts`),
);
const env = { ...process.env, TWOHOP_LOG_FORMAT: process.env['TWOHOP_LOG_FORMAT'] ?? 'pretty' };

if (args['skip-build'] !== true && !buildUis(root)) {
  console.error('start: building the apps’ UIs failed (see above)');
  process.exit(1);
}

if (nodes !== undefined) {
  // Where the cluster keeps its Redis data and nginx configuration.
  const state = process.env['TWOHOP_CLUSTER_DIR'] ?? `${root}.twohop/cluster`;
  process.exit(await startNodes({ root, apps, nodes, offset, env, state }));
} else {
  const running = runApps({
    root,
    apps,
    dev: args.dev === true,
    env: (app) => ({ ...env, PORT: String(app.port + offset) }),
    // One app failing takes the others down too, so a broken start is never half-running.
    onFailure: () => running.stop('SIGTERM'),
  });
  process.on('SIGINT', () => running.stop('SIGINT'));
  process.on('SIGTERM', () => running.stop('SIGTERM'));
  process.exit((await running.done) ? 0 : 1);
}
