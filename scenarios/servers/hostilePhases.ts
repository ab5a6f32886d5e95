import type { ChildProcess } from 'node:child_process';
import type { LatencySummary } from '@twohop/metrics';
import { reply, sleep } from './ipc.js';

const MiB = 2 ** 20;

/** A phase's bystander figures: its round trips, and requests refused or left unanswered. */
export type PhaseSummary = LatencySummary & { refused: number; unanswered: number };

/**
 * The bookkeeping of a hostile scenario: the phase now running (told to the bystander, which files its round trips
 * under it), and the server's RSS sampled live every 200 ms with the phase each sample fell in. The server process
 * answers `{cmd: 'rss', gc: false}` with `{rss}`; the bystander is `requestBystander.ts`.
 */
export function hostilePhases(server: ChildProcess, bystander: ChildProcess) {
  const started = performance.now();
  const samples: Array<{ t: number; phase: string; mib: number }> = [];
  let phase = 'warm-up';
  let sampling = true;
  const sampler = (async () => {
    while (sampling && server.exitCode === null && server.signalCode === null) {
      const { rss } = await reply<{ rss: number }>(server, 'rss', { cmd: 'rss', gc: false });
      samples.push({ t: (performance.now() - started) / 1000, phase, mib: rss / MiB });
      await sleep(200);
    }
  })();
  return {
    /** Starts a phase. */
    enter(name: string): void {
      phase = name;
      bystander.send({ cmd: 'phase', name });
    },
    /** The server's RSS in a phase: first, peak and last sample (MiB). */
    rss(name: string): { start: number; peak: number; end: number } {
      const inPhase = samples.filter((sample) => sample.phase === name).map((sample) => sample.mib);
      return { start: inPhase[0] ?? 0, peak: Math.max(0, ...inPhase), end: inPhase.at(-1) ?? 0 };
    },
    /** Every RSS sample as [seconds, MiB], for a report's chart. */
    rssSeries(): Array<[number, number]> {
      return samples.map((sample) => [Number(sample.t.toFixed(1)), Number(sample.mib.toFixed(1))]);
    },
    /** Stops sampling and collects the bystander's round trips per phase. */
    async finish() {
      sampling = false;
      await sampler;
      return reply<{
        summary: Record<string, PhaseSummary>;
        distribution: Record<string, Array<[number, number]>>;
        samples: Array<[number, number]>;
      }>(bystander, 'summary', { cmd: 'summary' });
    },
  };
}

/** `code n, code n …`, largest first. */
export const codesText = (codes: Record<string, number>) =>
  Object.entries(codes)
    .sort(([, a], [, b]) => b - a)
    .map(([code, n]) => `${code} ${n}`)
    .join(', ');
