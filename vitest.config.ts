import { defineConfig } from 'vitest/config';

// One vitest run covers the whole workspace: unit tests next to the code in packages/ and apps/,
// cross-package and cross-app tests in test/. Workspace packages export their TypeScript source
// (see any packages/*/package.json), so tests never run stale build output.
export default defineConfig({
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'packages/*/test/**/*.test.ts',
      'apps/*/src/**/*.test.ts',
      'apps/*/test/**/*.test.ts',
      'test/**/*.test.ts',
    ],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    reporters: ['default', './test/summaryLineReporter.ts'],
    // Installs the system packages the suite needs (Chromium, …) where it can, or stops the run saying how.
    globalSetup: ['./test/system/globalSetup.ts'],
  },
});
