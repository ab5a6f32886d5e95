import { defineConfig } from 'vitest/config';

// The vitest config `pnpm mutate` runs (scripts/mutate.ts): test files relative to the target's folder (Stryker
// passes it as `dir`), without the browser and end-to-end tests, which reach the mutated code only from afar.
export default defineConfig({
  test: {
    // A target's folder may itself be a source folder (the auction's `src/domain`): its own test files count too.
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', '*.test.ts'],
    exclude: [
      '**/node_modules/**',
      '**/dist/**',
      '**/*.browser.test.ts',
      '**/*.e2e.test.ts',
      '**/*.main.test.ts',
    ],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
