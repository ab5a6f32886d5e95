import { describe, expect, it } from 'vitest';
import { planSystemPackages, SYSTEM_PACKAGES, type SystemPackage } from './systemPackages.js';

const packages: SystemPackage[] = [
  { command: 'chromium', apt: 'chromium', usedBy: 'the browser tests' },
  { command: 'redis-server', apt: 'redis-server', usedBy: 'the Redis bus' },
];
const machine = (present: string[], root: boolean) => ({
  has: (command: string) => present.includes(command),
  root,
});

describe('the system packages the suite needs', () => {
  it('nothing to do when every command is on PATH', () => {
    expect(planSystemPackages(machine(['chromium', 'redis-server'], false), packages)).toEqual({
      kind: 'ready',
    });
  });

  it('as root with apt-get, installs exactly the missing ones', () => {
    expect(planSystemPackages(machine(['apt-get', 'chromium'], true), packages)).toEqual({
      kind: 'install',
      packages: ['redis-server'],
    });
  });

  it('otherwise stops with the exact command to run, naming what needs each package', () => {
    const plan = planSystemPackages(machine(['apt-get'], false), packages);
    expect(plan.kind).toBe('stop');
    const message = plan.kind === 'stop' ? plan.message : '';
    expect(message).toContain('  sudo apt-get install -y chromium redis-server\n');
    expect(message).toContain('redis-server: the Redis bus');
    const noApt = planSystemPackages(machine([], true), packages);
    expect(noApt.kind === 'stop' && noApt.message).toContain(
      '(on Debian or Ubuntu: apt-get install -y chromium redis-server)',
    );
  });

  it('chromium is on the list', () => {
    expect(SYSTEM_PACKAGES.map((needed) => needed.command)).toContain('chromium');
  });
});
