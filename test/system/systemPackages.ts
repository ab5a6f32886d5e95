import { execFileSync, spawnSync } from 'node:child_process';

/** A program the suite runs that comes from the operating system, not from npm. */
export interface SystemPackage {
  /** The command the tests run, looked up on PATH. */
  readonly command: string;
  /** The Debian package that provides it. */
  readonly apt: string;
  /** Which tests need it. */
  readonly usedBy: string;
}

/**
 * Every system package the suite needs. A test that needs a new one (redis-server for the Redis bus, mosquitto for
 * the IoT bridge's interop tests, nginx in front of several nodes) adds a line here — never a skip.
 */
export const SYSTEM_PACKAGES: readonly SystemPackage[] = [
  { command: 'chromium', apt: 'chromium', usedBy: 'the browser tests (apps/*/test/*.browser.test.ts)' },
  {
    command: 'mosquitto',
    apt: 'mosquitto',
    usedBy: 'the IoT bridge against an external broker (apps/iot/test/*.mosquitto.test.ts, iot:gaps)',
  },
  {
    command: 'redis-server',
    apt: 'redis-server',
    usedBy:
      "the Redis bus, the auction's Redis bid store and the chat's Redis store and nodes tests (testkit's startRedisServer)",
  },
];

/** What the machine offers to install with. */
export interface Machine {
  /** Whether `command` is on PATH. */
  has(command: string): boolean;
  /** Whether this process may install system packages (root). */
  readonly root: boolean;
}

/** What {@link planSystemPackages} decided. */
export type SystemPackagePlan =
  | { readonly kind: 'ready' }
  | { readonly kind: 'install'; readonly packages: readonly string[] }
  | { readonly kind: 'stop'; readonly message: string };

/**
 * Which packages are missing, and whether this run can install them (root, with apt-get) or must stop with the exact
 * command a person runs to fix it.
 */
export function planSystemPackages(
  machine: Machine,
  packages: readonly SystemPackage[] = SYSTEM_PACKAGES,
): SystemPackagePlan {
  const missing = packages.filter((needed) => !machine.has(needed.command));
  if (missing.length === 0) return { kind: 'ready' };
  const names = missing.map((needed) => needed.apt);
  if (machine.root && machine.has('apt-get')) return { kind: 'install', packages: names };
  const command = `${machine.root ? '' : 'sudo '}apt-get install -y ${names.join(' ')}`;
  const why = missing.map((needed) => `  ${needed.command}: ${needed.usedBy}`).join('\n');
  const how = machine.has('apt-get')
    ? `Run:\n\n  ${command}\n\nthen run the tests again.`
    : `Install ${names.join(', ')} with this system's package manager (on Debian or Ubuntu: ${command}), then run the tests again.`;
  return { kind: 'stop', message: `The test suite needs system packages that are missing:\n${why}\n${how}` };
}

/** This machine, as {@link planSystemPackages} sees it. */
export const thisMachine = (): Machine => ({
  has: (command) => {
    try {
      execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  },
  root: process.getuid?.() === 0,
});

/**
 * Makes sure every system package the suite needs is here: installs what is missing where it can (root and apt-get),
 * and otherwise throws with the command to run, so the run stops before any test.
 */
export function ensureSystemPackages(machine: Machine = thisMachine()): void {
  const plan = planSystemPackages(machine);
  if (plan.kind === 'ready') return;
  if (plan.kind === 'stop') throw new Error(plan.message);
  console.log(`Installing system packages the tests need: ${plan.packages.join(' ')}`);
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', ...plan.packages],
  ]) {
    const result = spawnSync('apt-get', args, {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    if (result.status !== 0)
      throw new Error(
        `apt-get ${args.join(' ')} failed (exit ${result.status}); run it by hand and see why.`,
      );
  }
  const still = planSystemPackages(machine);
  if (still.kind !== 'ready') throw new Error(`still missing after apt-get: ${plan.packages.join(' ')}`);
}
