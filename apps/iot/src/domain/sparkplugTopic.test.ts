import { describe, expect, it } from 'vitest';
import { deviceTopic, nodeTopic, parseSparkplugTopic, stateTopic } from './sparkplugTopic.js';

describe('the Sparkplug B topic namespace', () => {
  it('parses node, device and STATE topics, and formats them back', () => {
    expect(parseSparkplugTopic(nodeTopic('NBIRTH', 'site', 'b1-f1'))).toEqual({
      kind: 'node',
      type: 'NBIRTH',
      group: 'site',
      node: 'b1-f1',
    });
    expect(parseSparkplugTopic(deviceTopic('DDATA', 'site', 'b1-f1', 'd1'))).toEqual({
      kind: 'device',
      type: 'DDATA',
      group: 'site',
      node: 'b1-f1',
      device: 'd1',
    });
    expect(parseSparkplugTopic(stateTopic('twohop'))).toEqual({ kind: 'state', host: 'twohop' });
  });

  it.each([
    'spBv1.0/site/NBIRTH/b1-f1/d1',
    'spBv1.0/site/DDATA/b1-f1',
    'spBv1.0/site/NOPE/b1-f1',
    'spBv1.0/site/NDATA/+',
    'spBv1.0//NDATA/b1-f1',
    'spAv1.0/site/NDATA/b1-f1',
    'spBv1.0/STATE',
    'spBv1.0/STATE/a/b',
  ])('refuses %s', (topic) => {
    expect(parseSparkplugTopic(topic)).toBeUndefined();
  });
});
