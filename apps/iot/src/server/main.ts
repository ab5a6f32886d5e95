/**
 * `pnpm start` for the IoT app: app-kit's `runApp` (PORT, HOST, TWOHOP_*, graceful shutdown) with the embedded MQTT
 * broker on MQTT_PORT (1883 + TWOHOP_PORT_OFFSET) — or TWOHOP_MQTT_URL — and a forked, seeded device simulator
 * (IOT_BUILDINGS × IOT_FLOORS × IOT_DEVICES_PER_FLOOR devices at IOT_RATE readings per second each). Downsampled
 * history is kept in IOT_DB (default data/iot.db beside the app; data/iot-cluster.db for a cluster's host) for
 * IOT_HISTORY_HOURS.
 *
 * With TWOHOP_REDIS_URL it is one process of a cluster, IOT_ROLE saying which: the Sparkplug `host` (once), a
 * serving `node` (any number; its broker's MQTT TCP port is MQTT_PORT, default a free one), or the `simulator`
 * (once). IOT_ADVERTISE_HOST is the name the others reach it by; IOT_BROKER_HEARTBEAT_MS the brokers' heartbeat.
 */
import { runApp } from '@twohop/app-kit';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { DEFAULT_FLEET } from '../domain/fleetLayout.js';
import { createIotNode, IOT_ROLES, type IotNode } from './cluster/createIotNode.js';
import { createIotServer, type IotServer } from './createIotServer.js';

const count = (fallback: number, max: number) => z.coerce.number().int().min(0).max(max).default(fallback);

await runApp({
  manifest: new URL('../../package.json', import.meta.url),
  modes: ['embedded', 'redis'],
  settings: z
    .object({
      MQTT_PORT: z.coerce.number().int().min(0).max(65535).optional(),
      TWOHOP_MQTT_URL: z.url({ protocol: /^(mqtts?|wss?|tcp)$/ }).optional(),
      IOT_MQTT_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
      IOT_SIMULATOR: z.enum(['on', 'off']).default('on'),
      IOT_BUILDINGS: count(DEFAULT_FLEET.buildings, 100),
      IOT_FLOORS: count(DEFAULT_FLEET.floors, 200),
      IOT_DEVICES_PER_FLOOR: count(DEFAULT_FLEET.devicesPerFloor, 10_000),
      IOT_RATE: z.coerce.number().min(0.01).max(100).default(1),
      IOT_SEED: z.coerce.number().int().default(1),
      IOT_DB: z.string().min(1).optional(),
      IOT_HISTORY_HOURS: z.coerce
        .number()
        .min(0.01)
        .max(24 * 365)
        .default(24),
      TWOHOP_REDIS_URL: z.string().optional(),
      IOT_ROLE: z.enum(IOT_ROLES, { error: 'must be host, node or simulator' }).optional(),
      IOT_ADVERTISE_HOST: z.string().min(1).default('127.0.0.1'),
      IOT_BROKER_HEARTBEAT_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
    })
    .refine((env) => (env.IOT_ROLE !== undefined) === (env.TWOHOP_REDIS_URL !== undefined), {
      path: ['IOT_ROLE'],
      message: 'the redis mode needs IOT_ROLE (host, node or simulator), and IOT_ROLE needs the redis mode',
    }),
  create: ({ config, settings, bus, logger }): Promise<IotServer | IotNode> => {
    const fleet = {
      size: {
        buildings: settings.IOT_BUILDINGS,
        floors: settings.IOT_FLOORS,
        devicesPerFloor: settings.IOT_DEVICES_PER_FLOOR,
      },
      seed: settings.IOT_SEED,
      ratePerDevice: settings.IOT_RATE,
    };
    const clustered = config.redisUrl !== undefined;
    const db =
      settings.IOT_DB ??
      fileURLToPath(new URL(`../../data/${clustered ? 'iot-cluster' : 'iot'}.db`, import.meta.url));
    const history = { path: db, retentionMs: settings.IOT_HISTORY_HOURS * 3_600_000 };
    if (db !== ':memory:' && settings.IOT_ROLE !== 'node' && settings.IOT_ROLE !== 'simulator')
      mkdirSync(dirname(db), { recursive: true });
    if (clustered && config.redisUrl !== undefined && settings.IOT_ROLE !== undefined) {
      return createIotNode({
        role: settings.IOT_ROLE,
        bus,
        redisUrl: config.redisUrl,
        runtime: config,
        webRoot: fileURLToPath(new URL('../../dist/web/', import.meta.url)),
        mqttPort: settings.MQTT_PORT ?? 0,
        advertiseHost: settings.IOT_ADVERTISE_HOST,
        brokerHeartbeatMs: settings.IOT_BROKER_HEARTBEAT_MS,
        simulator: fleet,
        history,
        onBusError: (error) => logger.warn(`bus: ${(error as Error).message}`),
        ...(settings.IOT_MQTT_SECRET === undefined ? {} : { secret: settings.IOT_MQTT_SECRET }),
      });
    }
    return createIotServer({
      runtime: config,
      mqttPort: settings.MQTT_PORT ?? 1883 + config.portOffset,
      mqttUrl: settings.TWOHOP_MQTT_URL,
      secret: settings.IOT_MQTT_SECRET ?? randomBytes(32).toString('hex'),
      simulator: settings.IOT_SIMULATOR === 'off' ? false : fleet,
      history,
      webRoot: fileURLToPath(new URL('../../dist/web/', import.meta.url)),
    });
  },
  describe: (server) =>
    'role' in server
      ? describeNode(server)
      : `MQTT ${server.devices.mqttUrl}` +
        (server.devices.broker === undefined ? '' : ` and ws at /mqtt`) +
        (server.devices.simulator === undefined
          ? ''
          : `, ${server.devices.simulator.started.devices} simulated devices`),
});

function describeNode(node: IotNode): string {
  if (node.serving !== undefined)
    return `node: MQTT ${node.serving.broker.url ?? 'none'} and ws at /mqtt, dashboards from the bus`;
  if (node.simulator !== undefined) return 'simulator: the fleet starts once a node announces its broker';
  return 'host: the Sparkplug host, publishing to the bus';
}
