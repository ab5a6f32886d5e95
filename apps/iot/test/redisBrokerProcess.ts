/**
 * One broker of a cluster in a process of its own, so a test can SIGKILL it: the embedded aedes on a free loopback
 * port, joined to the others through the Redis at argv[2] (heartbeat argv[4] ms), credentials from the secret at
 * argv[3]. Announces `{port}` once listening.
 */
import { derivedCredentials } from '../src/server/broker/credentials.js';
import { startEmbeddedBroker } from '../src/server/broker/embeddedBroker.js';
import { redisBrokerParts } from '../src/server/broker/redisBrokerParts.js';

const [url = '', secret = '', heartbeat = '200'] = process.argv.slice(2);
const broker = await startEmbeddedBroker({
  credentials: derivedCredentials(secret, 'twohop'),
  port: 0,
  cluster: redisBrokerParts({ url, heartbeatMs: Number(heartbeat) }),
});
process.send?.({ port: broker.port });
