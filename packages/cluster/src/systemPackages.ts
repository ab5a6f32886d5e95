import { execFileSync, spawnSync } from 'node:child_process';

/** A program that comes from the operating system, not from npm. */
export interface SystemPackage {
  /** The command that is run, looked up on PATH. */
  readonly command: string;
  /** The Debian package that provides it. */
  readonly apt: string;
  /** What needs it. */
  readonly usedBy: string;
}

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

/** Who needs the packages, for the message a person reads. */
export interface SystemPackagePurpose {
  /** @default 'The test suite' */
  readonly who?: string;
  /** What to do once they are installed. @default 'run the tests again' */
  readonly retry?: string;
}

/**
 * Which packages are missing, and whether this run can install them (root, with apt-get) or must stop with the exact
 * command a person runs to fix it.
 */
export function planSystemPackages(
  machine: Machine,
  packages: readonly SystemPackage[],
  purpose: SystemPackagePurpose = {},
): SystemPackagePlan {
  const missing = packages.filter((needed) => !machine.has(needed.command));
  if (missing.length === 0) return { kind: 'ready' };
  const names = missing.map((needed) => needed.apt);
  if (machine.root && machine.has('apt-get')) return { kind: 'install', packages: names };
  const retry = purpose.retry ?? 'run the tests again';
  const command = `${machine.root ? '' : 'sudo '}apt-get install -y ${names.join(' ')}`;
  const why = missing.map((needed) => `  ${needed.command}: ${needed.usedBy}`).join('\n');
  const how = machine.has('apt-get')
    ? `Run:\n\n  ${command}\n\nthen ${retry}.`
    : `Install ${names.join(', ')} with this system's package manager (on Debian or Ubuntu: ${command}), then ${retry}.`;
  return {
    kind: 'stop',
    message: `${purpose.who ?? 'The test suite'} needs system packages that are missing:\n${why}\n${how}`,
  };
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
 * Makes sure every package in `packages` is here: installs what is missing where it can (root and apt-get, saying
 * so), and otherwise throws with the command to run.
 */
export function ensureSystemPackages(
  packages: readonly SystemPackage[],
  purpose: SystemPackagePurpose = {},
  machine: Machine = thisMachine(),
): void {
  const plan = planSystemPackages(machine, packages, purpose);
  if (plan.kind === 'ready') return;
  if (plan.kind === 'stop') throw new Error(plan.message);
  console.log(
    `Installing the system packages ${purpose.who ?? 'the test suite'} needs: ${plan.packages.join(' ')}`,
  );
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
  const still = planSystemPackages(machine, packages, purpose);
  if (still.kind !== 'ready') throw new Error(`still missing after apt-get: ${plan.packages.join(' ')}`);
}
