/**
 * The device simulator's process: the app's main forks it (so the fleet shares no event loop with the broker and
 * the host, as real devices would not), with its options as one JSON argument. It answers requests over IPC —
 * faults, pause, truth, stats — and ends its nodes cleanly on SIGTERM or when the app goes away.
 */
import { fleetFaultSchema } from '../domain/faults.js';
import { fleetLayout } from '../domain/fleetLayout.js';
import type { SimulatorProcessOptions, SimulatorReply, SimulatorRequest } from './edgeTypes.js';
import { FleetSimulator } from './FleetSimulator.js';

const options = JSON.parse(process.argv[2] ?? '{}') as SimulatorProcessOptions;
const simulator = new FleetSimulator({
  url: options.url,
  layout: fleetLayout(options.size, options.group),
  credentials: (node) => options.credentials[node] ?? { username: node, password: '' },
  seed: options.seed,
  ratePerDevice: options.ratePerDevice,
});
const reply = (message: SimulatorReply) => process.send?.(message);

async function answer(request: SimulatorRequest): Promise<unknown> {
  switch (request.type) {
    case 'fault':
      return simulator.fault(fleetFaultSchema.parse(request.fault));
    case 'pause':
      return simulator.pause(request.paused);
    case 'brokers':
      return simulator.setBrokers(request.urls);
    case 'truth':
      return simulator.truth();
    case 'stats':
      return simulator.stats();
    case 'ended-sessions':
      return simulator.endedSessions();
  }
}

process.on('message', (request: SimulatorRequest) => {
  answer(request).then(
    (result) => reply({ id: request.id, ok: true, result }),
    (error: Error & { code?: string }) =>
      reply({
        id: request.id,
        ok: false,
        error: { code: error.code ?? 'simulator_error', message: error.message },
      }),
  );
});

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  void simulator.close().finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.on('disconnect', stop);

await simulator.start();
reply({ type: 'ready', stats: simulator.stats() });
