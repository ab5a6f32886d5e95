import { eventSourceTransport, type EventSourceConstructor } from '@twohop/client';
import { waitFor } from '@twohop/testkit';
import { EventSource } from 'eventsource';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { DashboardSession } from '../src/client/DashboardSession.js';
import { StreamRelay } from '../src/client/relay/StreamRelay.js';
import { ViewUpdater } from '../src/client/ViewUpdater.js';
import { startDashboard } from './startDashboard.js';

/** Node's MessagePort speaks `on('message')`; the relay and the tabs speak the browser's `addEventListener`. */
const browserPort = (port: MessagePort) => ({
  postMessage: (message: unknown) => port.postMessage(message),
  addEventListener: (_type: 'message', listener: (event: { data: unknown }) => void) =>
    port.on('message', (data) => listener({ data })),
});

describe('many tabs on one connection (the shared worker relay)', () => {
  it('serves every tab from one SSE connection per stream, with the visible devices of all tabs merged into one view', async () => {
    await using app = await startDashboard();
    const viewId = 'browser-view-1';
    const updater = new ViewUpdater({ url: app.url, viewId, delayMs: 0 });
    const relay = new StreamRelay({
      transport: eventSourceTransport(`${app.url}/api/sse`, {
        EventSource: EventSource as unknown as EventSourceConstructor,
      }),
      viewId,
      onVisible: (devices) => updater.set(devices),
    });
    const channels: MessageChannel[] = [];
    const tabs: DashboardSession[] = [];
    try {
      for (let i = 0; i < 8; i++) {
        const channel = new MessageChannel();
        channels.push(channel);
        relay.connect(browserPort(channel.port1));
        tabs.push(await DashboardSession.shared(browserPort(channel.port2), { url: app.url }));
      }
      const devices = app.fleet.devices;
      tabs.forEach((tab, i) => tab.setVisible([devices[i]!]));
      await waitFor('every tab live', () =>
        tabs.every((tab) => tab.streams.view.replica.state.has(devices[0]!)),
      );
      // Three streams, one connection each, for eight tabs.
      expect(app.server.sse.connections).toBe(3);
      expect(app.server.hub.views.visible(viewId)).toHaveLength(8);

      app.fleet.set(devices[3]!, 'temperature', 41);
      await waitFor('the reading and the alarm in every tab', () =>
        tabs.every(
          (tab) =>
            tab.streams.view.replica.state.get(devices[3]!)?.values['temperature'] === 41 &&
            [...tab.streams.alarms.replica.state.values()].some((alarm) => alarm.originator === devices[3]),
        ),
      );
      expect(tabs.every((tab) => tab.viewId === viewId)).toBe(true);

      // The server drops every connection: the worker reconnects and resumes, and so does every tab through it.
      app.dropConnections();
      app.fleet.set(devices[3]!, 'temperature', 42);
      await waitFor('every tab caught up after the drop', () =>
        tabs.every((tab) => tab.streams.view.replica.state.get(devices[3]!)?.values['temperature'] === 42),
      );

      // A tab that leaves takes its device out of the view.
      tabs[7]!.close();
      await waitFor('the view shrinks', () => app.server.hub.views.visible(viewId)?.length === 7);
    } finally {
      for (const tab of tabs) tab.close();
      relay.close();
      updater.close();
      for (const channel of channels) channel.port1.close();
    }
  });
});
