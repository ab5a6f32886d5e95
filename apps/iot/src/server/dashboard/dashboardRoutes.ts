import { HttpError } from '@twohop/app-kit';
import type { Router } from 'express';
import type { z } from 'zod';
import {
  acknowledgeSchema,
  historyQuerySchema,
  VIEW_ID,
  viewRequestSchema,
  type IotErrorCode,
} from '../../domain/dashboardWire.js';
import type { DashboardHub } from './DashboardHub.js';
import type { ViewRegistry } from './ViewRegistry.js';

/** Parses `input` with `schema`, or throws a 400 `invalid_request` naming the first problem. */
export function parseOr400<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue === undefined || issue.path.length === 0 ? '' : `${issue.path.join('.')}: `;
  throw new HttpError<IotErrorCode>(400, 'invalid_request', `${where}${issue?.message ?? 'invalid request'}`);
}

/**
 * The dashboard's HTTP routes, beside its SSE streams: the views' ({@link mountViewRoutes}) and the host's
 * ({@link mountHostRoutes}), on one server.
 */
export function mountDashboardRoutes(routes: Router, hub: DashboardHub): void {
  mountViewRoutes(routes, hub.views);
  mountHostRoutes(routes, hub);
}

/**
 * `PUT /api/views/:id` `{devices, rateMs?}` — the devices on screen (visible-only subscription), served by the node
 * that serves the dashboard's streams. A refusal is JSON `{error:{code,message}}` with a code of {@link IotErrorCode}.
 */
export function mountViewRoutes(routes: Router, views: ViewRegistry): void {
  routes.put('/api/views/:id', (request, response) => {
    const id = request.params['id'] ?? '';
    if (!VIEW_ID.test(id))
      throw new HttpError<IotErrorCode>(400, 'invalid_request', 'view ids are 8–64 letters, digits, _ or -');
    const body = parseOr400(viewRequestSchema, request.body);
    const changed = views.setVisible(id, body.devices, body.rateMs);
    response.json({ ok: true, stream: `view:${id}`, ...changed });
  });
}

/**
 * The routes answered where the Sparkplug host runs (the alarms' book and the history are its own):
 * - `POST /api/alarms/:id/ack` `{user}` — acknowledges an alarm, broadcast on the `alarms` stream;
 * - `GET /api/history?device&metric&from&to&intervalMs` — downsampled readings, avg/min/max per interval.
 * Every refusal is JSON `{error:{code,message}}` with a code of {@link IotErrorCode}.
 */
export function mountHostRoutes(routes: Router, hub: Pick<DashboardHub, 'alarms' | 'history'>): void {
  routes.post('/api/alarms/:id/ack', (request, response) => {
    const { user } = parseOr400(acknowledgeSchema, request.body);
    const result = hub.alarms.acknowledge(request.params['id'] ?? '', user);
    if (!result.ok)
      throw new HttpError<IotErrorCode>(404, 'unknown_alarm', 'no such alarm (it may have been dropped)');
    response.json({ ok: true, alarm: result.alarm });
  });

  routes.get('/api/history', (request, response) => {
    const history = hub.history;
    const query = parseOr400(historyQuerySchema, request.query);
    response.json({
      ok: true,
      intervalMs: query.intervalMs,
      points: history === undefined ? [] : history.query(query),
    });
  });
}
