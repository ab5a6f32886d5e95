import { describe, expect, it } from 'vitest';
import type { AppAdapter } from './AppAdapter.js';
import { propertyContext, type Property } from './Property.js';
import { apps } from './registry.js';

/**
 * Runs each property of `properties` against every app that offers its capability, and beside it each of its
 * canaries, which it must fail.
 */
export function conformance(properties: readonly Property[]): void {
  for (const adapter of apps) {
    const applicable = properties.filter(
      (property) => property.needs === 'common' || adapter.capabilities.includes(property.needs),
    );
    if (applicable.length === 0) continue;
    describe(`conformance: ${adapter.name}`, () => {
      for (const property of applicable) {
        const knownGap = adapter.failsToday?.[property.name];
        if (knownGap !== undefined) {
          // Known to fail today: it runs, and must fail, until the app meets it (then this entry goes).
          it.fails(`${property.name} — fails today: ${knownGap}`, () => runOnce(adapter, property));
          continue;
        }
        it(property.name, () => runOnce(adapter, property));
        for (const canary of property.canaries) {
          it(`  …and fails when ${canary.name}`, async () => {
            const outcome = await runOnce(adapter, property, canary).then(
              () => ({ failed: false, reason: 'it passed' }),
              (error: unknown) => ({
                failed: true,
                reason: error instanceof Error ? error.message : JSON.stringify(error),
              }),
            );
            if (process.env['TWOHOP_CANARY_REASONS'] !== undefined)
              console.log(`${canary.name}: ${outcome.reason}`);
            expect(outcome.failed, 'the property failed on its canary').toBe(true);
          });
        }
      }
    });
  }
}

async function runOnce(adapter: AppAdapter, property: Property, canary?: Property['canaries'][number]) {
  const { context, cleanup } = propertyContext(adapter, canary);
  try {
    await property.run(context);
  } finally {
    await cleanup();
  }
}
