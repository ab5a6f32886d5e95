import { seedFromEnv } from './SeededRandom.js';

/**
 * The seed one randomized test runs with: `TWOHOP_SEED` when set, else the test's own fixed seed (so a plain run is
 * reproducible). Printed with the test's name, so a failure always names the seed that reproduces it.
 */
export function testSeed(name: string, fixed: number): number {
  const seed = seedFromEnv(fixed);
  console.log(`seed ${seed} for ${name} (rerun with TWOHOP_SEED=${seed})`);
  return seed;
}

/**
 * fast-check parameters for a seeded property — `fc.assert(property, { ...seededProperty('name', 0x2b0b),
 * numRuns: 150 })`: the seed from {@link testSeed}, and `verbose` so a counterexample shows every step.
 */
export function seededProperty(name: string, fixed: number): { seed: number; verbose: true } {
  return { seed: testSeed(name, fixed), verbose: true };
}
