import { createHmac, timingSafeEqual } from 'node:crypto';
import type { MqttIdentity } from '../../domain/mqttAccess.js';

/** Turns a CONNECT's username and password into an identity, or refuses them. */
export interface MqttCredentials {
  /** The identity these credentials prove, or undefined when they prove none. */
  identify(username: string | undefined, password: Buffer | string | undefined): MqttIdentity | undefined;
}

/** What {@link derivedCredentials} hands out: every node's password, computed from one secret. */
export interface DerivedCredentials extends MqttCredentials {
  /** The username of edge node `node` in `group`: `<group>/<node>`. */
  nodeUsername(group: string, node: string): string;
  /** Its password: HMAC-SHA256(secret, username), hex. */
  nodePassword(group: string, node: string): string;
  /** The host application's username: `host:<hostId>`. */
  readonly hostUsername: string;
  readonly hostPassword: string;
}

/**
 * Per-node credentials without a list to keep: each edge node's password is `HMAC-SHA256(secret, "<group>/<node>")`,
 * so whoever holds the secret (the simulator, an installer provisioning a real gateway) can give each node its own,
 * and a node's password proves that node only. The host's is derived the same way from `host:<hostId>`.
 */
export function derivedCredentials(secret: string, hostId: string): DerivedCredentials {
  const sign = (username: string) => createHmac('sha256', secret).update(username).digest('hex');
  const hostUsername = `host:${hostId}`;
  const hostPassword = sign(hostUsername);
  return {
    nodeUsername: (group, node) => `${group}/${node}`,
    nodePassword: (group, node) => sign(`${group}/${node}`),
    hostUsername,
    hostPassword,
    identify(username, password) {
      if (username === undefined || password === undefined) return undefined;
      const given = Buffer.from(password);
      const expected = Buffer.from(sign(username));
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
      if (username === hostUsername) return { role: 'host', host: hostId };
      const parts = username.split('/');
      const [group, node] = parts;
      if (parts.length !== 2 || !group || !node || /[+#]/.test(username)) return undefined;
      return { role: 'node', group, node };
    },
  };
}

/** Each node's MQTT login, by node id: what the simulator is given for the fleet in `group`. */
export function fleetLogins(
  credentials: DerivedCredentials,
  group: string,
  nodes: readonly string[],
): Record<string, { username: string; password: string }> {
  return Object.fromEntries(
    nodes.map((node) => [
      node,
      { username: credentials.nodeUsername(group, node), password: credentials.nodePassword(group, node) },
    ]),
  );
}
