import { derivedCredentials } from '../src/server/broker/credentials.js';
import { startEmbeddedBroker } from '../src/server/broker/embeddedBroker.js';
import { bridgeSuite } from './bridgeSuite.js';

bridgeSuite('the embedded aedes', async () => {
  const credentials = derivedCredentials('test-secret', 'twohop');
  const broker = await startEmbeddedBroker({ credentials, port: 0 });
  return {
    url: broker.url!,
    host: { username: credentials.hostUsername, password: credentials.hostPassword },
    node: (group, node) => ({
      username: credentials.nodeUsername(group, node),
      password: credentials.nodePassword(group, node),
    }),
    close: () => broker.close(),
  };
});
