import { parseSparkplugTopic, SPARKPLUG_NAMESPACE } from './sparkplugTopic.js';

/** Who an authenticated MQTT client is. */
export type MqttIdentity =
  /** A Sparkplug edge node: publishes only its own node's and devices' messages, hears only its own commands. */
  | { readonly role: 'node'; readonly group: string; readonly node: string }
  /** The Sparkplug host application (the bridge): hears every node, alone may command them. */
  | { readonly role: 'host'; readonly host: string };

const NODE_PUBLISHES: readonly string[] = ['NBIRTH', 'NDATA', 'NDEATH', 'DBIRTH', 'DDATA', 'DDEATH'];

/**
 * Whether `identity` may publish on `topic`. An edge node publishes only its own births, data and deaths
 * (`spBv1.0/<its group>/N…/<its node>` and `…/D…/<its node>/<any device>`); only the host publishes commands
 * (NCMD/DCMD) and its own `spBv1.0/STATE/<host>`.
 */
export function mayPublish(identity: MqttIdentity, topic: string): boolean {
  const parsed = parseSparkplugTopic(topic);
  if (parsed === undefined) return false;
  if (identity.role === 'host')
    return parsed.kind === 'state'
      ? parsed.host === identity.host
      : parsed.type === 'NCMD' || parsed.type === 'DCMD';
  return (
    parsed.kind !== 'state' &&
    parsed.group === identity.group &&
    parsed.node === identity.node &&
    NODE_PUBLISHES.includes(parsed.type)
  );
}

/**
 * Whether `identity` may subscribe to `filter`. An edge node hears its own commands (`…/NCMD/<node>`,
 * `…/DCMD/<node>/+` or one device) and host STATE; the host hears everything under `spBv1.0/`.
 */
export function maySubscribe(identity: MqttIdentity, filter: string): boolean {
  if (identity.role === 'host')
    return filter === `${SPARKPLUG_NAMESPACE}/#` || filter.startsWith(`${SPARKPLUG_NAMESPACE}/`);
  const { group, node } = identity;
  if (filter === `${SPARKPLUG_NAMESPACE}/STATE/+`) return true;
  if (filter === `${SPARKPLUG_NAMESPACE}/${group}/NCMD/${node}`) return true;
  if (filter === `${SPARKPLUG_NAMESPACE}/${group}/DCMD/${node}/+`) return true;
  const parsed = parseSparkplugTopic(filter);
  if (parsed?.kind === 'state') return true;
  return (
    parsed?.kind === 'device' && parsed.type === 'DCMD' && parsed.group === group && parsed.node === node
  );
}

/** The only will an identity may leave: an edge node's NDEATH, or the host's STATE. */
export function mayLeaveWill(identity: MqttIdentity, topic: string): boolean {
  const parsed = parseSparkplugTopic(topic);
  if (identity.role === 'host') return parsed?.kind === 'state' && parsed.host === identity.host;
  return (
    parsed?.kind === 'node' &&
    parsed.type === 'NDEATH' &&
    parsed.group === identity.group &&
    parsed.node === identity.node
  );
}
