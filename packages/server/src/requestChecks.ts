import { RESERVED_KEYS } from '@twohop/protocol';

/** The size of `value` as UTF-8 JSON, or Infinity when it cannot be encoded (a cycle, a BigInt). */
export function payloadBytes(value: unknown): number {
  try {
    return Buffer.byteLength(JSON.stringify(value ?? null));
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

/**
 * The first reserved key (`__proto__`, `constructor`, `prototype`) among `value`'s own keys, at any depth: refused
 * before any schema or handler sees the request. The size limit bounds the walk.
 */
export function reservedKeyIn(value: unknown): string | undefined {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const next = stack.pop();
    if (typeof next !== 'object' || next === null) continue;
    for (const key of Object.keys(next)) {
      if (RESERVED_KEYS.has(key)) return key;
      stack.push((next as Record<string, unknown>)[key]);
    }
  }
  return undefined;
}

/** A request name as an error message quotes it. */
export function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : typeof value;
}
