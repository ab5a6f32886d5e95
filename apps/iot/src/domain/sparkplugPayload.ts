/**
 * A Sparkplug B payload as the host and the edge nodes handle it, independent of the protobuf library: numbers
 * instead of 64-bit Longs, only the fields twohop uses. `src/sparkplug/sparkplugCodec.ts` turns it into bytes.
 */

/** The Sparkplug B data types twohop sends. */
export type SparkplugDataType = 'Int32' | 'UInt64' | 'Double' | 'Boolean' | 'String';

/** One metric in a payload. In a BIRTH it carries its name (and alias); later messages may carry the alias only. */
export interface SparkplugMetric {
  readonly name?: string | undefined;
  readonly alias?: number | undefined;
  readonly type: SparkplugDataType;
  readonly value: number | boolean | string | null;
  /** ms since the Unix epoch. */
  readonly timestamp?: number | undefined;
}

/** A decoded payload. `seq` is absent only in an NDEATH (and in commands). */
export interface SparkplugPayload {
  /** ms since the Unix epoch, when the message was sent. */
  readonly timestamp?: number | undefined;
  /** 0–255, shared by every message of one edge node, wrapping to 0 after 255. */
  readonly seq?: number | undefined;
  readonly metrics: readonly SparkplugMetric[];
}

/** Sparkplug's reserved node metric names (specification 3.0, "Edge Node Control"). */
export const BD_SEQ = 'bdSeq';
export const NODE_CONTROL_REBIRTH = 'Node Control/Rebirth';
/** twohop's node metrics that place a node on the site. */
export const SITE_BUILDING = 'Site/Building';
export const SITE_FLOOR = 'Site/Floor';

/** Sparkplug's `seq` runs 0..255 and wraps. */
export const SPARKPLUG_SEQ_MODULUS = 256;

/** The `bdSeq` metric of an NBIRTH or NDEATH, or undefined when it is missing or not a whole number. */
export function bdSeqOf(payload: SparkplugPayload): number | undefined {
  const metric = payload.metrics.find((candidate) => candidate.name === BD_SEQ);
  return typeof metric?.value === 'number' && Number.isInteger(metric.value) ? metric.value : undefined;
}

/** The NCMD that asks a node to republish its births (`Node Control/Rebirth = true`). */
export function rebirthCommand(now: number): SparkplugPayload {
  return {
    timestamp: now,
    metrics: [{ name: NODE_CONTROL_REBIRTH, type: 'Boolean', value: true, timestamp: now }],
  };
}

/** Whether an NCMD payload asks for a rebirth. */
export const asksForRebirth = (payload: SparkplugPayload): boolean =>
  payload.metrics.some((metric) => metric.name === NODE_CONTROL_REBIRTH && metric.value === true);
