import { memoryBus } from '@twohop/bus';
import { describe, expect, it } from 'vitest';
import { sharedSecret } from '../src/sharedSecret.js';

describe('sharedSecret', () => {
  it('every process starting at once agrees on the first secret offered', async () => {
    const bus = memoryBus();
    let offered = 0;
    const secrets = await Promise.all(
      Array.from({ length: 5 }, () => sharedSecret(bus, 'secret', () => `offer-${++offered}`)),
    );
    expect(new Set(secrets).size).toBe(1);
    expect(secrets[0]).toMatch(/^offer-\d$/);
  });

  it('a process starting later takes the secret already there and offers none', async () => {
    const bus = memoryBus();
    const first = await sharedSecret(bus, 'secret');
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(await sharedSecret(bus, 'secret', () => 'never used')).toBe(first);
    expect((await bus.position('secret')).seq).toBe(1);
    expect(await sharedSecret(bus, 'another')).not.toBe(first);
  });
});
