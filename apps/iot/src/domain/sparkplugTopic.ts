/**
 * The Sparkplug B 3.0 topic namespace: `spBv1.0/<group>/<type>/<node>[/<device>]`, and the host application's
 * `spBv1.0/STATE/<host>`. Pure string rules, shared by the broker's authorization, the bridge and the simulator.
 */

/** The namespace every Sparkplug B topic starts with. */
export const SPARKPLUG_NAMESPACE = 'spBv1.0';

/** Message types addressed to a node (no device segment). */
export const NODE_TYPES = ['NBIRTH', 'NDEATH', 'NDATA', 'NCMD'] as const;
/** Message types addressed to a device. */
export const DEVICE_TYPES = ['DBIRTH', 'DDEATH', 'DDATA', 'DCMD'] as const;

export type NodeMessageType = (typeof NODE_TYPES)[number];
export type DeviceMessageType = (typeof DEVICE_TYPES)[number];
export type SparkplugMessageType = NodeMessageType | DeviceMessageType;

/** A parsed Sparkplug topic. */
export type SparkplugTopic =
  | { readonly kind: 'node'; readonly type: NodeMessageType; readonly group: string; readonly node: string }
  | {
      readonly kind: 'device';
      readonly type: DeviceMessageType;
      readonly group: string;
      readonly node: string;
      readonly device: string;
    }
  | { readonly kind: 'state'; readonly host: string };

// Sparkplug ids are UTF-8 strings without the MQTT separators and wildcards.
const validId = (id: string | undefined): id is string => id !== undefined && id !== '' && !/[/+#]/.test(id);

/** Parses a topic, or returns undefined when it is not a well-formed Sparkplug B topic. */
export function parseSparkplugTopic(topic: string): SparkplugTopic | undefined {
  const parts = topic.split('/');
  if (parts[0] !== SPARKPLUG_NAMESPACE) return undefined;
  if (parts[1] === 'STATE')
    return parts.length === 3 && validId(parts[2]) ? { kind: 'state', host: parts[2] } : undefined;
  const [, group, type, node, device] = parts;
  if (!validId(group) || !validId(node)) return undefined;
  if (parts.length === 4 && (NODE_TYPES as readonly string[]).includes(type ?? ''))
    return { kind: 'node', type: type as NodeMessageType, group, node };
  if (parts.length === 5 && validId(device) && (DEVICE_TYPES as readonly string[]).includes(type ?? ''))
    return { kind: 'device', type: type as DeviceMessageType, group, node, device };
  return undefined;
}

/** `spBv1.0/<group>/<type>/<node>`. */
export const nodeTopic = (type: NodeMessageType, group: string, node: string): string =>
  `${SPARKPLUG_NAMESPACE}/${group}/${type}/${node}`;

/** `spBv1.0/<group>/<type>/<node>/<device>`. */
export const deviceTopic = (type: DeviceMessageType, group: string, node: string, device: string): string =>
  `${SPARKPLUG_NAMESPACE}/${group}/${type}/${node}/${device}`;

/** `spBv1.0/STATE/<host>`: where a host application publishes whether it is online (retained). */
export const stateTopic = (host: string): string => `${SPARKPLUG_NAMESPACE}/STATE/${host}`;
