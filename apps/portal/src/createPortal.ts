import express from 'express';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { AppEntry } from './apps.js';

/** An app with what its `/healthz` said just now. */
export interface AppStatus extends AppEntry {
  readonly url: string;
  readonly health: { status: string; mode?: string; node?: string } | { status: 'down'; error: string };
}

/** Options for {@link createPortal}. */
export interface PortalOptions {
  apps: readonly AppEntry[];
  /** Where the apps listen. @default '127.0.0.1' */
  host?: string;
  /** How long one health probe may take. @default 1000 */
  timeoutMs?: number;
}

/**
 * The portal: `/` (its Vue page, built into `dist/web`) lists every app with a link and its live health (the page
 * polls `/api/apps`, which probes each app's `/healthz` server-side, so the browser needs no cross-origin access).
 */
export function createPortal(options: PortalOptions): Server {
  const host = options.host ?? '127.0.0.1';
  const app = express();
  app.get(
    '/healthz',
    (_request, response) =>
      void response.json({ status: 'ok', mode: 'embedded', node: `portal:${process.pid}` }),
  );
  app.get('/api/apps', async (_request, response) => {
    const statuses: AppStatus[] = await Promise.all(
      options.apps.map(async (entry) => {
        const url = `http://${host}:${entry.port}`;
        try {
          const reply = await fetch(`${url}/healthz`, {
            signal: AbortSignal.timeout(options.timeoutMs ?? 1000),
          });
          return { ...entry, url, health: (await reply.json()) as AppStatus['health'] };
        } catch (error) {
          return { ...entry, url, health: { status: 'down' as const, error: (error as Error).message } };
        }
      }),
    );
    response.json(statuses);
  });
  const webRoot = fileURLToPath(new URL('../dist/web/', import.meta.url));
  if (existsSync(webRoot)) app.use(express.static(webRoot));
  else
    app.get(
      '/',
      (_request, response) =>
        void response.type('text').send('UI not built: run `pnpm build` in apps/portal'),
    );
  return createServer(app);
}
