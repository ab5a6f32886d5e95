/** What benchmark and scenario reports share: the machine line, and writing their section of docs/benchmarks.md. */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, type } from 'node:os';
import { fileURLToPath } from 'node:url';

const docPath = fileURLToPath(new URL('../../../../docs/benchmarks.md', import.meta.url));

/** The machine figures were taken on: CPU, cores, memory, OS, Node. */
export function machine(): string {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  return `${cpu}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, ${type()}, Node ${process.version}`;
}

/**
 * Replaces the text between `<!-- name:begin -->` and `<!-- name:end -->` in docs/benchmarks.md, appending the
 * section when it is missing, so each benchmark or scenario owns its section and reruns replace it.
 */
export function writeBenchmarkSection(name: string, body: string): void {
  const begin = `<!-- ${name}:begin -->`;
  const end = `<!-- ${name}:end -->`;
  const doc = readFileSync(docPath, 'utf8');
  const start = doc.indexOf(begin);
  const stop = doc.indexOf(end);
  const section = `${begin}\n${body}\n${end}`;
  writeFileSync(
    docPath,
    start >= 0 && stop > start
      ? doc.slice(0, start) + section + doc.slice(stop + end.length)
      : `${doc.trimEnd()}\n\n${section}\n`,
  );
  console.log(`wrote the ${name} section of docs/benchmarks.md`);
}
