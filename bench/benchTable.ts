import { Bench, type Task } from 'tinybench';

/** One measured row: a workload, an implementation, and its throughput. */
export interface BenchRow {
  readonly workload: string;
  readonly subject: string;
  readonly opsPerSecond: number;
  /** Mean time for one run of the whole workload, in milliseconds. */
  readonly meanMs: number;
  readonly note?: string;
}

/**
 * Runs `tasks` with tinybench in `rounds` interleaved rounds (subject, baseline, subject, baseline, …), each a few
 * warm-up runs and then `iterations` timed runs, and reports each task's median round. Interleaving spreads the
 * machine's drift over both sides instead of landing it on whichever ran second.
 */
export function measure(
  workload: string,
  operations: number,
  tasks: Record<string, { run: () => void; setup?: () => void }>,
  { rounds = 7, iterations = 5 } = {},
): BenchRow[] {
  const means = new Map<string, number[]>(Object.keys(tasks).map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    const bench = new Bench({ iterations, time: 0, warmupIterations: 1, warmupTime: 0 });
    for (const [name, task] of Object.entries(tasks)) {
      bench.add(name, task.run, task.setup === undefined ? {} : { beforeEach: task.setup });
    }
    bench.runSync();
    for (const task of bench.tasks as Task[]) {
      const result = task.result;
      if (result.state !== 'completed') throw new Error(`${task.name}: ${result.state}`);
      means.get(task.name)?.push(result.latency.mean);
    }
  }
  return [...means].map(([subject, samples]) => {
    const meanMs = [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)] as number;
    return { workload, subject, meanMs, opsPerSecond: operations / (meanMs / 1000) };
  });
}

export const formatRate = (n: number) =>
  n >= 1e6 ? `${(n / 1e6).toFixed(2)} M/s` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} k/s` : `${n.toFixed(0)}/s`;
