import { HttpError, sendHttpError } from '@twohop/app-kit';
import type { Router } from 'express';
import { fleetFaultSchema } from '../../domain/faults.js';
import { SimulatorError, type SimulatorHandle } from './forkSimulator.js';

/**
 * The simulator's routes, where it runs: `POST /api/faults` (the dashboard's fault buttons) and `GET /api/simulator`
 * (its counters), for the simulator `current()` returns. Without one (none runs, or it has not started yet) both
 * answer 409 `no_simulator`.
 */
export function mountSimulatorRoutes(routes: Router, current: () => SimulatorHandle | undefined): void {
  routes.post('/api/faults', async (request, response) => {
    const simulator = current();
    const parsed = fleetFaultSchema.safeParse(request.body);
    if (!parsed.success)
      return sendHttpError(
        response,
        new HttpError(400, 'invalid_fault', parsed.error.issues[0]?.message ?? 'bad fault'),
      );
    if (simulator === undefined)
      return sendHttpError(response, new HttpError(409, 'no_simulator', 'this app runs no device simulator'));
    try {
      await simulator.fault(parsed.data);
      response.status(204).end();
    } catch (error) {
      if (!(error instanceof SimulatorError)) throw error;
      sendHttpError(
        response,
        new HttpError(error.code === 'unknown_node' ? 404 : 503, error.code, error.message),
      );
    }
  });
  routes.get('/api/simulator', async (_request, response) => {
    const simulator = current();
    if (simulator === undefined)
      return sendHttpError(response, new HttpError(409, 'no_simulator', 'this app runs no device simulator'));
    response.json(await simulator.stats());
  });
}
