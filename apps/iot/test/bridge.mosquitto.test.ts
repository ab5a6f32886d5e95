import { startMosquitto } from '@twohop/testkit/node';
import { bridgeSuite } from './bridgeSuite.js';

// An external broker (TWOHOP_MQTT_URL): mosquitto does its own authentication, so any credentials pass here.
bridgeSuite("Debian's mosquitto", async () => {
  const mosquitto = await startMosquitto();
  return {
    url: mosquitto.url,
    host: { username: 'host', password: 'host' },
    node: (group, node) => ({ username: `${group}/${node}`, password: 'node' }),
    close: () => mosquitto.stop(),
  };
});
