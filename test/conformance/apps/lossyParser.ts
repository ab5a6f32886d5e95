import * as parser from 'socket.io-parser';

type Listener = (packet: parser.Packet) => void;

/**
 * A socket.io-client parser (the documented `parser` option) that decodes as the default one, except that once armed
 * it loses the next incoming event named `event` — a delivery lost on the wire, below the app's client.
 */
export function lossyParser(event: string): { readonly parser: object; arm(): void } {
  const loss = { armed: false };
  const lost = (packet: parser.Packet) => {
    const data = packet.data as unknown[] | undefined;
    if (!loss.armed || packet.type !== parser.PacketType.EVENT || data?.[0] !== event) return false;
    loss.armed = false;
    return true;
  };
  // The client's manager listens for `decoded`; its listener is wrapped to skip the lost packet.
  class LossyDecoder extends parser.Decoder {
    override on(name: string, listener: Listener): this {
      const wrapped: Listener = (packet) => {
        if (!lost(packet)) listener(packet);
      };
      return (super.on as (name: string, listener: Listener) => this)(
        name,
        name === 'decoded' ? wrapped : listener,
      );
    }
  }
  return {
    parser: { protocol: parser.protocol, Encoder: parser.Encoder, Decoder: LossyDecoder },
    arm: () => {
      loss.armed = true;
    },
  };
}
