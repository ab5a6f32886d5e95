/**
 * A broker for an IoT scenario, in a process of its own so its CPU can be told apart from the app's: the embedded
 * aedes (forked `aedesBroker.ts`, the app's own broker code) or Debian's mosquitto. The app reaches it as an
 * external broker (`mqttUrl`, as `TWOHOP_MQTT_URL` does), and the scenario reads the broker's CPU and the messages
 * it handed to subscribers, so it can report CPU per delivery for both side by side.
 */
import { cpuOf, reply } from '@twohop/scenarios';
import { startMosquitto } from '@twohop/testkit/node';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { connectAsync } from 'mqtt';

/** Which broker. */
export type BrokerKind = 'aedes' | 'mosquitto';

/** A running broker under measurement. */
export interface BrokerUnderTest {
  readonly kind: BrokerKind;
  /** `mqtt://127.0.0.1:<port>`: give it to the app as `mqttUrl`. */
  readonly url: string;
  /** The broker process's CPU time so far (ms). */
  cpuMs(): Promise<number>;
  /** Messages handed to subscribers so far (mosquitto: its `$SYS` count, refreshed every second). */
  deliveries(): Promise<number>;
  close(): Promise<void>;
}

/**
 * Starts a broker. `secret` and `hostId` are the app's, so the forked aedes accepts the app's host and nodes;
 * mosquitto takes anyone (its own authentication is its configuration's business).
 */
export async function startBrokerUnderTest(
  kind: BrokerKind,
  secret: string,
  hostId = 'twohop',
): Promise<BrokerUnderTest> {
  if (kind === 'aedes') {
    const child = fork(fileURLToPath(new URL('./aedesBroker.ts', import.meta.url)), [secret, hostId], {
      execArgv: ['--import', 'tsx'],
      stdio: 'inherit',
    });
    const { port } = await reply<{ port: number }>(child, 'port');
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    return {
      kind,
      url: `mqtt://127.0.0.1:${port}`,
      cpuMs: async () => (await cpuOf(child)) / 1000,
      deliveries: async () =>
        (await reply<{ deliveries: number }>(child, 'deliveries', { cmd: 'deliveries' })).deliveries,
      async close() {
        child.kill('SIGTERM');
        await exited;
      },
    };
  }
  const mosquitto = await startMosquitto({ sysIntervalSeconds: 1 });
  // mosquitto counts what it sends in $SYS; a reader subscribed from the start keeps the latest value.
  const reader = await connectAsync(mosquitto.url, { clientId: 'twohop-sys-reader', reconnectPeriod: 0 });
  let sent = 0;
  let own = 0;
  reader.on('message', (_topic, payload) => {
    sent = Number(payload.toString());
    own++;
  });
  await reader.subscribeAsync('$SYS/broker/publish/messages/sent');
  return {
    kind,
    url: mosquitto.url,
    cpuMs: async () => mosquitto.cpuMs(),
    // The count is refreshed every second; the reader's own $SYS messages are publishes too: take them out.
    deliveries: async () => {
      await new Promise((resolve) => setTimeout(resolve, 1100));
      return Math.max(0, sent - own);
    },
    async close() {
      await reader.endAsync();
      await mosquitto.stop();
    },
  };
}
