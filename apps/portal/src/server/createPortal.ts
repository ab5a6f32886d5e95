import { createWebApp, type AppManifest, type AppRuntime, type WebApp } from '@twohop/app-kit';

/** An app with what its `/healthz` said just now. */
export interface AppStatus extends AppManifest {
  readonly url: string;
  readonly health: { status: string; mode?: string; node?: string } | { status: 'down'; error: string };
}

/** Options for {@link createPortal}. */
export interface PortalOptions {
  /** The apps to list, each at the port it listens on. */
  apps: readonly AppManifest[];
  /** Where the apps listen. @default '127.0.0.1' */
  host?: string;
  /** How long one health probe may take. @default 1000 */
  timeoutMs?: number;
  /** Mode and node id, as `/healthz` reports them. @default embedded */
  runtime?: AppRuntime;
}

/**
 * The portal: `/` (its Vue page, built into `dist/web`) lists every app with a link and its live health (the page
 * polls `/api/apps`, which probes each app's `/healthz` server-side, so the browser needs no cross-origin access).
 */
export function createPortal(options: PortalOptions): WebApp {
  const host = options.host ?? '127.0.0.1';
  const kit = createWebApp({
    name: 'portal',
    ...(options.runtime === undefined ? {} : { runtime: options.runtime }),
    webRoot: new URL('../../dist/web/', import.meta.url),
    uiHint: 'pnpm --filter @twohop/portal build',
  });
  kit.routes.get('/api/apps', async (_request, response) => {
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
  return kit;
}
