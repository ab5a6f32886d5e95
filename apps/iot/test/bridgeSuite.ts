/**
 * The bridge's guarantees over real MQTT, one suite run against every broker it must work with (the embedded aedes
 * and Debian's mosquitto), through a Sparkplug edge node written from the specification.
 */
import { waitFor } from '@twohop/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FleetState } from '../src/domain/FleetState.js';
import { fanOutSiteEvents, ignoreSiteEvents, type BridgeEvent } from '../src/domain/SiteEvents.js';
import { startMqttBridge, type MqttBridge } from '../src/server/bridge/MqttBridge.js';
import { specEdgeNode, type SpecEdgeNode } from './specEdgeNode.js';

/** A broker for one test, and the credentials to reach it. */
export interface TestBroker {
  /** Where the host connects. */
  readonly url: string;
  /** Where the edge nodes connect (another broker of the same cluster). @default url */
  readonly edgeUrl?: string;
  readonly host: { username: string; password: string };
  node(group: string, node: string): { username: string; password: string };
  close(): Promise<void>;
}

const GROUP = 'site';
const NODE = { group: GROUP, node: 'spec-1' };

export function bridgeSuite(name: string, startBroker: () => Promise<TestBroker>): void {
  describe(`the Sparkplug host over ${name}`, () => {
    let broker: TestBroker;
    let bridge: MqttBridge;
    let fleet: FleetState;
    let noticed: BridgeEvent[];
    const open: SpecEdgeNode[] = [];
    const kinds = () => noticed.map((event) => event.type);
    const temperature = (device: string) => fleet.device({ ...NODE, device })?.values.temperature?.value;
    const edgeNode = async (bdSeq: number) => {
      const edge = await specEdgeNode({
        url: broker.edgeUrl ?? broker.url,
        ...NODE,
        ...broker.node(GROUP, NODE.node),
        bdSeq,
      });
      open.push(edge);
      return edge;
    };

    beforeEach(async () => {
      broker = await startBroker();
      fleet = new FleetState();
      noticed = [];
      bridge = await startMqttBridge({
        url: broker.url,
        ...broker.host,
        hostId: 'twohop',
        events: fanOutSiteEvents(fleet, { ...ignoreSiteEvents, bridge: (event) => noticed.push(event) }),
        // Long enough that a reordered pair sent back to back never times out on a loaded machine; the gap tests
        // wait for the timeout by condition, not by a fixed sleep.
        reorderTimeoutMs: 1500,
      });
    });
    afterEach(async () => {
      for (const edge of open.splice(0)) if (edge.client.connected) await edge.end();
      await bridge.close();
      await broker.close();
    });

    it('sends NCMD Node Control/Rebirth to a node that skips a seq, and its new births replace its state', async () => {
      const edge = await edgeNode(0);
      await edge.nbirth(0);
      await edge.dbirth(1, 'd1', 20);
      await edge.ddata(2, 'd1', 21);
      await waitFor('the first reading', () => temperature('d1') === 21);
      await edge.ddata(4, 'd1', 99); // seq 3 never sent
      await waitFor('a rebirth command', () => edge.commands.length === 1);
      expect(edge.commands[0]).toContainEqual({ name: 'Node Control/Rebirth', value: true });
      expect(kinds()).toEqual(['gap', 'rebirth-requested']);
      expect(temperature('d1')).toBe(21); // seq 4 was never applied across the hole
      await edge.nbirth(0);
      await edge.dbirth(1, 'd1', 30);
      await edge.ddata(2, 'd1', 31);
      await waitFor('the state after the rebirth', () => temperature('d1') === 31);
    });

    it('ignores an NDEATH with a stale bdSeq, and takes the node offline on the current one', async () => {
      const edge = await edgeNode(5);
      await edge.nbirth(0);
      await edge.dbirth(1, 'd1', 20);
      await waitFor('the device', () => temperature('d1') === 20);
      await edge.ndeath(4);
      await waitFor('the stale death noticed', () => kinds().includes('stale-death-ignored'));
      expect(fleet.node(NODE)?.online).toBe(true);
      expect(fleet.device({ ...NODE, device: 'd1' })?.online).toBe(true);
      edge.cut(); // no DISCONNECT: the broker publishes the will, bdSeq 5
      await waitFor('the node offline', () => fleet.node(NODE)?.online === false);
      expect(fleet.device({ ...NODE, device: 'd1' })?.online).toBe(false);
    });

    it('a late will of the previous session does not take the reconnected node offline', async () => {
      const first = await edgeNode(1);
      await first.nbirth(0);
      await first.dbirth(1, 'd1', 20);
      await waitFor('the first session', () => temperature('d1') === 20);
      const second = await edgeNode(2);
      await second.nbirth(0);
      await second.dbirth(1, 'd1', 22);
      await waitFor('the second session', () => temperature('d1') === 22 && fleet.node(NODE)?.bdSeq === 2);
      first.cut(); // its will (bdSeq 1) arrives after the new birth
      await waitFor('the stale will noticed', () => kinds().includes('stale-death-ignored'));
      expect(bridge.host.isOnline(NODE)).toBe(true);
      expect(fleet.device({ ...NODE, device: 'd1' })?.online).toBe(true);
    });

    it('puts a reordered pair back in order with no rebirth', async () => {
      const edge = await edgeNode(0);
      await edge.nbirth(0);
      await edge.dbirth(1, 'd1', 20);
      await edge.ddata(3, 'd1', 23);
      await edge.ddata(2, 'd1', 22);
      await edge.ddata(4, 'd1', 24);
      await waitFor('the reordered readings applied', () => temperature('d1') === 24);
      expect(kinds()).toEqual(['reordered']);
      // Then a real hole: its rebirth is the only one, so the reordering above asked for none.
      await edge.ddata(6, 'd1', 26);
      await waitFor('a rebirth command', () => edge.commands.length === 1);
      expect(kinds()).toEqual(['reordered', 'gap', 'rebirth-requested']);
    });

    it('reports a payload that is not Sparkplug as malformed, and the node carries on', async () => {
      const edge = await edgeNode(0);
      await edge.nbirth(0);
      await edge.dbirth(1, 'd1', 20);
      await edge.client.publishAsync('spBv1.0/site/DDATA/spec-1/d1', Buffer.from([0xff, 0xff, 0xff, 0x07]));
      await edge.ddata(2, 'd1', 22);
      await waitFor('the next reading', () => temperature('d1') === 22);
      expect(noticed).toEqual([
        expect.objectContaining({ type: 'malformed', topic: 'spBv1.0/site/DDATA/spec-1/d1' }),
      ]);
      expect(edge.commands).toEqual([]);
    });

    it('asks a node it has no birth for (data first) to rebirth', async () => {
      const edge = await edgeNode(0);
      await edge.ddata(7, 'd1', 20);
      await waitFor('a rebirth command', () => edge.commands.length === 1);
      expect(noticed).toEqual([
        expect.objectContaining({ type: 'rebirth-requested', reason: 'unknown-node' }),
      ]);
    });
  });
}
