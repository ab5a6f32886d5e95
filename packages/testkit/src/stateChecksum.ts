import type { KeyedState } from '@twohop/snapshot-delta';

/** FNV-1a of a key with its value: one entry's contribution to the checksum. */
function entryHash(key: string, value: unknown): number {
  let hash = 0x811c9dc5;
  const text = `${key}=${value}`;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/** An order-independent checksum of the whole state (apps use CRC32 of a canonical form; any function works). */
export const keyedChecksum = (state: KeyedState<unknown>): number => {
  let sum = state.size;
  for (const [key, value] of state) sum = (sum + entryHash(key, value)) % 4_294_967_291;
  return sum;
};
