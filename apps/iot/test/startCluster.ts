import { sharedSecret, startApp, type StartedApp } from '@twohop/app-kit';
import { redisBus } from '@twohop/bus-redis';
import type { EventSourceConstructor } from '@twohop/client';
import { startRedisServer } from '@twohop/testkit/node';
import { EventSource } from 'eventsource';
import { DashboardSession, type DirectSessionOptions } from '../src/client/DashboardSession.js';
import { derivedCredentials } from '../src/server/broker/credentials.js';
import { MQTT_SECRET_STREAM } from '../src/server/cluster/ClusterDirectory.js';
import {
  createIotNode,
  type IotNode,
  type IotNodeOptions,
  type IotRole,
} from '../src/server/cluster/createIotNode.js';

/**
 * The IoT app on several nodes in this process, as separate processes would run it: a `redis-server` of its own,
 * each node with its own Redis bus and broker connections, listening on a free port. The host first (the nodes'
 * mirrors wait for its streams), then the nodes.
 */
export async function startCluster(nodes = 2, options: Partial<IotNodeOptions> = {}) {
  const redis = await startRedisServer();
  const started: StartedApp<IotNode>[] = [];
  const sessions: DashboardSession[] = [];
  const start = async (role: IotRole, name: string) => {
    const node = await createIotNode({
      role,
      bus: await redisBus({ url: redis.url, prefix: 'twohop:iot:' }),
      redisUrl: redis.url,
      runtime: { mode: 'redis', node: name },
      tickMs: 0,
      brokerHeartbeatMs: 2000,
      ...options,
    });
    const app = await startApp(node);
    started.push(app);
    return app;
  };
  const cleanup = async () => {
    for (const session of sessions) session.close();
    for (const app of started.reverse()) await app.close();
    await redis.stop();
  };
  try {
    const host = await start('host', 'host');
    const serving: StartedApp<IotNode>[] = [];
    for (let i = 0; i < nodes; i++) serving.push(await start('node', `node-${String.fromCharCode(97 + i)}`));
    const lookup = await redisBus({ url: redis.url, prefix: 'twohop:iot:' });
    const credentials = derivedCredentials(await sharedSecret(lookup, MQTT_SECRET_STREAM), 'twohop');
    await lookup.close();
    return {
      redis,
      host,
      nodes: serving,
      credentials,
      /** A dashboard session on `app` (SSE, as a browser's). */
      session(app: StartedApp<IotNode>, extra: Partial<DirectSessionOptions> = {}) {
        const created = DashboardSession.direct({
          url: app.url,
          EventSource: EventSource as unknown as EventSourceConstructor,
          ...extra,
        });
        sessions.push(created);
        return created;
      },
      [Symbol.asyncDispose]: cleanup,
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
