import { startApp } from '@twohop/app-kit';
import { waitFor } from '@twohop/testkit';
import { startMosquitto } from '@twohop/testkit/node';
import { connectAsync } from 'mqtt';
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ignoreSiteEvents, type BridgeEvent } from '../src/domain/SiteEvents.js';
import { createIotServer, type IotServer } from '../src/server/createIotServer.js';
import { converged } from '../scenarios/processes/convergence.js';

describe('the IoT app with its simulated fleet', () => {
  const noticed: BridgeEvent[] = [];
  let app: Awaited<ReturnType<typeof startApp<IotServer>>>;
  const post = (body: unknown) =>
    fetch(`${app.url}/api/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    app = await startApp(
      await createIotServer({
        events: { ...ignoreSiteEvents, bridge: (event) => noticed.push(event) },
        reorderTimeoutMs: 300,
        simulator: { size: { buildings: 1, floors: 2, devicesPerFloor: 6 }, seed: 5, ratePerDevice: 5 },
      }),
    );
    await waitFor(
      'every device born',
      () => [...app.server.fleet.devices()].filter((d) => d.online).length === 12,
    );
  });
  afterAll(() => app.close());

  it('answers bad faults with JSON error codes', async () => {
    const invalid = await post({ kind: 'explode', node: 'b1-f1' });
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({ error: { code: 'invalid_fault' } });
    const unknown = await post({ kind: 'lose', node: 'b9-f9' });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: 'unknown_node' } });
  });

  it('turns lost messages into a gap and a rebirth, and the fleet converges to the simulator', async () => {
    expect((await post({ kind: 'lose', node: 'b1-f2', count: 2 })).status).toBe(204);
    await waitFor('the node reborn', () => noticed.some((event) => event.type === 'rebirth-requested'));
    expect(noticed.map((event) => event.type)).toEqual(['gap', 'rebirth-requested']);
    const simulator = app.server.devices.simulator!;
    await simulator.pause(true);
    const truth = await simulator.truth();
    await waitFor('the fleet equal to the truth', () => converged(app.server.fleet.snapshot(), truth).ok);
    expect((await simulator.stats()).rebirths).toBe(1);
    await simulator.pause(false);
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    expect(metrics).toMatch(/iot_sparkplug_host_events_total\{[^}]*type="gap"[^}]*\} 1/);
    expect(metrics).toMatch(/iot_sparkplug_host_events_total\{[^}]*type="rebirth-requested"[^}]*\} 1/);
    expect(metrics).toMatch(/iot_nodes_online\{[^}]*\} 2/);
  });

  it('takes a node that dies without DISCONNECT offline, and back with the next bdSeq', async () => {
    const node = { group: 'site', node: 'b1-f1' };
    const bdSeq = app.server.fleet.node(node)!.bdSeq;
    expect((await post({ kind: 'die', node: 'b1-f1' })).status).toBe(204);
    await waitFor('the node offline', () => app.server.fleet.node(node)?.online === false);
    expect([...app.server.fleet.node(node)!.devices.values()].every((device) => !device.online)).toBe(true);
    expect((await post({ kind: 'reconnect', node: 'b1-f1' })).status).toBe(204);
    await waitFor('the node back', () => app.server.fleet.node(node)?.online === true);
    expect(app.server.fleet.node(node)!.bdSeq).toBe(bdSeq + 1);
  });

  it('serves MQTT over WebSocket at /mqtt on the app’s own port', async () => {
    const { credentials } = app.server.devices;
    const client = await connectAsync(`${app.url.replace('http', 'ws')}/mqtt`, {
      reconnectPeriod: 0,
      username: credentials.hostUsername,
      password: credentials.hostPassword,
    });
    const heard: string[] = [];
    client.on('message', (topic) => heard.push(topic));
    await client.subscribeAsync('spBv1.0/site/DDATA/#');
    await waitFor('live data over WebSocket', () => heard.length > 0);
    await client.endAsync();
  });
});

describe('the IoT process (pnpm start)', () => {
  const main = fileURLToPath(new URL('../src/server/main.ts', import.meta.url));
  /** Runs main.ts with `env` until it is listening; returns its output so far and a SIGTERM that awaits the exit. */
  async function run(env: Record<string, string>) {
    const child = spawn(process.execPath, ['--import', 'tsx', main], {
      env: { ...process.env, PORT: '0', TWOHOP_LOG_FORMAT: 'json', IOT_DEVICES_PER_FLOOR: '3', ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let output = '';
    await new Promise<void>((resolve) =>
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('listening on')) resolve();
      }),
    );
    return {
      output: () => output,
      stop: async () => {
        child.kill('SIGTERM');
        return exited;
      },
    };
  }

  it('starts the broker and the simulator, and on SIGTERM stops both and exits 0', async () => {
    const app = await run({ MQTT_PORT: '0' });
    expect(app.output()).toMatch(/MQTT mqtt:\/\/127\.0\.0\.1:\d+ and ws at \/mqtt, 24 simulated devices/);
    expect(await app.stop()).toBe(0);
    expect(app.output()).toContain('stopped');
  }, 30_000);

  it('keeps the history in IOT_DB, and on SIGTERM stores the intervals still open', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'iot-history-'));
    try {
      const file = join(dir, 'iot.db');
      const app = await run({ MQTT_PORT: '0', IOT_DB: file, IOT_RATE: '5' });
      const url = /listening on (http:\/\/[\d.]+:\d+)/.exec(app.output())![1]!;
      await waitFor('readings reaching the host', async () => {
        const metrics = await (await fetch(`${url}/metrics`)).text();
        return Number(/^iot_readings_total(?:\{[^}]*\})? (\d+)/m.exec(metrics)?.[1] ?? 0) > 0;
      });
      // Well inside the history's first 10-second interval: only the flush on stop can have written these rows.
      expect(await app.stop()).toBe(0);
      const db = new Database(file, { readonly: true });
      const { rows } = db.prepare('SELECT COUNT(*) AS rows FROM readings').get() as { rows: number };
      db.close();
      expect(rows).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it('uses the broker TWOHOP_MQTT_URL names instead of its own', async () => {
    await using mosquitto = await startMosquitto();
    const app = await run({ TWOHOP_MQTT_URL: mosquitto.url });
    expect(app.output()).toContain(`MQTT ${mosquitto.url}, 24 simulated devices`);
    expect(await app.stop()).toBe(0);
  }, 30_000);
});
