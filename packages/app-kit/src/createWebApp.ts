import { StreamMetrics, metricsHandler } from '@twohop/metrics';
import type { Closeable } from '@twohop/server';
import express, { type Express, type Router } from 'express';
import { existsSync } from 'node:fs';
import { createServer, type Server as HttpServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { embeddedRuntime, type AppRuntime } from './config.js';
import { faviconHandler } from './favicon.js';
import { errorHandler, HttpError, notFoundHandler, sendHttpError } from './httpErrors.js';
import type { Logger } from './logger.js';

/** Options for {@link createWebApp} (and {@link createApp}). */
export interface WebAppOptions {
  /** The app's name: the `app` label on its metrics, and its logs. */
  name: string;
  /** Mode and node id, as `/healthz` reports them. @default embedded, `<hostname>-<pid>` */
  runtime?: AppRuntime;
  /** @default a new registry with the stream metrics, labelled `{app: name}` */
  metrics?: StreamMetrics;
  /** The built UI, served at `/`; while it is missing, `/` answers 503 `ui_not_built` with `uiHint`. */
  webRoot?: string | URL;
  /** What to run to build the UI, for the `ui_not_built` answer. @default 'pnpm build' */
  uiHint?: string;
  /** The largest JSON request body. @default '16kb' */
  jsonLimit?: string;
  /** An SVG served at `/favicon.ico` and `/favicon.svg`. @default twohop's icon */
  favicon?: string;
  /** Where server faults (5xx) are reported, with their stack. @default console.error */
  logger?: Pick<Logger, 'error'>;
}

/** What `/healthz` answers. */
export interface HealthReport extends AppRuntime {
  /** `ok`, or `stopping` once a graceful shutdown has begun (with status 503, so balancers move on). */
  readonly status: 'ok' | 'stopping';
}

/** An app's HTTP side, assembled but not listening (`startApp` and `runApp` listen). */
export interface WebApp {
  readonly name: string;
  readonly runtime: AppRuntime;
  readonly app: Express;
  /**
   * Where the app mounts its own routes (`kit.routes.post('/api/session', …)`): ahead of the UI, the JSON 404 and
   * the JSON error handler, even when added after creation.
   */
  readonly routes: Router;
  readonly http: HttpServer;
  readonly metrics: StreamMetrics;
  /** Whether a graceful shutdown has begun. */
  readonly stopping: boolean;
  /** Adds something to close, in order, when the app closes (a simulator's timer, a store). */
  onClose(closeable: Closeable): void;
  /**
   * The app's part of a graceful shutdown, once the HTTP server stops accepting: tell clients, close what was added
   * with {@link WebApp.onClose}, within `deadlineMs`. Idempotent.
   */
  close(deadlineMs?: number): Promise<void>;
}

const pathOf = (folder: string | URL) => (typeof folder === 'string' ? folder : fileURLToPath(folder));

/**
 * Builds express on an HTTP server with what every twohop app serves: `/healthz` (`{status, mode, node}`),
 * `/metrics` (Prometheus text), a favicon, JSON bodies up to `jsonLimit`, the app's {@link WebApp.routes}, the built
 * UI at `/`, and JSON errors for everything else — `{"error":{"code","message"}}`, never HTML, a stack or a path.
 */
export function createWebApp(options: WebAppOptions): WebApp {
  const { mode, node } = options.runtime ?? embeddedRuntime();
  const runtime: AppRuntime = { mode, node };
  const metrics = options.metrics ?? new StreamMetrics({ defaultLabels: { app: options.name } });
  const logger = options.logger ?? { error: (error: unknown) => console.error(error) };
  const closeables: Closeable[] = [];
  let closing: Promise<void> | undefined;

  const app = express();
  app.disable('x-powered-by');
  const routes = express.Router();
  const http = createServer(app);

  const favicon = faviconHandler(options.favicon);
  app.get(['/favicon.ico', '/favicon.svg'], favicon);
  app.get('/healthz', (_request, response) => {
    const report: HealthReport = { status: closing === undefined ? 'ok' : 'stopping', ...runtime };
    response.status(closing === undefined ? 200 : 503).json(report);
  });
  app.get('/metrics', metricsHandler(metrics.registry));
  app.use(express.json({ limit: options.jsonLimit ?? '16kb' }));
  app.use(routes);
  if (options.webRoot !== undefined && existsSync(pathOf(options.webRoot)))
    app.use(express.static(pathOf(options.webRoot), { index: 'index.html' }));
  else
    app.get('/', (_request, response) => {
      const hint = options.uiHint ?? 'pnpm build';
      sendHttpError(response, new HttpError(503, 'ui_not_built', `the UI is not built yet: run \`${hint}\``));
    });
  app.use(notFoundHandler);
  app.use(errorHandler((error) => logger.error(error)));

  return {
    name: options.name,
    runtime,
    app,
    routes,
    http,
    metrics,
    get stopping() {
      return closing !== undefined;
    },
    onClose(closeable) {
      closeables.push(closeable);
    },
    close(deadlineMs = 5000) {
      closing ??= (async () => {
        for (const closeable of closeables) await closeable.close(deadlineMs);
      })();
      return closing;
    },
  };
}
