/**
 * Where a stream lives in Redis. Every key of one stream shares the hash tag `{<stream>}`, so one script may touch
 * them all (also on Redis Cluster, where they land on one slot):
 * - `<prefix>{<stream>}:meta` — a hash: `e` the epoch, `s` the top seq;
 * - `<prefix>{<stream>}:log:<epoch>` — the epoch's Redis Stream, entry id `<seq>-0`, fields `d` (data) and `t` (ts);
 * - `<prefix>{<stream>}:snap` — a hash: `e`, `s`, `d`, the kept snapshot.
 */
export interface StreamKeys {
  readonly meta: string;
  readonly snapshot: string;
  /** The log's key without its epoch. */
  readonly logPrefix: string;
  log(epoch: string): string;
}

/** The keys of `stream` under `prefix`. */
export function streamKeys(prefix: string, stream: string): StreamKeys {
  const base = `${prefix}{${stream}}`;
  const logPrefix = `${base}:log:`;
  return { meta: `${base}:meta`, snapshot: `${base}:snap`, logPrefix, log: (epoch) => logPrefix + epoch };
}

/** A Redis Stream entry as Redis returns it: `[id, [field, value, …]]`. */
export type RawEntry = [string, string[]];

/** The fields of a raw entry, by name. */
export function fieldsOf(entry: RawEntry): Map<string, string> {
  const [, flat] = entry;
  const fields = new Map<string, string>();
  for (let i = 0; i + 1 < flat.length; i += 2) fields.set(flat[i]!, flat[i + 1]!);
  return fields;
}
