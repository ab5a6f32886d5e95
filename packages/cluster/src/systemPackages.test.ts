import { describe, expect, it } from 'vitest';
import { planSystemPackages } from './systemPackages.js';

const packages = [
  { command: 'redis-server', apt: 'redis-server', usedBy: 'the Redis every node shares' },
  { command: 'nginx', apt: 'nginx', usedBy: 'the load balancer' },
];
const machine = (present: string[], root: boolean) => ({ has: (c: string) => present.includes(c), root });
const purpose = { who: 'pnpm start --nodes 3', retry: 'run pnpm start --nodes 3 again' };

describe('planSystemPackages, for pnpm start --nodes', () => {
  it('installs the missing ones as root with apt-get', () => {
    expect(planSystemPackages(machine(['apt-get', 'redis-server'], true), packages, purpose)).toEqual({
      kind: 'install',
      packages: ['nginx'],
    });
  });

  it('otherwise names who needs what, and the exact apt-get line to run before trying again', () => {
    const plan = planSystemPackages(machine(['apt-get'], false), packages, purpose);
    expect(plan).toEqual({
      kind: 'stop',
      message:
        'pnpm start --nodes 3 needs system packages that are missing:\n' +
        '  redis-server: the Redis every node shares\n' +
        '  nginx: the load balancer\n' +
        'Run:\n\n  sudo apt-get install -y redis-server nginx\n\nthen run pnpm start --nodes 3 again.',
    });
  });
});
