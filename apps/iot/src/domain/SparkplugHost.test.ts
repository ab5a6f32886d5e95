import { ManualClock } from '@twohop/sequence';
import { describe, expect, it } from 'vitest';
import { FleetState } from './FleetState.js';
import { fanOutSiteEvents, ignoreSiteEvents, type BridgeEvent } from './SiteEvents.js';
import { SparkplugHost } from './SparkplugHost.js';
import type { NodeAddress } from './site.js';
import type { SparkplugPayload } from './sparkplugPayload.js';
import { parseSparkplugTopic } from './sparkplugTopic.js';

const NODE: NodeAddress = { group: 'site', node: 'b1-f1' };

/** A host on a manual clock, with what it accepted (a FleetState), what it noticed and the commands it sent. */
function harness(options: { reorderTimeoutMs?: number } = {}) {
  const clock = new ManualClock();
  const fleet = new FleetState();
  const noticed: BridgeEvent[] = [];
  const commands: Array<{ node: NodeAddress; payload: SparkplugPayload }> = [];
  const host = new SparkplugHost({
    events: fanOutSiteEvents(fleet, { ...ignoreSiteEvents, bridge: (event) => noticed.push(event) }),
    sendNodeCommand: (node, payload) => commands.push({ node, payload }),
    clock,
    now: () => 1_700_000_000_000 + clock.now(),
    reorderTimeoutMs: options.reorderTimeoutMs ?? 1000,
  });
  const send = (topic: string, payload: SparkplugPayload) =>
    host.receive(parseSparkplugTopic(topic)!, payload);
  const nbirth = (seq: number, bdSeq: number) =>
    send('spBv1.0/site/NBIRTH/b1-f1', {
      seq,
      timestamp: 1,
      metrics: [
        { name: 'bdSeq', type: 'UInt64', value: bdSeq },
        { name: 'Node Control/Rebirth', type: 'Boolean', value: false },
        { name: 'Site/Building', type: 'String', value: 'b1' },
        { name: 'Site/Floor', type: 'String', value: 'f1' },
      ],
    });
  const dbirth = (seq: number, device: string, temperature: number) =>
    send(`spBv1.0/site/DBIRTH/b1-f1/${device}`, {
      seq,
      timestamp: 2,
      metrics: [{ name: 'Sensors/Temperature', alias: 1, type: 'Double', value: temperature }],
    });
  const ddata = (seq: number, device: string, temperature: number) =>
    send(`spBv1.0/site/DDATA/b1-f1/${device}`, {
      seq,
      timestamp: 3,
      metrics: [{ alias: 1, type: 'Double', value: temperature }],
    });
  const ndeath = (bdSeq: number) =>
    send('spBv1.0/site/NDEATH/b1-f1', { metrics: [{ name: 'bdSeq', type: 'UInt64', value: bdSeq }] });
  const temperature = (device: string) => fleet.device({ ...NODE, device })?.values.temperature?.value;
  const kinds = () => noticed.map((event) => event.type);
  return { clock, fleet, host, noticed, commands, nbirth, dbirth, ddata, ndeath, temperature, kinds };
}

describe('SparkplugHost', () => {
  it('applies births and data in seq order, data by alias, and places the node from its Site metrics', () => {
    const h = harness();
    h.nbirth(0, 0);
    h.dbirth(1, 'd1', 20);
    h.ddata(2, 'd1', 21);
    expect(h.temperature('d1')).toBe(21);
    expect(h.fleet.node(NODE)?.placement).toEqual({ building: 'b1', floor: 'f1' });
    expect(h.commands).toEqual([]);
  });

  it('wraps from 255 to 0 without a gap', () => {
    const h = harness();
    h.nbirth(254, 0);
    h.dbirth(255, 'd1', 20);
    h.ddata(0, 'd1', 22);
    h.ddata(1, 'd1', 23);
    expect(h.temperature('d1')).toBe(23);
    expect(h.kinds()).toEqual([]);
  });

  it('puts an arrival back in order inside the reorder window, with no rebirth', () => {
    const h = harness();
    h.nbirth(0, 0);
    h.dbirth(1, 'd1', 20);
    h.ddata(3, 'd1', 23);
    h.clock.advance(999);
    h.ddata(2, 'd1', 22);
    expect(h.temperature('d1')).toBe(23);
    h.clock.advance(5000);
    expect(h.kinds()).toEqual(['reordered']);
    expect(h.commands).toEqual([]);
  });

  it('asks for a rebirth when a hole outlives the window, and the new births replace the state', () => {
    const h = harness();
    h.nbirth(0, 0);
    h.dbirth(1, 'd1', 20);
    h.ddata(3, 'd1', 23);
    h.clock.advance(1000);
    expect(h.kinds()).toEqual(['gap', 'rebirth-requested']);
    expect(h.noticed[0]).toMatchObject({ expected: 2, received: 3, reason: 'timeout' });
    expect(h.commands).toEqual([
      {
        node: NODE,
        payload: expect.objectContaining({
          metrics: [expect.objectContaining({ name: 'Node Control/Rebirth', value: true })],
        }),
      },
    ]);
    // Nothing is applied across the hole: seq 3 waited and was dropped, later data too.
    expect(h.temperature('d1')).toBe(20);
    h.ddata(4, 'd1', 24);
    expect(h.temperature('d1')).toBe(20);
    // The rebirth: a new NBIRTH at any seq (same bdSeq, same session), then the DBIRTHs.
    h.nbirth(9, 0);
    expect(h.fleet.device({ ...NODE, device: 'd1' })?.online).toBe(false);
    h.dbirth(10, 'd1', 25);
    h.ddata(11, 'd1', 26);
    expect(h.temperature('d1')).toBe(26);
    expect(h.fleet.device({ ...NODE, device: 'd1' })?.online).toBe(true);
  });

  it('asks an unknown node for a rebirth, once per retry interval', () => {
    const h = harness();
    h.ddata(5, 'd1', 20);
    h.ddata(6, 'd1', 21);
    expect(h.commands).toHaveLength(1);
    expect(h.noticed).toEqual([
      expect.objectContaining({ type: 'rebirth-requested', reason: 'unknown-node' }),
    ]);
    h.clock.advance(5000);
    h.ddata(7, 'd1', 21);
    expect(h.commands).toHaveLength(2);
  });

  it('asks for a rebirth when data comes from a device with no birth', () => {
    const h = harness();
    h.nbirth(0, 0);
    h.ddata(1, 'd9', 20);
    expect(h.noticed).toEqual([
      expect.objectContaining({ type: 'rebirth-requested', reason: 'unknown-device' }),
    ]);
  });

  it('ignores an NDEATH whose bdSeq is not the live one, and takes the node offline at a current one', () => {
    const h = harness();
    h.nbirth(0, 4);
    h.dbirth(1, 'd1', 20);
    h.ndeath(3);
    expect(h.fleet.node(NODE)?.online).toBe(true);
    expect(h.fleet.device({ ...NODE, device: 'd1' })?.online).toBe(true);
    expect(h.noticed).toEqual([
      expect.objectContaining({ type: 'stale-death-ignored', bdSeq: 3, current: 4 }),
    ]);
    h.ndeath(4);
    expect(h.fleet.node(NODE)?.online).toBe(false);
    expect(h.fleet.device({ ...NODE, device: 'd1' })?.online).toBe(false);
    expect(h.host.isOnline(NODE)).toBe(false);
  });

  it('takes every node offline when the host loses the broker, and asks for births after', () => {
    const h = harness();
    h.nbirth(0, 1);
    h.dbirth(1, 'd1', 20);
    h.host.disconnected();
    expect(h.fleet.node(NODE)?.online).toBe(false);
    h.ddata(2, 'd1', 21);
    expect(h.kinds()).toEqual(['rebirth-requested']);
  });

  it('reports a message without a seq or bdSeq as malformed and changes nothing', () => {
    const h = harness();
    h.host.receive(parseSparkplugTopic('spBv1.0/site/NBIRTH/b1-f1')!, { metrics: [] });
    h.nbirth(0, 0);
    h.host.receive(parseSparkplugTopic('spBv1.0/site/DDATA/b1-f1/d1')!, { metrics: [] });
    h.host.receive(parseSparkplugTopic('spBv1.0/site/DDATA/b1-f1/d1')!, { seq: 300, metrics: [] });
    expect(h.kinds()).toEqual(['malformed', 'malformed', 'malformed']);
    expect(h.fleet.node(NODE)?.online).toBe(true);
  });
});
