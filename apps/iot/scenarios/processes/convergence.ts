import type { DeviceSnapshot } from '../../src/domain/FleetState.js';
import type { DeviceTruth } from '../../src/edge/edgeTypes.js';

/** Whether the host's fleet equals the simulator's truth. */
export interface Convergence {
  readonly ok: boolean;
  readonly compared: number;
  /** `device: what differs`, for the report. */
  readonly mismatches: string[];
}

/**
 * Compares what the host holds with the simulator's truth: every device known to both, online alike, and every
 * online device's values equal (the exact doubles the sensors sent).
 */
export function converged(
  held: Record<string, DeviceSnapshot>,
  truth: Record<string, DeviceTruth>,
): Convergence {
  const mismatches: string[] = [];
  for (const [key, expected] of Object.entries(truth)) {
    const actual = held[key];
    if (actual === undefined) mismatches.push(`${key}: unknown to the host`);
    else if (actual.online !== expected.online)
      mismatches.push(`${key}: online ${actual.online}, truth ${expected.online}`);
    else if (
      expected.online &&
      JSON.stringify(sorted(actual.values)) !== JSON.stringify(sorted(expected.values))
    )
      mismatches.push(`${key}: ${JSON.stringify(actual.values)} ≠ ${JSON.stringify(expected.values)}`);
  }
  return { ok: mismatches.length === 0, compared: Object.keys(truth).length, mismatches };
}

const sorted = (values: object) =>
  Object.fromEntries(Object.entries(values).sort(([a], [b]) => a.localeCompare(b)));
