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

/** Runs `tasks` with tinybench (a few warm-up runs, then timed runs) and turns each into a row. */
export function measure(
  workload: string,
  operations: number,
  tasks: Record<string, { run: () => void; setup?: () => void }>,
  iterations = 10,
): BenchRow[] {
  const bench = new Bench({ iterations, time: 0, warmupIterations: 2, warmupTime: 0 });
  for (const [name, task] of Object.entries(tasks)) {
    bench.add(name, task.run, task.setup === undefined ? {} : { beforeEach: task.setup });
  }
  bench.runSync();
  return bench.tasks.map((task: Task) => {
    const result = task.result;
    if (result.state !== 'completed') throw new Error(`${task.name}: ${result.state}`);
    const meanMs = result.latency.mean;
    return { workload, subject: task.name, meanMs, opsPerSecond: operations / (meanMs / 1000) };
  });
}

export const formatRate = (n: number) =>
  n >= 1e6 ? `${(n / 1e6).toFixed(2)} M/s` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} k/s` : `${n.toFixed(0)}/s`;
