/**
 * `pnpm start` for the IoT app: app-kit's `runApp` (PORT, HOST, TWOHOP_*, graceful shutdown) with the embedded MQTT
 * broker on MQTT_PORT (1883 + TWOHOP_PORT_OFFSET) — or TWOHOP_MQTT_URL — and a forked, seeded device simulator
 * (IOT_BUILDINGS × IOT_FLOORS × IOT_DEVICES_PER_FLOOR devices at IOT_RATE readings per second each). Downsampled
 * history is kept in IOT_DB (default data/iot.db beside the app) for IOT_HISTORY_HOURS.
 */
import { runApp } from '@twohop/app-kit';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { DEFAULT_FLEET } from '../domain/fleetLayout.js';
import { createIotServer } from './createIotServer.js';

const count = (fallback: number, max: number) => z.coerce.number().int().min(0).max(max).default(fallback);

await runApp({
  manifest: new URL('../../package.json', import.meta.url),
  settings: z.object({
    MQTT_PORT: z.coerce.number().int().min(0).max(65535).optional(),
    TWOHOP_MQTT_URL: z.url({ protocol: /^(mqtts?|wss?|tcp)$/ }).optional(),
    IOT_MQTT_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
    IOT_SIMULATOR: z.enum(['on', 'off']).default('on'),
    IOT_BUILDINGS: count(DEFAULT_FLEET.buildings, 100),
    IOT_FLOORS: count(DEFAULT_FLEET.floors, 200),
    IOT_DEVICES_PER_FLOOR: count(DEFAULT_FLEET.devicesPerFloor, 10_000),
    IOT_RATE: z.coerce.number().min(0.01).max(100).default(1),
    IOT_SEED: z.coerce.number().int().default(1),
    IOT_DB: z
      .string()
      .min(1)
      .default(fileURLToPath(new URL('../../data/iot.db', import.meta.url))),
    IOT_HISTORY_HOURS: z.coerce
      .number()
      .min(0.01)
      .max(24 * 365)
      .default(24),
  }),
  create: ({ config, settings }) => {
    if (settings.IOT_DB !== ':memory:') mkdirSync(dirname(settings.IOT_DB), { recursive: true });
    return createIotServer({
      runtime: config,
      mqttPort: settings.MQTT_PORT ?? 1883 + config.portOffset,
      mqttUrl: settings.TWOHOP_MQTT_URL,
      secret: settings.IOT_MQTT_SECRET ?? randomBytes(32).toString('hex'),
      simulator:
        settings.IOT_SIMULATOR === 'off'
          ? false
          : {
              size: {
                buildings: settings.IOT_BUILDINGS,
                floors: settings.IOT_FLOORS,
                devicesPerFloor: settings.IOT_DEVICES_PER_FLOOR,
              },
              seed: settings.IOT_SEED,
              ratePerDevice: settings.IOT_RATE,
            },
      history: { path: settings.IOT_DB, retentionMs: settings.IOT_HISTORY_HOURS * 3_600_000 },
      webRoot: fileURLToPath(new URL('../../dist/web/', import.meta.url)),
    });
  },
  describe: (server) =>
    `MQTT ${server.devices.mqttUrl}` +
    (server.devices.broker === undefined ? '' : ` and ws at /mqtt`) +
    (server.devices.simulator === undefined
      ? ''
      : `, ${server.devices.simulator.started.devices} simulated devices`),
});
