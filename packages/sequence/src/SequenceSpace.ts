/**
 * How far apart two sequence numbers are. Servers number changes with unbounded integers; devices number their
 * messages 0..255 and wrap (as Sparkplug B does). Both are spaces with a signed `distance`, so one gap detector and
 * one reorder window serve both.
 */
export interface SequenceSpace {
  /** Signed distance from `a` to `b`: positive when `b` comes after `a`. */
  distance(a: number, b: number): number;
  /** The seq `n` steps after `seq`. */
  advance(seq: number, n: number): number;
  /** Whether `seq` is a valid number in this space. */
  isValid(seq: number): boolean;
}

/** Unbounded non-negative integers: the server-side numbering of every stream. */
export const linearSpace: SequenceSpace = {
  distance: (a, b) => b - a,
  advance: (seq, n) => seq + n,
  isValid: (seq) => Number.isSafeInteger(seq) && seq >= 0,
};

/**
 * Integers `0..modulus-1` that wrap around, compared by serial-number arithmetic (RFC 1982): `b` is after `a` when
 * it is 1 to half the space ahead. With the default modulus 256, 255 → 0 is one step forward; a number 1 to 127
 * behind is old; exactly 128 away — which RFC 1982 leaves undefined — counts as ahead, and so does anything 129 to
 * 255 behind, since that is 127 to 1 ahead.
 */
export function wrappingSpace(modulus = 256): SequenceSpace {
  if (!Number.isSafeInteger(modulus) || modulus < 4) throw new RangeError(`modulus must be an integer >= 4`);
  const half = modulus / 2;
  return {
    distance(a, b) {
      const d = (((b - a) % modulus) + modulus) % modulus;
      return d > half ? d - modulus : d;
    },
    advance: (seq, n) => (((seq + n) % modulus) + modulus) % modulus,
    isValid: (seq) => Number.isInteger(seq) && seq >= 0 && seq < modulus,
  };
}
