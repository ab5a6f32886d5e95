import fc from 'fast-check';
import type { HostileRequest } from './AppAdapter.js';

/**
 * The stream protocol's requests (subscribe, unsubscribe, resync), shaped for hostile input against an app's
 * streams: `stream` draws names (the app's real ones, unknown ones, malformed ones), resume points are near the
 * stream's `position` when the run starts — right, stale (older than the history holds), from the future or of
 * another epoch — and `options` (when the app's subscribe takes any) are drawn too.
 */
export function streamProtocolRequests(
  stream: fc.Arbitrary<string>,
  position: { epoch: string; seq: number },
  options?: fc.Arbitrary<Record<string, unknown>>,
): HostileRequest[] {
  const resume = fc.record({
    epoch: fc.oneof(fc.constant(position.epoch), fc.string({ minLength: 1, maxLength: 12 })),
    seq: fc.oneof(fc.constant(position.seq), fc.integer({ min: 0, max: position.seq + 1000 })),
  });
  const subscribe =
    options === undefined
      ? fc.record({ stream, resume }, { requiredKeys: ['stream'] })
      : fc.record({ stream, resume, options }, { requiredKeys: ['stream'] });
  return [
    { event: 'subscribe', valid: subscribe },
    { event: 'unsubscribe', valid: fc.record({ stream }) },
    { event: 'resync', valid: fc.record({ stream }) },
  ];
}
