import { z } from 'zod';
import type { ServerMessage } from './messages.js';

/** Turns server messages into frames and back. Frames are strings (JSON) or bytes (protobuf). */
export interface Codec<Frame> {
  readonly name: string;
  encode(message: ServerMessage): Frame;
  /** Parses and checks a frame; throws a `TypeError` on anything that is not a well-formed server message. */
  decode(frame: Frame): ServerMessage;
}

const checksum = z.union([z.number(), z.string()]).optional();
const seq = z.number().int().min(0);
const deltaShape = z.object({
  type: z.literal('delta'),
  stream: z.string(),
  epoch: z.string(),
  seq,
  from: seq.optional(),
  data: z.unknown(),
  checksum,
  ts: z.number().optional(),
});

/** The shape of any server message; payloads (`data`) are the app's to check. */
export const serverMessage = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('snapshot'),
    stream: z.string(),
    epoch: z.string(),
    seq,
    data: z.unknown(),
    checksum,
  }),
  deltaShape,
  z.object({ type: z.literal('batch'), stream: z.string(), items: z.array(deltaShape) }),
  z.object({ type: z.literal('heartbeat'), ts: z.number() }),
]);

/** Server messages as JSON text: the default for socket.io and the only choice for SSE. */
export const jsonCodec: Codec<string> = {
  name: 'json',
  encode: (message) => JSON.stringify(message),
  decode(frame) {
    const parsed = serverMessage.safeParse(JSON.parse(frame));
    if (!parsed.success)
      throw new TypeError(`not a server message: ${parsed.error.issues[0]?.message ?? ''}`);
    return parsed.data as ServerMessage;
  },
};
