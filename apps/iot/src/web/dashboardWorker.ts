/// <reference lib="webworker" />
/**
 * The shared worker every tab of the dashboard connects to: one StreamRelay, so the whole browser holds one SSE
 * connection per stream (three) however many tabs are open, and one view on the server for all their visible devices.
 */
import { eventSourceTransport } from '@twohop/client';
import { newViewId } from '../client/DashboardSession';
import { StreamRelay } from '../client/relay/StreamRelay';
import { ViewUpdater } from '../client/ViewUpdater';

declare const self: SharedWorkerGlobalScope;

const viewId = newViewId();
const updater = new ViewUpdater({ url: '', viewId });
const relay = new StreamRelay({
  transport: eventSourceTransport('/api/sse'),
  viewId,
  onVisible: (devices) => updater.set(devices),
});
// A server that restarted has forgotten the view: tell it again whenever the view starts from a snapshot.
relay.client.events.on('subscribed', ({ stream, recovered }) => {
  if (stream === `view:${viewId}` && !recovered) updater.resend();
});

self.addEventListener('connect', (event) => {
  const port = (event as MessageEvent).ports[0];
  if (port !== undefined) relay.connect(port);
});
