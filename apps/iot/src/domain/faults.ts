import { z } from 'zod';
import { METRIC_NAMES } from './site.js';

const id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[^/+#]+$/, 'no MQTT separators or wildcards');

/**
 * A fault the device simulator injects on demand (`POST /api/faults` with one of these as its JSON body). Each
 * names an edge node of the simulated fleet by its id (`b1-f3`).
 */
export const fleetFaultSchema = z.discriminatedUnion('kind', [
  /** The node's next `count` messages are numbered but never sent: the host sees a seq gap and asks for a rebirth. */
  z.strictObject({ kind: z.literal('lose'), node: id, count: z.number().int().min(1).max(16).default(1) }),
  /** The node's next two messages are sent in swapped order: inside the host's reorder window, no rebirth. */
  z.strictObject({ kind: z.literal('reorder'), node: id }),
  /** The node's connection drops without DISCONNECT: the broker publishes its will (NDEATH); it stays dead. */
  z.strictObject({ kind: z.literal('die'), node: id }),
  /** The node comes back (or reconnects at once when alive) with the next `bdSeq` and a fresh birth. */
  z.strictObject({ kind: z.literal('reconnect'), node: id }),
  /** The node publishes an NDEATH with its previous session's bdSeq (a late will): the host must ignore it. */
  z.strictObject({ kind: z.literal('late-will'), node: id }),
  /** A sensor runs hot: the metric drifts `by` (per second) out of its healthy range until cooled. */
  z.strictObject({
    kind: z.literal('hot'),
    node: id,
    device: id,
    metric: z.enum(METRIC_NAMES as [string, ...string[]]).default('temperature'),
    by: z.number().min(-1000).max(1000).default(1),
  }),
  /** Ends a `hot` fault: the sensor returns to its healthy range. */
  z.strictObject({ kind: z.literal('cool'), node: id, device: id }),
]);

/** A validated fault (see {@link fleetFaultSchema}). */
export type FleetFault = z.output<typeof fleetFaultSchema>;

/** A fault as a client sends it (defaults may be left out). */
export type FleetFaultInput = z.input<typeof fleetFaultSchema>;
