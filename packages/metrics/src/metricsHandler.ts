import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';

/**
 * `GET /metrics` in Prometheus text format, as a plain Node handler (so it mounts in express or a bare
 * `http.Server` alike): `app.get('/metrics', metricsHandler(metrics.registry))`.
 */
export function metricsHandler(registry: Registry) {
  return (_request: IncomingMessage, response: ServerResponse): void => {
    registry.metrics().then(
      (text) => {
        response.writeHead(200, { 'Content-Type': registry.contentType });
        response.end(text);
      },
      (error: unknown) => {
        response.writeHead(500, { 'Content-Type': 'text/plain' });
        response.end(`metrics failed: ${String(error)}`);
      },
    );
  };
}
