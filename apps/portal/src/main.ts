/** `pnpm start` for the portal: HOST:PORT (default 127.0.0.1:4100), graceful shutdown on SIGINT/SIGTERM. */
import { gracefulShutdown } from '@twohop/server';
import { discoverApps } from './apps.js';
import { createPortal } from './createPortal.js';

const port = Number(process.env['PORT'] ?? 4100);
const host = process.env['HOST'] ?? '127.0.0.1';
const apps = discoverApps();
const server = createPortal({ apps, host });
server.listen(port, host, () => {
  console.log(
    `portal: http://${host}:${port} (${apps.map((app) => `${app.title} :${app.port}`).join(', ')})`,
  );
});
gracefulShutdown({ server, closeables: [], deadlineMs: 2000 });
