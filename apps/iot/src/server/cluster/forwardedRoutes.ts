import { HttpError } from '@twohop/app-kit';
import type { Request, RequestHandler, Response, Router } from 'express';
import type { IotErrorCode } from '../../domain/dashboardWire.js';
import type { ClusterDirectory, ServiceKind } from './ClusterDirectory.js';

/** How long a forwarded request may take before the node answers 503. */
const FORWARD_TIMEOUT_MS = 5000;

const UNAVAILABLE: Record<'host' | 'simulator', IotErrorCode> = {
  host: 'host_unavailable',
  simulator: 'simulator_unavailable',
};

/**
 * A handler that passes the request on to the process of `kind` (found in the directory) and its answer back as it
 * is — status, JSON body and error codes — so a dashboard on any node gets what the owner answered. A request that
 * cannot reach it gets 503 with `host_unavailable` or `simulator_unavailable`.
 */
function forwardTo(directory: ClusterDirectory, kind: 'host' | 'simulator'): RequestHandler {
  return async (request: Request, response: Response) => {
    const unavailable = (why: string) =>
      new HttpError<IotErrorCode>(503, UNAVAILABLE[kind], `the ${kind} ${why}`);
    const target = await directory.find(kind);
    if (target === undefined) throw unavailable('has not started');
    const body = request.method === 'GET' ? undefined : JSON.stringify(request.body ?? {});
    let reply: globalThis.Response;
    try {
      reply = await fetch(new URL(request.originalUrl, target.url), {
        method: request.method,
        headers: { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body }),
        signal: AbortSignal.timeout(FORWARD_TIMEOUT_MS),
      });
    } catch {
      throw unavailable(`at ${target.url} does not answer`);
    }
    response.status(reply.status);
    const type = reply.headers.get('content-type');
    if (type !== null) response.type(type);
    response.send(Buffer.from(await reply.arrayBuffer()));
  };
}

/**
 * What a serving node cannot answer itself, passed on to the process that owns it: the acknowledge and the history
 * to the Sparkplug host (its alarm book and its SQLite history), the fault buttons and the counters to the simulator.
 * Also `GET /api/brokers`: every broker's MQTT address, for devices that connect over TCP.
 */
export function mountForwardedRoutes(routes: Router, directory: ClusterDirectory): void {
  routes.post('/api/alarms/:id/ack', forwardTo(directory, 'host'));
  routes.get('/api/history', forwardTo(directory, 'host'));
  routes.post('/api/faults', forwardTo(directory, 'simulator'));
  routes.get('/api/simulator', forwardTo(directory, 'simulator'));
  routes.get('/api/brokers', async (_request, response) => {
    const brokers = await directory.list('broker' satisfies ServiceKind);
    response.json({ ok: true, brokers: brokers.map(({ node, url }) => ({ node, url })) });
  });
}
