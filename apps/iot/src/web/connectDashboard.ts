import { DashboardSession } from '../client/DashboardSession';

/** How this tab reaches the server. */
export type Connection = 'shared-worker' | 'direct';

/**
 * Connects this tab's dashboard: through the browser's one shared worker when there is SharedWorker (so any number
 * of tabs share one connection per stream, under HTTP/1.1's six per origin), else over its own SSE connections
 * (Chrome on Android has no SharedWorker; one tab on a phone needs no sharing). `?connection=direct` forces the
 * latter, to compare.
 */
export async function connectDashboard(): Promise<{ session: DashboardSession; connection: Connection }> {
  const wanted = new URLSearchParams(location.search).get('connection');
  if (typeof SharedWorker === 'function' && wanted !== 'direct') {
    const worker = new SharedWorker(new URL('./dashboardWorker.ts', import.meta.url), {
      type: 'module',
      name: 'twohop-iot-dashboard',
    });
    const session = await DashboardSession.shared(worker.port, { url: '' });
    addEventListener('pagehide', () => session.close());
    return { session, connection: 'shared-worker' };
  }
  return { session: DashboardSession.direct({ url: '' }), connection: 'direct' };
}
