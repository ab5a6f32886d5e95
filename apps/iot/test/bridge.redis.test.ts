/**
 * aedes on several nodes as one broker through Redis (mqemitter-redis between brokers, aedes-persistence-redis for
 * retained messages, sessions and wills): the whole bridge suite with the host on one broker and the edge nodes on
 * another; a retained host STATE seen from another broker; the wills of a broker that was SIGKILLed.
 */
import { waitFor } from '@twohop/testkit';
import { startRedisServer, type RedisServer } from '@twohop/testkit/node';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { connectAsync } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FleetState } from '../src/domain/FleetState.js';
import { fanOutSiteEvents, ignoreSiteEvents, type NodeDeath } from '../src/domain/SiteEvents.js';
import { startMqttBridge } from '../src/server/bridge/MqttBridge.js';
import { derivedCredentials } from '../src/server/broker/credentials.js';
import { startEmbeddedBroker, type EmbeddedBroker } from '../src/server/broker/embeddedBroker.js';
import { redisBrokerParts } from '../src/server/broker/redisBrokerParts.js';
import { bridgeSuite } from './bridgeSuite.js';
import { specEdgeNode } from './specEdgeNode.js';

const SECRET = 'test-secret-of-the-cluster';
const credentials = derivedCredentials(SECRET, 'twohop');
const nodeLogin = (group: string, node: string) => ({
  username: credentials.nodeUsername(group, node),
  password: credentials.nodePassword(group, node),
});
const hostLogin = { username: credentials.hostUsername, password: credentials.hostPassword };

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(() => redis.stop());

/**
 * A broker of the cluster on `redis`, in this process. Its heartbeat stays well above a loaded machine's event-loop
 * lag: a broker that misses three is taken for dead, and its clients' wills go out.
 */
const clusterBroker = () =>
  startEmbeddedBroker({
    credentials,
    port: 0,
    cluster: redisBrokerParts({ url: redis.url, heartbeatMs: 1000 }),
  });

bridgeSuite('two aedes on one Redis (host on one, edge nodes on the other)', async () => {
  const [a, b] = await Promise.all([clusterBroker(), clusterBroker()]);
  return {
    url: a.url!,
    edgeUrl: b.url!,
    host: hostLogin,
    node: nodeLogin,
    close: async () => {
      await Promise.all([a.close(), b.close()]);
    },
  };
});

describe('aedes brokers sharing one Redis', () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  const started = async () => {
    const brokers = await Promise.all([clusterBroker(), clusterBroker()]);
    for (const broker of brokers) cleanups.push(() => broker.close());
    return brokers as [EmbeddedBroker, EmbeddedBroker];
  };

  it("a node connecting to another broker gets the host's retained STATE, and its offline STATE after", async () => {
    const [a, b] = await started();
    const bridge = await startMqttBridge({
      url: a.url!,
      ...hostLogin,
      hostId: 'twohop',
      events: ignoreSiteEvents,
    });
    let bridgeOpen = true;
    cleanups.push(() => (bridgeOpen ? bridge.close() : undefined));
    const states: { online: boolean }[] = [];
    const node = await connectAsync(b.url!, { ...nodeLogin('site', 'late'), reconnectPeriod: 0 });
    cleanups.push(() => node.endAsync());
    node.on('message', (_topic, payload) =>
      states.push(JSON.parse(payload.toString()) as { online: boolean }),
    );
    await node.subscribeAsync('spBv1.0/STATE/twohop', { qos: 1 });
    await waitFor('the retained STATE', () => states.length === 1);
    expect(states[0]!.online).toBe(true);
    await bridge.close();
    bridgeOpen = false;
    await waitFor('the offline STATE', () => states.at(-1)?.online === false);
  });

  /** The host on the broker at `url`, keeping the fleet's state and every node death it acts on. */
  async function hostHearingDeaths(url: string) {
    const deaths: NodeDeath[] = [];
    const fleet = new FleetState();
    const bridge = await startMqttBridge({
      url,
      ...hostLogin,
      hostId: 'twohop',
      events: fanOutSiteEvents(fleet, { ...ignoreSiteEvents, nodeDied: (death) => deaths.push(death) }),
    });
    cleanups.push(() => bridge.close());
    return { deaths, fleet };
  }

  it("the host on one broker hears a node's will published by the other", async () => {
    const [a, b] = await started();
    const { deaths, fleet } = await hostHearingDeaths(a.url!);
    const edge = await specEdgeNode({
      url: b.url!,
      group: 'site',
      node: 'n1',
      ...nodeLogin('site', 'n1'),
      bdSeq: 3,
    });
    await edge.nbirth(0);
    await waitFor('the node online', () => fleet.node({ group: 'site', node: 'n1' })?.online === true);
    edge.cut();
    await waitFor('its death', () => deaths.length === 1);
    expect(deaths[0]!.bdSeq).toBe(3);
  });

  it(
    "a broker SIGKILLed with a node on it: another broker publishes the node's will",
    { timeout: 30_000 },
    async () => {
      const [a] = await started();
      const child = fork(
        fileURLToPath(new URL('./redisBrokerProcess.ts', import.meta.url)),
        [redis.url, SECRET, '1000'],
        {
          execArgv: ['--import', 'tsx'],
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        },
      );
      const exited = new Promise((resolve) => child.once('exit', resolve));
      cleanups.push(async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        await exited;
      });
      const port = await new Promise<number>((resolve) =>
        child.once('message', (m: { port: number }) => resolve(m.port)),
      );
      const { deaths, fleet } = await hostHearingDeaths(a.url!);
      const edge = await specEdgeNode({
        url: `mqtt://127.0.0.1:${port}`,
        group: 'site',
        node: 'n2',
        ...nodeLogin('site', 'n2'),
        bdSeq: 5,
      });
      edge.client.on('error', () => {});
      await edge.nbirth(0);
      await waitFor('the node online', () => fleet.node({ group: 'site', node: 'n2' })?.online === true);
      child.kill('SIGKILL');
      await exited;
      // Nobody is left to publish the will but another broker, once the dead one has missed its heartbeats.
      await waitFor('the will, from broker A', () => deaths.length === 1, 20_000);
      expect(deaths[0]!.bdSeq).toBe(5);
      expect(fleet.node({ group: 'site', node: 'n2' })?.online).toBe(false);
    },
  );
});
