import { waitFor } from '@twohop/testkit';
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { derivedCredentials } from '../src/server/broker/credentials.js';
import {
  startEmbeddedBroker,
  type EmbeddedBroker,
  type MqttRefusal,
} from '../src/server/broker/embeddedBroker.js';

const credentials = derivedCredentials('auth-test-secret', 'twohop');
const as = (node: string): IClientOptions => ({
  username: credentials.nodeUsername('site', node),
  password: credentials.nodePassword('site', node),
});
const asHost: IClientOptions = { username: credentials.hostUsername, password: credentials.hostPassword };

describe('the embedded broker: every client held to its own Sparkplug topics', () => {
  let broker: EmbeddedBroker;
  let http: Server;
  let refusals: MqttRefusal[];
  const clients: MqttClient[] = [];
  const client = async (options: IClientOptions, url = broker.url!) => {
    const connected = await connectAsync(url, { reconnectPeriod: 0, ...options });
    clients.push(connected);
    return connected;
  };
  /** A host that hears everything, and what it heard. */
  const listener = async () => {
    const host = await client(asHost);
    const heard: string[] = [];
    host.on('message', (topic) => heard.push(topic));
    await host.subscribeAsync('spBv1.0/#');
    return { host, heard };
  };

  beforeEach(async () => {
    refusals = [];
    http = createServer();
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    broker = await startEmbeddedBroker({
      credentials,
      port: 0,
      http,
      onRefusal: (refusal) => refusals.push(refusal),
    });
  });
  afterEach(async () => {
    for (const open of clients.splice(0)) open.end(true);
    await broker.close();
    await new Promise<void>((resolve) => http.close(() => resolve()));
  });

  it('refuses a wrong password with CONNACK 4 (bad username or password)', async () => {
    const error = await connectAsync(broker.url!, {
      reconnectPeriod: 0,
      username: credentials.nodeUsername('site', 'b1-f1'),
      password: credentials.nodePassword('site', 'b1-f2'),
    }).catch((refused: unknown) => refused);
    expect(error).toMatchObject({ code: 4 });
    expect(refusals).toEqual(['bad_credentials']);
  });

  it("refuses a will that is not the node's own NDEATH with CONNACK 5 (not authorized)", async () => {
    const error = await connectAsync(broker.url!, {
      reconnectPeriod: 0,
      ...as('b1-f1'),
      will: { topic: 'spBv1.0/site/NDEATH/b1-f2', payload: Buffer.alloc(0), qos: 1, retain: false },
    }).catch((refused: unknown) => refused);
    expect(error).toMatchObject({ code: 5 });
    expect(refusals).toEqual(['forbidden_will']);
  });

  it("answers a subscription to another node's commands with SUBACK 0x80 and keeps the node's own", async () => {
    const node = await client(as('b1-f1'));
    const subacks: number[][] = [];
    node.on('packetreceive', (packet) => {
      if (packet.cmd === 'suback') subacks.push(packet.granted as number[]);
    });
    // mqtt.js rejects a subscribe with any refused filter; the SUBACK itself says which.
    await node
      .subscribeAsync(['spBv1.0/site/NCMD/b1-f1', 'spBv1.0/site/NCMD/b1-f2', 'spBv1.0/#'])
      .catch(() => {});
    expect(subacks).toEqual([[0, 128, 128]]);
    expect(node.connected).toBe(true);
    expect(refusals).toEqual(['forbidden_subscribe', 'forbidden_subscribe']);
  });

  it("closes only the offender's connection when it publishes as another node, and others carry on", async () => {
    const { heard } = await listener();
    const bystander = await client(as('b1-f2'));
    const offender = await client(as('b1-f1'));
    await offender.publishAsync('spBv1.0/site/DDATA/b1-f2/d1', 'forged').catch(() => {});
    await waitFor('the offender cut', () => !offender.connected);
    await bystander.publishAsync('spBv1.0/site/DDATA/b1-f2/d1', 'real');
    await waitFor("the bystander's message", () => heard.includes('spBv1.0/site/DDATA/b1-f2/d1'));
    expect(heard).toEqual(['spBv1.0/site/DDATA/b1-f2/d1']);
    expect(bystander.connected).toBe(true);
    expect(refusals).toEqual(['forbidden_publish']);
  });

  it('lets nobody but the host send a command, and delivers the host’s', async () => {
    const target = await client(as('b1-f1'));
    const commands: string[] = [];
    target.on('message', (topic) => commands.push(topic));
    await target.subscribeAsync('spBv1.0/site/NCMD/b1-f1');
    const forger = await client(as('b1-f2'));
    await forger.publishAsync('spBv1.0/site/NCMD/b1-f1', 'rebirth').catch(() => {});
    await waitFor('the forger cut', () => !forger.connected);
    const host = await client(asHost);
    await host.publishAsync('spBv1.0/site/NCMD/b1-f1', 'rebirth');
    await waitFor('the host’s command', () => commands.length === 1);
    expect(refusals).toEqual(['forbidden_publish']);
  });

  it('serves MQTT over WebSocket on the app’s HTTP server at /mqtt, under the same rules', async () => {
    const { heard } = await listener();
    const port = (http.address() as AddressInfo).port;
    const node = await client(as('b1-f1'), `ws://127.0.0.1:${port}/mqtt`);
    await node.publishAsync('spBv1.0/site/NDATA/b1-f1', 'x');
    await waitFor('the WebSocket client’s message', () => heard.includes('spBv1.0/site/NDATA/b1-f1'));
    const error = await connectAsync(`ws://127.0.0.1:${port}/mqtt`, {
      reconnectPeriod: 0,
      username: 'nobody',
      password: 'x',
    }).catch((refused: unknown) => refused);
    expect(error).toMatchObject({ code: 4 });
  });

  it('counts every message handed to a subscriber', async () => {
    const { heard } = await listener();
    const second = await client(asHost);
    await second.subscribeAsync('spBv1.0/#');
    const node = await client(as('b1-f1'));
    const before = broker.deliveries;
    await node.publishAsync('spBv1.0/site/NDATA/b1-f1', 'x');
    await waitFor('the message', () => heard.length === 1);
    await waitFor('both deliveries', () => broker.deliveries - before === 2);
  });
});
