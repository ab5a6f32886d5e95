import protobuf from 'protobufjs/light.js';
import type { Checksum, DeltaMessage, ServerMessage } from './messages.js';
import type { Codec } from './jsonCodec.js';
import { envelopeDescriptor } from './generated/envelopeDescriptor.js';

/** Encodes a stream's payloads (`data`) to bytes and back. */
export interface PayloadCodec {
  encode(data: unknown): Uint8Array;
  decode(bytes: Uint8Array): unknown;
}

/**
 * Chooses the payload codec for a stream's snapshots or deltas, so one connection can carry binary book levels and
 * JSON trades. Return undefined for {@link jsonPayload}.
 */
export type PayloadResolver = (stream: string, kind: 'snapshot' | 'delta') => PayloadCodec | undefined;

/** Payloads as UTF-8 JSON: works for any stream; apps with a binary tier supply their own protobuf payloads. */
export const jsonPayload: PayloadCodec = {
  encode: (data) => new TextEncoder().encode(JSON.stringify(data)),
  decode: (bytes) => JSON.parse(new TextDecoder().decode(bytes)) as unknown,
};

const root = protobuf.Root.fromJSON(envelopeDescriptor);
const Envelope = root.lookupType('twohop.Envelope');

interface WireDelta {
  stream: string;
  epoch: string;
  seq: number;
  from?: number;
  data: Uint8Array;
  checksumNumber?: number;
  checksumText?: string;
  ts?: number;
}

const checksumFields = (checksum: Checksum | undefined) =>
  checksum === undefined
    ? {}
    : typeof checksum === 'number'
      ? { checksumNumber: checksum }
      : { checksumText: checksum };

const checksumOf = (wire: { checksumNumber?: number; checksumText?: string }): { checksum?: Checksum } =>
  wire.checksumNumber !== undefined
    ? { checksum: wire.checksumNumber }
    : wire.checksumText !== undefined
      ? { checksum: wire.checksumText }
      : {};

/**
 * Server messages as protobuf bytes (`proto/envelope.proto`), for transports with binary frames. Smaller and
 * cheaper to parse than JSON when the payload codec is binary too.
 */
export function protobufCodec(payloads: PayloadCodec | PayloadResolver = jsonPayload): Codec<Uint8Array> {
  const payloadFor = (stream: string, kind: 'snapshot' | 'delta'): PayloadCodec =>
    typeof payloads === 'function' ? (payloads(stream, kind) ?? jsonPayload) : payloads;
  const toWireDelta = (delta: DeltaMessage<unknown>): WireDelta => ({
    stream: delta.stream,
    epoch: delta.epoch,
    seq: delta.seq,
    ...(delta.from === undefined ? {} : { from: delta.from }),
    data: payloadFor(delta.stream, 'delta').encode(delta.data),
    ...checksumFields(delta.checksum),
    ...(delta.ts === undefined ? {} : { ts: delta.ts }),
  });
  const fromWireDelta = (wire: WireDelta): DeltaMessage<unknown> => ({
    type: 'delta',
    stream: wire.stream,
    epoch: wire.epoch,
    seq: wire.seq,
    ...(wire.from === undefined ? {} : { from: wire.from }),
    data: payloadFor(wire.stream, 'delta').decode(wire.data),
    ...checksumOf(wire),
    ...(wire.ts === undefined || wire.ts === null ? {} : { ts: wire.ts }),
  });

  return {
    name: 'protobuf',
    encode(message: ServerMessage): Uint8Array {
      let envelope: Record<string, unknown>;
      switch (message.type) {
        case 'snapshot':
          envelope = {
            snapshot: {
              stream: message.stream,
              epoch: message.epoch,
              seq: message.seq,
              data: payloadFor(message.stream, 'snapshot').encode(message.data),
              ...checksumFields(message.checksum),
            },
          };
          break;
        case 'delta':
          envelope = { delta: toWireDelta(message) };
          break;
        case 'batch':
          envelope = { batch: { stream: message.stream, items: message.items.map(toWireDelta) } };
          break;
        case 'heartbeat':
          envelope = { heartbeat: { ts: message.ts } };
          break;
      }
      return Envelope.encode(Envelope.fromObject(envelope)).finish();
    },
    decode(frame: Uint8Array): ServerMessage {
      let decoded: Record<string, unknown>;
      try {
        decoded = Envelope.toObject(Envelope.decode(frame), {
          longs: Number,
          bytes: Uint8Array as never,
          oneofs: true,
          // proto3 leaves fields at their default ('' or 0) off the wire; a seq of 0 must still come back as 0.
          defaults: true,
        });
      } catch (error) {
        throw new TypeError(`not a protobuf envelope: ${(error as Error).message}`, { cause: error });
      }
      switch (decoded['message']) {
        case 'snapshot': {
          const wire = decoded['snapshot'] as WireDelta;
          return {
            type: 'snapshot',
            stream: wire.stream,
            epoch: wire.epoch,
            seq: wire.seq,
            data: payloadFor(wire.stream, 'snapshot').decode(wire.data),
            ...checksumOf(wire),
          };
        }
        case 'delta':
          return fromWireDelta(decoded['delta'] as WireDelta);
        case 'batch': {
          const wire = decoded['batch'] as { stream: string; items?: WireDelta[] };
          return { type: 'batch', stream: wire.stream, items: (wire.items ?? []).map(fromWireDelta) };
        }
        case 'heartbeat':
          return { type: 'heartbeat', ts: (decoded['heartbeat'] as { ts: number }).ts };
        default:
          throw new TypeError('protobuf envelope carries no message');
      }
    },
  };
}
