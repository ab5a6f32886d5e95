import { waitFor } from '@twohop/testkit';
import { describe, expect, it } from 'vitest';
import type { SiteTree } from '../src/domain/dashboardWire.js';
import { startDashboard } from './startDashboard.js';

/** A reply's status and JSON body (its shape is what the assertions check). */
const json = async (response: Response) => ({
  status: response.status,
  body: (await response.json()) as { points?: unknown[] },
});

describe('the IoT dashboard over SSE', () => {
  it('serves the site tree with its nodes, devices and aggregates, as JSON Patch deltas', async () => {
    await using app = await startDashboard();
    const dashboard = app.session();
    const site = () => dashboard.streams.site.replica.state as SiteTree;
    await waitFor('the site snapshot', () => dashboard.streams.site.replica.status === 'live');
    const floor = site().buildings?.['b1']?.floors?.['f1'];
    expect(floor?.nodes?.['site/b1-f1']).toMatchObject({ online: true, births: 1, gaps: 0 });
    expect(Object.keys(floor?.nodes?.['site/b1-f1']?.devices ?? {})).toHaveLength(6);

    app.fleet.step();
    app.server.hub.tick(Date.now() + 10_000);
    await waitFor(
      'the floor aggregate',
      () => site().buildings?.['b1']?.floors?.['f1']?.agg?.['temperature'] !== undefined,
    );
    const aggregate = site().buildings!['b1']!.floors!['f1']!.agg!['temperature']!;
    expect(aggregate.min).toBeLessThanOrEqual(aggregate.mean);
    expect(aggregate.mean).toBeLessThanOrEqual(aggregate.max);
    expect(site().buildings?.['b1']?.agg?.['temperature']?.n).toBeGreaterThan(aggregate.n);
  });

  it('sends a dashboard the readings of the devices it shows, and no others', async () => {
    await using app = await startDashboard();
    const dashboard = app.session({ rateMs: 100 });
    const [shown, other] = app.fleet.devices;
    dashboard.setVisible([shown!]);
    await waitFor('the shown device', () => dashboard.streams.view.replica.state.has(shown!));
    app.fleet.step();
    app.fleet.set(shown!, 'temperature', 22.5);
    await waitFor(
      'its new reading',
      () => dashboard.streams.view.replica.state.get(shown!)?.values['temperature'] === 22.5,
    );
    expect(dashboard.streams.view.replica.state.has(other!)).toBe(false);

    // Scrolling on: the old device leaves the view's state, the new one enters with its latest reading.
    dashboard.setVisible([other!]);
    await waitFor(
      'the swap',
      () =>
        dashboard.streams.view.replica.state.has(other!) && !dashboard.streams.view.replica.state.has(shown!),
    );
  });

  it('raises an alarm, and an acknowledge from one dashboard reaches every dashboard', async () => {
    await using app = await startDashboard();
    const [first, second] = [app.session(), app.session()];
    const device = app.fleet.devices[0]!;
    app.fleet.set(device, 'temperature', 41);
    const alarmOf = (dashboard: typeof first) =>
      [...dashboard.streams.alarms.replica.state.values()].find((a) => a.originator === device);
    await waitFor(
      'the alarm on both',
      () => alarmOf(first)?.severity === 'CRITICAL' && alarmOf(second) !== undefined,
    );
    expect(alarmOf(second)).toMatchObject({ type: 'Temperature high', status: 'ACTIVE_UNACK' });

    const acknowledged = await first.acknowledge(alarmOf(first)!.id, 'ana');
    expect(acknowledged).toMatchObject({ status: 'ACTIVE_ACK', ackBy: 'ana' });
    await waitFor('the acknowledge on the other', () => alarmOf(second)?.status === 'ACTIVE_ACK');

    // The reading falls inside the hysteresis band: still active; below it: cleared, acknowledged.
    app.fleet.set(device, 'temperature', 30);
    app.fleet.set(device, 'temperature', 24);
    await waitFor('the clear', () => alarmOf(second)?.status === 'CLEARED_ACK');
    await expect(first.acknowledge('a999', 'ana')).rejects.toMatchObject({
      status: 404,
      code: 'unknown_alarm',
    });
  });

  it('greys out a dead node at once: its devices go offline and a Node offline alarm is raised', async () => {
    await using app = await startDashboard();
    const dashboard = app.session();
    const device = app.fleet.devices[0]!;
    dashboard.setVisible([device]);
    await waitFor(
      'the device online',
      () => dashboard.streams.view.replica.state.get(device)?.online === true,
    );
    app.fleet.kill('b1-f1');
    await waitFor(
      'the device offline',
      () => dashboard.streams.view.replica.state.get(device)?.online === false,
    );
    await waitFor('the node alarm', () =>
      [...dashboard.streams.alarms.replica.state.values()].some(
        (a) => a.originator === 'site/b1-f1' && a.type === 'Node offline',
      ),
    );
  });

  it('keeps downsampled history and answers it per interval with avg/min/max; bad queries get JSON errors', async () => {
    await using app = await startDashboard({ historyMs: 1000 });
    const device = app.fleet.devices[0]!;
    const t0 = Math.floor(Date.now() / 4000) * 4000 - 60_000;
    app.server.hub.tick(t0);
    for (const [offset, value] of [
      [100, 20],
      [600, 22],
      [1500, 30],
    ] as const) {
      app.server.hub.readings({
        device: { group: 'site', node: 'b1-f1', device: device.split('/')[2]! },
        readings: [{ metric: 'temperature', value, ts: t0 + offset }],
        ts: t0 + offset,
      });
    }
    app.server.hub.tick(t0 + 5000);
    const query = `device=${encodeURIComponent(device)}&metric=temperature&from=${t0}&to=${t0 + 4000}`;
    const perSecond = await json(await fetch(`${app.url}/api/history?${query}&intervalMs=1000`));
    expect(perSecond.body.points).toEqual([
      { t: t0, avg: 21, min: 20, max: 22, n: 2 },
      { t: t0 + 1000, avg: 30, min: 30, max: 30, n: 1 },
    ]);
    const coarse = await json(await fetch(`${app.url}/api/history?${query}&intervalMs=4000`));
    expect(coarse.body.points).toEqual([{ t: t0, avg: 24, min: 20, max: 30, n: 3 }]);

    const bad = await json(
      await fetch(`${app.url}/api/history?device=x&metric=temperature&from=5&to=1&intervalMs=1000`),
    );
    expect(bad).toMatchObject({ status: 400, body: { error: { code: 'invalid_request' } } });
  });

  it('refuses bad view requests with JSON errors and keeps serving', async () => {
    await using app = await startDashboard();
    const put = (id: string, body: unknown) =>
      fetch(`${app.url}/api/views/${id}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then(json);
    expect(await put('short', { devices: [] })).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_request' } },
    });
    const tooMany = Array.from({ length: 501 }, (_, i) => `site/n/d${i}`);
    expect(await put('view-abcdefgh', { devices: tooMany })).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_request' } },
    });
    expect(await put('view-abcdefgh', { devices: ['../etc'] })).toMatchObject({ status: 400 });
    expect(await put('view-abcdefgh', { devices: [], extra: 1 })).toMatchObject({ status: 400 });
    expect(await put('view-abcdefgh', { devices: [app.fleet.devices[0]] })).toMatchObject({
      status: 200,
      body: { entered: 1 },
    });
    const unknown = await fetch(`${app.url}/api/sse?stream=view:x`);
    expect(unknown.status).toBe(404);
    expect(
      await json(
        await fetch(`${app.url}/api/faults`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"kind":"die","node":"b1-f1"}',
        }),
      ),
    ).toMatchObject({
      status: 409,
      body: { error: { code: 'no_simulator' } },
    });
  });
});
