import {
  ensureSystemPackages as ensure,
  planSystemPackages as plan,
  thisMachine,
  type Machine,
  type SystemPackage,
  type SystemPackagePlan,
} from '@twohop/cluster';

export { thisMachine, type Machine, type SystemPackage, type SystemPackagePlan };

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
  {
    command: 'nginx',
    apt: 'nginx',
    usedBy: 'the cluster launcher in front of several nodes (packages/cluster, testkit’s startNginx)',
  },
];

/**
 * Which of `packages` are missing, and whether this run can install them (root, with apt-get) or must stop with the
 * exact command a person runs to fix it. The planning is the cluster launcher's (`pnpm start --nodes N` uses it too).
 */
export const planSystemPackages = (
  machine: Machine,
  packages: readonly SystemPackage[] = SYSTEM_PACKAGES,
): SystemPackagePlan => plan(machine, packages);

/**
 * Makes sure every system package the suite needs is here: installs what is missing where it can (root and apt-get),
 * and otherwise throws with the command to run, so the run stops before any test.
 */
export function ensureSystemPackages(machine: Machine = thisMachine()): void {
  ensure(SYSTEM_PACKAGES, {}, machine);
}
