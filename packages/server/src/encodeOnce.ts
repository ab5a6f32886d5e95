import type { ServerMessage } from '@twohop/protocol';

/**
 * Wraps `encode` so each message object is encoded once, however many connections it goes to: a delta fanned out
 * to a thousand subscribers, or replayed to several, costs one encoding. Keyed weakly by the message itself.
 */
export function encodeOnce<Frame>(
  encode: (message: ServerMessage) => Frame,
): (message: ServerMessage) => Frame {
  const encoded = new WeakMap<object, Frame>();
  return (message) => {
    let frame = encoded.get(message);
    if (frame === undefined) {
      frame = encode(message);
      encoded.set(message, frame);
    }
    return frame;
  };
}
