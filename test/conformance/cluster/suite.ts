import { discoverApps } from '@twohop/app-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppClusters, type AppCluster, type AppClusters } from './appCluster.js';
import type { ClusterAdapter, LinkFault } from './ClusterAdapter.js';
import { LINK_FAULTS } from './ClusterAdapter.js';
import { awaitingAdapter, clusterAdapters } from './registry.js';
import { failoverRound } from './resumeAfterKill.js';

/** Each canary in words: what the property must catch. */
const CANARIES: Record<LinkFault, string> = {
  'forget-resume': 'the new node never hears where the client was (it forgets the history)',
  'drop-one': 'one change is lost on the way from the new node',
  'repeat-one': 'one change arrives twice from the new node',
};

/** A failover round and its canaries run this long at most (a cluster of real processes on two shared cores). */
const ROUND_MS = 90_000;

/**
 * The cluster property against every app in the registry: each app's cluster (redis-server, its singletons, three
 * nodes, nginx in front, all real processes through `@twohop/cluster`) starts once; each round pins a client to a
 * node, SIGKILLs that node and judges the resume on another, then restarts the node for the next round. The real
 * round must come through whole; each canary round must not.
 */
export function clusterConformance(adapters: readonly ClusterAdapter[] = clusterAdapters): void {
  const covered = adapters.map((adapter) => adapter.app);
  const awaiting = awaitingAdapter.length === 0 ? '' : `; no adapter yet: ${awaitingAdapter.join(', ')}`;
  it(`covers every app with a cluster plan (covered: ${covered.join(', ')}${awaiting})`, () => {
    const planned = discoverApps(new URL('../../../apps/', import.meta.url))
      .filter((app) => app.cluster !== undefined)
      .map((app) => app.name);
    expect([...covered, ...awaitingAdapter].sort()).toEqual(planned.sort());
  });

  for (const adapter of adapters) {
    describe(`cluster conformance: ${adapter.app}`, () => {
      let started: AppClusters | undefined;
      let cluster: AppCluster;
      let driver: Awaited<ReturnType<ClusterAdapter['drive']>> | undefined;
      let restarting: Promise<void> = Promise.resolve();
      beforeAll(async () => {
        started = await startAppClusters([adapter], { nodes: 3 });
        cluster = started.apps[0]!;
        driver = await adapter.drive(cluster.view, 1);
      }, ROUND_MS);
      afterAll(async () => {
        await driver?.stop();
        await restarting.catch(() => undefined);
        await started?.cluster.stop();
      }, ROUND_MS);

      /** One round; the killed node restarts in the background, awaited before a round that needs it. */
      const round = async (fault?: LinkFault) => {
        if (cluster.live().length < 2) await restarting;
        const result = await failoverRound(cluster, adapter, fault);
        // A failed restart fails the next round that needs the node (and the cleanup), never unobserved.
        const restarted = restarting.then(() => cluster.restart(result.killed));
        restarted.catch(() => undefined);
        restarting = restarted;
        return result;
      };

      it(
        'a client whose node is SIGKILLed resumes through nginx on another: nothing lost, duplicated or reordered, exact convergence',
        async () => {
          const result = await round();
          expect(result.faults).toEqual([]);
        },
        ROUND_MS,
      );
      for (const fault of LINK_FAULTS) {
        it(
          `  …and fails when ${CANARIES[fault]}`,
          async () => {
            const outcome = await round(fault).then(
              (result) => result.faults,
              (error: unknown) => [error instanceof Error ? error.message : String(error)],
            );
            if (process.env['TWOHOP_CANARY_REASONS'] !== undefined)
              console.log(`${fault}: ${outcome.join('; ')}`);
            expect(outcome.length, 'the property found something wrong on its canary').toBeGreaterThan(0);
          },
          ROUND_MS,
        );
      }
    });
  }
}
