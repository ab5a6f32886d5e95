/**
 * Sparkplug B payload bytes, on the Eclipse Tahu `sparkplug-payload` package (the specification's protobuf schema
 * compiled for protobufjs). Shared by the host (src/server) and the simulated edge nodes (src/edge).
 */
import sparkplug from 'sparkplug-payload';
import type { SparkplugDataType, SparkplugMetric, SparkplugPayload } from '../domain/sparkplugPayload.js';

const codec = sparkplug.get('spBv1.0');
if (codec === null) throw new Error('sparkplug-payload does not know spBv1.0');

/** A payload that is not a Sparkplug B protobuf (stable code `malformed_payload`). */
export class SparkplugDecodeError extends Error {
  readonly code = 'malformed_payload';
  constructor(message: string) {
    super(message);
    this.name = 'SparkplugDecodeError';
  }
}

/** Whether `error` is a {@link SparkplugDecodeError}. */
export const isSparkplugDecodeError = (error: unknown): error is SparkplugDecodeError =>
  error instanceof SparkplugDecodeError;

// protobufjs hands 64-bit integers over as Long objects (`{low, high, unsigned}`); twohop's values fit a double.
const toNumber = (value: unknown): number | undefined => {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number') return value;
  if (typeof value === 'object' && 'toNumber' in value && typeof value.toNumber === 'function')
    return (value as { toNumber(): number }).toNumber();
  return undefined;
};

const KNOWN_TYPES: readonly string[] = ['Int32', 'UInt64', 'Double', 'Boolean', 'String'];

/** Encodes a payload. */
export function encodeSparkplug(payload: SparkplugPayload): Uint8Array {
  return codec!.encodePayload({
    ...(payload.timestamp === undefined ? {} : { timestamp: payload.timestamp }),
    ...(payload.seq === undefined ? {} : { seq: payload.seq }),
    metrics: payload.metrics.map((metric) => ({
      ...(metric.name === undefined ? {} : { name: metric.name }),
      ...(metric.alias === undefined ? {} : { alias: metric.alias }),
      ...(metric.timestamp === undefined ? {} : { timestamp: metric.timestamp }),
      type: metric.type,
      value: metric.value,
    })),
  });
}

/** Decodes a payload; throws {@link SparkplugDecodeError} for bytes that are not one. */
export function decodeSparkplug(bytes: Uint8Array): SparkplugPayload {
  let decoded: ReturnType<NonNullable<typeof codec>['decodePayload']>;
  try {
    decoded = codec!.decodePayload(bytes);
  } catch (error) {
    throw new SparkplugDecodeError(`not a Sparkplug B payload: ${(error as Error).message}`);
  }
  const metrics: SparkplugMetric[] = [];
  for (const metric of decoded.metrics ?? []) {
    // Metric types twohop does not use (data sets, templates…) are skipped, not refused: a real node may send them.
    if (!KNOWN_TYPES.includes(metric.type)) continue;
    const raw = metric.value;
    const value =
      typeof raw === 'boolean' || typeof raw === 'string' || raw === null ? raw : (toNumber(raw) ?? null);
    metrics.push({
      name: metric.name ?? undefined,
      alias: toNumber(metric.alias),
      type: metric.type as SparkplugDataType,
      value,
      timestamp: toNumber(metric.timestamp),
    });
  }
  return { timestamp: toNumber(decoded.timestamp), seq: toNumber(decoded.seq), metrics };
}
