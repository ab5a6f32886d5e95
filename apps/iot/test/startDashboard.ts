import { startApp } from '@twohop/app-kit';
import type { EventSourceConstructor } from '@twohop/client';
import { EventSource } from 'eventsource';
import { DashboardSession, type DirectSessionOptions } from '../src/client/DashboardSession.js';
import { createIotServer, type IotServerOptions } from '../src/server/createIotServer.js';
import { ScriptedFleet } from './scriptedFleet.js';

/** The IoT app on a free port with a scripted fleet born into it, for one test. */
export async function startDashboard(options: IotServerOptions & { seed?: number } = {}) {
  const server = await createIotServer({ tickMs: 0, ...options });
  const started = await startApp(server);
  const fleet = new ScriptedFleet(server.hub, {
    size: { buildings: 2, floors: 2, devicesPerFloor: 6 },
    seed: options.seed ?? 14,
  });
  fleet.birth();
  const sessions: DashboardSession[] = [];
  const session = (extra: Partial<DirectSessionOptions> = {}) => {
    const created = DashboardSession.direct({
      url: started.url,
      EventSource: EventSource as unknown as EventSourceConstructor,
      ...extra,
    });
    sessions.push(created);
    return created;
  };
  return {
    ...started,
    server,
    fleet,
    session,
    async [Symbol.asyncDispose]() {
      for (const created of sessions) created.close();
      await started.close();
    },
  };
}
