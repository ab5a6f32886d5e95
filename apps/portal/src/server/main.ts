/**
 * `pnpm start` for the portal: app-kit's `runApp` (PORT, HOST, TWOHOP_* and graceful shutdown). It lists every app
 * in apps/ that its package.json marks as listed, at its default port shifted by TWOHOP_PORT_OFFSET, on HOST.
 */
import { discoverApps, runApp } from '@twohop/app-kit';
import { createPortal } from './createPortal.js';

const listed = discoverApps(new URL('../../../', import.meta.url)).filter((app) => app.listed);

await runApp({
  manifest: new URL('../../package.json', import.meta.url),
  create: ({ config }) =>
    createPortal({
      apps: listed.map((app) => ({ ...app, port: app.port + config.portOffset })),
      host: config.host,
      runtime: config,
    }),
  describe: () => `listing ${listed.map((app) => app.name).join(', ')}`,
  deadlineMs: 2000,
});
