/**
 * The IoT app on several nodes sharing one real `redis-server`: the host and two serving nodes (three brokers), as
 * separate processes would run them. Each reading is processed once, whichever broker its node is on; dashboards
 * on a node that is not the host get the streams, the views, the acknowledge and the history.
 */
import { waitFor } from '@twohop/testkit';
import { describe, expect, it } from 'vitest';
import type { Alarm } from '../src/domain/alarms/alarmTypes.js';
import type { HistoryPoint, SiteTree } from '../src/domain/dashboardWire.js';
import { ScriptedFleet } from './scriptedFleet.js';
import { specEdgeNode } from './specEdgeNode.js';
import { startCluster } from './startCluster.js';

const DEVICE = 'site/spec-1/d1';

describe('the IoT app on several nodes (redis mode)', () => {
  it('processes each reading once with three brokers: once in the streams of every node, once in the history', async () => {
    await using cluster = await startCluster(2);
    const [a, b] = cluster.nodes as [(typeof cluster.nodes)[0], (typeof cluster.nodes)[0]];
    // What node B's dashboards are sent: every reading of the device, and every change of its alarms.
    const readings: number[] = [];
    const alarmChanges: Alarm[] = [];
    b.server.serving!.mirrors.devices.mirror.subscribe((event) => {
      if (event.type !== 'delta') return;
      for (const change of event.data)
        if (change.op === 'set' && change.key === DEVICE) readings.push(change.value.values['temperature']!);
    });
    b.server.serving!.mirrors.alarms.mirror.subscribe((event) => {
      if (event.type !== 'delta') return;
      for (const change of event.data) if (change.op === 'set') alarmChanges.push(change.value);
    });

    // The edge node is on node A's broker; the host's bridge is on its own.
    const edge = await specEdgeNode({
      url: a.server.serving!.broker.url!,
      group: 'site',
      node: 'spec-1',
      username: cluster.credentials.nodeUsername('site', 'spec-1'),
      password: cluster.credentials.nodePassword('site', 'spec-1'),
    });
    await edge.nbirth(0);
    await edge.dbirth(1, 'd1', 20);
    const values = [21, 22, 41, 42, 24, 23, 25, 26, 27, 28];
    for (const [i, value] of values.entries()) await edge.ddata(2 + i, 'd1', value);
    await waitFor('the last reading on node B', () => readings.at(-1) === 28);
    await edge.end();

    expect(readings).toEqual([20, ...values]);
    const highs = alarmChanges.filter(
      (alarm) => alarm.originator === DEVICE && alarm.type === 'Temperature high',
    );
    expect(highs.map((alarm) => alarm.status)).toEqual(['ACTIVE_UNACK', 'CLEARED_UNACK']);
    expect(highs[0]!.severity).toBe('CRITICAL');

    // The history is the host's; node A forwards the query to it.
    cluster.host.server.host!.hub.flushHistory();
    const now = Date.now();
    const query = new URLSearchParams({
      device: DEVICE,
      metric: 'temperature',
      from: String(now - 3_600_000),
      to: String(now + 3_600_000),
      intervalMs: String(3_600_000),
    });
    const reply = await fetch(`${a.url}/api/history?${query.toString()}`);
    expect(reply.status).toBe(200);
    const { points } = (await reply.json()) as { points: HistoryPoint[] };
    expect(points.reduce((sum, point) => sum + point.n, 0)).toBe(1 + values.length);
  });

  it('serves dashboards on nodes that are not the host: streams, views, acknowledge from any node, history', async () => {
    await using cluster = await startCluster(2);
    const [a, b] = cluster.nodes as [(typeof cluster.nodes)[0], (typeof cluster.nodes)[0]];
    const hub = cluster.host.server.host!.hub;
    const fleet = new ScriptedFleet(hub, { size: { buildings: 1, floors: 2, devicesPerFloor: 3 }, seed: 7 });
    fleet.birth();
    const onA = cluster.session(a, { rateMs: 100 });
    const onB = cluster.session(b);
    const site = () => onA.streams.site.replica.state as SiteTree;
    await waitFor('the site tree on A', () => onA.streams.site.replica.status === 'live');
    await waitFor(
      'both nodes in it',
      () => Object.keys(site().buildings?.['b1']?.floors?.['f2']?.nodes ?? {}).length === 1,
    );

    // A visible-only view, computed on A from its mirror of the devices.
    const [shown, other] = fleet.devices;
    onA.setVisible([shown!]);
    await waitFor('the shown device', () => onA.streams.view.replica.state.has(shown!));
    fleet.set(shown!, 'temperature', 22.5);
    await waitFor(
      'its reading',
      () => onA.streams.view.replica.state.get(shown!)?.values['temperature'] === 22.5,
    );
    expect(onA.streams.view.replica.state.has(other!)).toBe(false);

    // An alarm on both nodes; acknowledged on B, the acknowledge reaches A through the host.
    fleet.set(shown!, 'temperature', 41);
    const alarmOf = (session: typeof onA) =>
      [...session.streams.alarms.replica.state.values()].find((alarm) => alarm.originator === shown);
    await waitFor('the alarm on both', () => alarmOf(onA) !== undefined && alarmOf(onB) !== undefined);
    const acknowledged = await onB.acknowledge(alarmOf(onB)!.id, 'ana');
    expect(acknowledged).toMatchObject({ status: 'ACTIVE_ACK', ackBy: 'ana' });
    await waitFor('the acknowledge on A', () => alarmOf(onA)?.status === 'ACTIVE_ACK');
    await expect(onA.acknowledge('a999', 'ana')).rejects.toMatchObject({
      status: 404,
      code: 'unknown_alarm',
    });

    // A bad history query is refused by the host, with its own code, through the node.
    const bad = await fetch(`${b.url}/api/history?device=x&metric=temperature&from=5&to=1&intervalMs=1000`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'invalid_request' } });
    const brokers = (await (await fetch(`${a.url}/api/brokers`)).json()) as { brokers: { url: string }[] };
    expect(brokers.brokers.map((broker) => broker.url).sort()).toEqual(
      [a.server.serving!.broker.url, b.server.serving!.broker.url].sort(),
    );
  });

  it('answers 503 host_unavailable for what only the host can answer while it is gone, and keeps serving', async () => {
    await using cluster = await startCluster(1);
    const [a] = cluster.nodes;
    const hub = cluster.host.server.host!.hub;
    new ScriptedFleet(hub, { size: { buildings: 1, floors: 1, devicesPerFloor: 2 }, seed: 3 }).birth();
    await cluster.host.server.host!.flushed();
    await cluster.host.close();
    const reply = await fetch(`${a!.url}/api/alarms/a1/ack`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: 'ana' }),
    });
    expect(reply.status).toBe(503);
    expect(await reply.json()).toMatchObject({ error: { code: 'host_unavailable' } });
    const simulator = await fetch(`${a!.url}/api/simulator`);
    expect(await simulator.json()).toMatchObject({ error: { code: 'simulator_unavailable' } });
    // The node still serves what it mirrored.
    const session = cluster.session(a!);
    await waitFor('the site tree', () => session.streams.site.replica.status === 'live');
    expect(Object.keys((session.streams.site.replica.state as SiteTree).buildings ?? {})).toEqual(['b1']);
  });
});
