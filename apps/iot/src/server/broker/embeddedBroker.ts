import { Aedes, type AuthenticateError, type Client } from 'aedes';
import type { Server as HttpServer, IncomingMessage } from 'node:http';
import { createServer, type AddressInfo, type Server as NetServer } from 'node:net';
import type { Duplex } from 'node:stream';
import { createWebSocketStream, WebSocketServer } from 'ws';
import { mayLeaveWill, mayPublish, maySubscribe, type MqttIdentity } from '../../domain/mqttAccess.js';
import type { MqttCredentials } from './credentials.js';
import type { RedisBrokerParts } from './redisBrokerParts.js';

/** Why the broker refused a client something (also the label of `iot_mqtt_refusals_total`). */
export type MqttRefusal = 'bad_credentials' | 'forbidden_will' | 'forbidden_publish' | 'forbidden_subscribe';

/** Options for {@link startEmbeddedBroker}. */
export interface EmbeddedBrokerOptions {
  /** Who may connect, and as whom. */
  credentials: MqttCredentials;
  /** MQTT over TCP on this port; 0 picks a free one; `false` serves no TCP listener. @default 1883 */
  port?: number | false;
  /** @default '127.0.0.1' */
  host?: string;
  /** Serves MQTT over WebSocket on this HTTP server (the app's own), at {@link EmbeddedBrokerOptions.wsPath}. */
  http?: HttpServer;
  /** The WebSocket path. @default '/mqtt' */
  wsPath?: string;
  /**
   * Joins the brokers of a cluster through Redis (messages, retained messages, sessions, wills); they are closed
   * with the broker. @default none: a broker on its own, in memory
   */
  cluster?: RedisBrokerParts;
  /** Told of every refusal (for logs and metrics). */
  onRefusal?: (refusal: MqttRefusal, clientId: string, detail: string) => void;
}

/** The embedded broker, listening. */
export interface EmbeddedBroker {
  readonly aedes: Aedes;
  /** The TCP port, or undefined without a TCP listener. */
  readonly port: number | undefined;
  /** `mqtt://host:port` (TCP). */
  readonly url: string | undefined;
  /** Messages handed to subscribers so far (each subscriber counts once per message). */
  readonly deliveries: number;
  /** Disconnects every client and stops listening. */
  close(): Promise<void>;
}

const refused = (message: string, returnCode: number): AuthenticateError =>
  Object.assign(new Error(message), { returnCode }) as AuthenticateError;

/**
 * aedes embedded in the app: MQTT over TCP and over WebSocket on the app's HTTP server, every client authenticated
 * by its own credential and held to its own Sparkplug topics. Refusals use MQTT's own signals and touch no other
 * client: a bad password gets CONNACK 4, a will that is not the client's own NDEATH (or the host's STATE) CONNACK 5,
 * a forbidden subscription SUBACK 0x80, and a forbidden publish closes that client's connection (MQTT 3.1.1 has
 * no refusal for a PUBLISH, rule MQTT-3.3.5-2).
 */
export async function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const identities = new WeakMap<Client, MqttIdentity>();
  const refuse = options.onRefusal ?? (() => {});
  let deliveries = 0;
  const aedes = await Aedes.createBroker({
    // No offline queue grows for a slow or absent client: QoS 0 is not queued, a stuck socket is cut after 5 s.
    drainTimeout: 5000,
    ...(options.cluster === undefined
      ? {}
      : {
          mq: options.cluster.mq,
          persistence: options.cluster.persistence,
          heartbeatInterval: options.cluster.heartbeatInterval,
        }),
    authenticate(client, username, password, done) {
      const identity = options.credentials.identify(username, password);
      if (identity === undefined) {
        refuse('bad_credentials', client.id, `username ${JSON.stringify(username ?? '')}`);
        return done(refused('bad username or password', 4), false);
      }
      const will = (client as Client & { _will?: { topic: string } | null })._will;
      if (will && !mayLeaveWill(identity, will.topic)) {
        refuse('forbidden_will', client.id, will.topic);
        return done(refused(`a will on ${will.topic} is not allowed`, 5), false);
      }
      identities.set(client, identity);
      done(null, true);
    },
    authorizePublish(client, packet, done) {
      // A null client is aedes republishing a stored will, which was checked when it was set.
      const identity = client === null ? undefined : identities.get(client);
      if (client === null || (identity !== undefined && mayPublish(identity, packet.topic)))
        return done(null);
      refuse('forbidden_publish', client.id, packet.topic);
      done(new Error(`publishing on ${packet.topic} is not allowed`));
    },
    authorizeSubscribe(client, subscription, done) {
      const identity = identities.get(client);
      if (identity !== undefined && maySubscribe(identity, subscription.topic))
        return done(null, subscription);
      refuse('forbidden_subscribe', client.id, subscription.topic);
      // A null subscription makes aedes answer this filter with SUBACK 0x80 and keep the client's other filters.
      done(null, null);
    },
    authorizeForward(_client, packet) {
      deliveries++;
      return packet;
    },
  });

  let tcp: NetServer | undefined;
  let port: number | undefined;
  const wanted = options.port ?? 1883;
  if (wanted !== false) {
    tcp = createServer((socket) => aedes.handle(socket));
    const server = tcp;
    port = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(wanted, options.host ?? '127.0.0.1', () =>
        resolve((server.address() as AddressInfo).port),
      );
    });
  }

  const wss = new WebSocketServer({ noServer: true });
  const wsPath = options.wsPath ?? '/mqtt';
  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (new URL(request.url ?? '/', 'http://x').pathname !== wsPath) return;
    wss.handleUpgrade(request, socket, head, (ws) => aedes.handle(createWebSocketStream(ws), request));
  };
  options.http?.on('upgrade', onUpgrade);

  return {
    aedes,
    port,
    url: port === undefined ? undefined : `mqtt://${options.host ?? '127.0.0.1'}:${port}`,
    get deliveries() {
      return deliveries;
    },
    async close() {
      options.http?.off('upgrade', onUpgrade);
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await options.cluster?.close();
      if (tcp !== undefined) await new Promise<void>((resolve) => tcp.close(() => resolve()));
    },
  };
}
