/**
 * `pnpm start` for the portal: app-kit's `runApp` (PORT, HOST, TWOHOP_* and graceful shutdown). It lists every app
 * in apps/ that its package.json marks as listed, at its default port shifted by TWOHOP_PORT_OFFSET, on HOST. With
 * TWOHOP_REDIS_URL (a cluster: `pnpm start --nodes N`) it also lists each app's nodes from the node registry.
 */
import { discoverApps, listNodes, runApp } from '@twohop/app-kit';
import { Redis } from 'ioredis';
import { createPortal } from './createPortal.js';

const listed = discoverApps(new URL('../../../', import.meta.url)).filter((app) => app.listed);

await runApp({
  manifest: new URL('../../package.json', import.meta.url),
  modes: ['embedded', 'redis'],
  create: ({ config }) => {
    const redis =
      config.redisUrl === undefined
        ? undefined
        : new Redis(config.redisUrl, { maxRetriesPerRequest: 1 }).on('error', () => {});
    const portal = createPortal({
      apps: listed.map((app) => ({ ...app, port: app.port + config.portOffset })),
      host: config.host,
      runtime: config,
      ...(redis === undefined ? {} : { nodes: () => listNodes(redis) }),
    });
    if (redis !== undefined) portal.onClose({ close: async () => redis.disconnect() });
    return portal;
  },
  describe: () => `listing ${listed.map((app) => app.name).join(', ')}`,
  deadlineMs: 2000,
});
