import { describe, expect, it } from 'vitest';
import { mayLeaveWill, mayPublish, maySubscribe, type MqttIdentity } from './mqttAccess.js';

const node: MqttIdentity = { role: 'node', group: 'site', node: 'b1-f1' };
const host: MqttIdentity = { role: 'host', host: 'twohop' };

describe('MQTT access by Sparkplug topic', () => {
  it.each([
    ['spBv1.0/site/NBIRTH/b1-f1', true],
    ['spBv1.0/site/DDATA/b1-f1/d1', true],
    ['spBv1.0/site/NDEATH/b1-f1', true],
    ['spBv1.0/site/DDATA/b1-f2/d1', false],
    ['spBv1.0/other/NDATA/b1-f1', false],
    ['spBv1.0/site/NCMD/b1-f1', false],
    ['spBv1.0/site/DCMD/b1-f1/d1', false],
    ['spBv1.0/STATE/twohop', false],
    ['spBv1.0/site/NDATA/b1-f1/extra/level', false],
    ['elsewhere/b1-f1', false],
  ])('a node publishing on %s: %s', (topic, allowed) => {
    expect(mayPublish(node, topic)).toBe(allowed);
  });

  it('lets only the host command nodes, and only as itself on STATE', () => {
    expect(mayPublish(host, 'spBv1.0/site/NCMD/b1-f1')).toBe(true);
    expect(mayPublish(host, 'spBv1.0/site/DCMD/b1-f1/d1')).toBe(true);
    expect(mayPublish(host, 'spBv1.0/STATE/twohop')).toBe(true);
    expect(mayPublish(host, 'spBv1.0/STATE/impostor')).toBe(false);
    expect(mayPublish(host, 'spBv1.0/site/NDATA/b1-f1')).toBe(false);
  });

  it.each([
    ['spBv1.0/site/NCMD/b1-f1', true],
    ['spBv1.0/site/DCMD/b1-f1/+', true],
    ['spBv1.0/site/DCMD/b1-f1/d3', true],
    ['spBv1.0/STATE/+', true],
    ['spBv1.0/STATE/twohop', true],
    ['spBv1.0/site/NCMD/b1-f2', false],
    ['spBv1.0/site/NCMD/+', false],
    ['spBv1.0/#', false],
    ['#', false],
  ])('a node subscribing to %s: %s', (filter, allowed) => {
    expect(maySubscribe(node, filter)).toBe(allowed);
  });

  it('lets the host hear everything under spBv1.0/ and nothing else', () => {
    expect(maySubscribe(host, 'spBv1.0/#')).toBe(true);
    expect(maySubscribe(host, '#')).toBe(false);
  });

  it("accepts only the client's own death as will", () => {
    expect(mayLeaveWill(node, 'spBv1.0/site/NDEATH/b1-f1')).toBe(true);
    expect(mayLeaveWill(node, 'spBv1.0/site/NDEATH/b1-f2')).toBe(false);
    expect(mayLeaveWill(node, 'spBv1.0/site/NDATA/b1-f1')).toBe(false);
    expect(mayLeaveWill(host, 'spBv1.0/STATE/twohop')).toBe(true);
    expect(mayLeaveWill(host, 'spBv1.0/site/NDEATH/b1-f1')).toBe(false);
  });
});
