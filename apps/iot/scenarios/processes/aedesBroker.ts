/**
 * The embedded broker on its own, in its own process (argument: the credentials' secret), so a scenario can measure
 * its CPU apart from the app's: answers `{cmd: 'deliveries'}` with `{deliveries}` and `{cmd: 'cpu'}` with `{cpu}`.
 * Announces `{port}` once listening on a free loopback port.
 */
import { answerCpu } from '@twohop/scenarios';
import { derivedCredentials } from '../../src/server/broker/credentials.js';
import { startEmbeddedBroker } from '../../src/server/broker/embeddedBroker.js';

const broker = await startEmbeddedBroker({
  credentials: derivedCredentials(process.argv[2] ?? '', process.argv[3] ?? 'twohop'),
  port: 0,
});
answerCpu();
process.on('message', (message: { cmd?: string }) => {
  if (message.cmd === 'deliveries') process.send?.({ deliveries: broker.deliveries });
});
process.on('SIGTERM', () => void broker.close().finally(() => process.exit(0)));
process.on('disconnect', () => void broker.close().finally(() => process.exit(0)));
process.send?.({ port: broker.port });
