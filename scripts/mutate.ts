/**
 * `pnpm mutate [target…] [--incremental]`: mutation testing with Stryker (its vitest runner) on the code whose rules
 * the tests claim to guard. Each target runs on its own, one after another, with only its own tests; with no target,
 * every one. Reports go to `reports/mutation/<target>.html` and `.json`; the last line per target is its score.
 *
 * Stryker mutates the target's files in place and puts them back when it finishes (a pnpm workspace resolves its
 * packages through per-package `node_modules` links, which a copied sandbox would lose): leave the sources alone
 * while it runs. Slow by nature — a mutant is a test run — so it is not part of `pnpm test`.
 */
import { Stryker } from '@stryker-mutator/core';

type StrykerOptions = NonNullable<ConstructorParameters<typeof Stryker>[0]>;

interface Target {
  /** The folder whose `src/` and `test/` tests run against the mutants. */
  readonly dir: string;
  /** The files to mutate (globs from the repository root). */
  readonly mutate: readonly string[];
}

const notTests = ['!**/*.test.ts', '!**/index.ts'];
const targets: Record<string, Target> = {
  sequence: { dir: 'packages/sequence', mutate: ['packages/sequence/src/**/*.ts', ...notTests] },
  'snapshot-delta': {
    dir: 'packages/snapshot-delta',
    mutate: ['packages/snapshot-delta/src/**/*.ts', ...notTests],
  },
  conflation: { dir: 'packages/conflation', mutate: ['packages/conflation/src/**/*.ts', ...notTests] },
  server: {
    dir: 'packages/server',
    mutate: [
      // The subscription, its outbox and the limits; the request layer (router, gate, per-user budgets).
      'packages/server/src/{Subscription,Outbox,limits,RequestRouter,RequestGate,IdentityBudgets}.ts',
      ...notTests,
    ],
  },
  // The auction's rules, with only the domain's own tests (the store and race tests reach them too, but slowly).
  auction: { dir: 'apps/auction/src/domain', mutate: ['apps/auction/src/domain/**/*.ts', ...notTests] },
  chat: {
    dir: 'apps/chat',
    mutate: ['apps/chat/src/store/**/*.ts', 'apps/chat/src/domain/**/*.ts', ...notTests],
  },
};

const args = process.argv.slice(2).filter((arg) => arg !== '--');
const incremental = args.includes('--incremental');
const requested = args.filter((arg) => !arg.startsWith('--'));
const unknown = requested.filter((name) => !(name in targets));
if (unknown.length > 0) {
  console.error(`unknown target ${unknown.join(', ')}; targets: ${Object.keys(targets).join(', ')}`);
  process.exit(2);
}

const scores: string[] = [];
for (const name of requested.length > 0 ? requested : Object.keys(targets)) {
  const target = targets[name] as Target;
  const options: StrykerOptions = {
    testRunner: 'vitest',
    plugins: ['@stryker-mutator/vitest-runner'],
    // Every test in the target's folder runs (perTest coverage then picks the ones that reach each mutant).
    vitest: { configFile: 'vitest.mutate.config.ts', dir: target.dir, related: false },
    mutate: [...target.mutate],
    inPlace: true,
    // vitest does not type-check, so there are no type errors to silence (and the silencing misparses TS files).
    disableTypeChecks: false,
    coverageAnalysis: 'perTest',
    // Two shared cores: one test process at a time keeps the machine usable and timeouts honest.
    concurrency: 1,
    timeoutMS: 10_000,
    reporters: ['clear-text', 'progress', 'html', 'json'],
    htmlReporter: { fileName: `reports/mutation/${name}.html` },
    jsonReporter: { fileName: `reports/mutation/${name}.json` },
    tempDirName: `.stryker-tmp/${name}`,
    thresholds: { high: 85, low: 70, break: null },
    incremental,
    incrementalFile: `reports/mutation/${name}.incremental.json`,
  };
  const results = await new Stryker(options).runMutationTest();
  const killed = results.filter((r) => r.status === 'Killed' || r.status === 'Timeout').length;
  const survived = results.filter((r) => r.status === 'Survived' || r.status === 'NoCoverage').length;
  const score = killed + survived === 0 ? 100 : (100 * killed) / (killed + survived);
  scores.push(`${name}: ${score.toFixed(1)}% (${killed} killed, ${survived} survived)`);
}
console.log(`\nmutation scores\n  ${scores.join('\n  ')}`);
