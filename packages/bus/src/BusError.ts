/**
 * Why a bus refused:
 * - `closed`: the handle was closed;
 * - `invalid_data`: the change or snapshot does not survive JSON (undefined, a BigInt, a cycle);
 * - `unavailable`: the bus cannot be reached (a network bus);
 * - `catch_up_failed`: a mirror could not find a snapshot and log that join up (retried on its own).
 */
export type BusErrorCode = 'closed' | 'invalid_data' | 'unavailable' | 'catch_up_failed';

/** An error from a {@link Bus} or what follows one, with a stable `code`. */
export class BusError extends Error {
  override readonly name = 'BusError';

  constructor(
    readonly code: BusErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Whether `error` is a {@link BusError} (with `code` when given). */
export function isBusError(error: unknown, code?: BusErrorCode): error is BusError {
  return error instanceof BusError && (code === undefined || error.code === code);
}

/**
 * `value` as the JSON text a bus stores; a value that does not survive JSON (`undefined`, a BigInt, a cycle) is
 * refused with `invalid_data`. Every bus implementation encodes with it, so they refuse the same values.
 */
export function encodeBusData(value: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    json = undefined;
  }
  if (json === undefined) throw new BusError('invalid_data', 'bus data must survive JSON');
  return json;
}
