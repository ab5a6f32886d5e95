import type { SubscribeAck } from '@twohop/protocol';
import type { ClientTransport, TransportFactory, TransportHandlers } from '@twohop/client';
import type { PortLike, RelayToTab, TabToRelay } from './relayMessages.js';

/** Options for {@link portTransport}. */
export interface PortTransportOptions {
  /** Told the worker's view id each time the worker's connection is up. */
  onViewId?(viewId: string): void;
  /** How long a subscribe waits for the worker's ack. @default 15000 */
  ackTimeoutMs?: number;
}

/**
 * A tab's transport to the shared worker: the tab's own `StreamClient` and replicas run unchanged, with the worker in
 * the server's place. The worker's connection going down closes this transport, so the tab's client reconnects (to
 * the worker) and resumes each stream as it would with a server.
 */
export function portTransport(port: PortLike, options: PortTransportOptions = {}): TransportFactory {
  let current: ((message: RelayToTab) => void) | undefined;
  port.addEventListener('message', (event) => current?.(event.data as RelayToTab));
  port.start?.();
  const send = (message: TabToRelay) => port.postMessage(message);
  const ackTimeoutMs = options.ackTimeoutMs ?? 15_000;

  return (): ClientTransport => {
    let handlers: TransportHandlers | undefined;
    let open = false;
    const acks = new Map<string, (ack: SubscribeAck) => void>();
    const listener = (message: RelayToTab) => {
      switch (message.type) {
        case 'up':
          options.onViewId?.(message.viewId);
          if (!open) {
            open = true;
            handlers?.onOpen();
          }
          return;
        case 'down':
          if (open) close(message.reason);
          return;
        case 'ack':
          acks.get(message.stream)?.(message.ack);
          acks.delete(message.stream);
          return;
        case 'frame':
          if (!open) return;
          if (message.bytes > 0) handlers?.onFrameSize?.(message.bytes);
          handlers?.onMessage(message.message);
      }
    };
    const close = (reason: string) => {
      if (current === listener) current = undefined;
      open = false;
      handlers?.onClose(reason);
    };
    const subscribe = (stream: string, request: TabToRelay): Promise<SubscribeAck> =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('subscribe timed out')), ackTimeoutMs);
        acks.set(stream, (ack) => {
          clearTimeout(timer);
          resolve(ack);
        });
        send(request);
      });
    return {
      name: 'shared-worker',
      open(received) {
        handlers = received;
        current = listener;
        send({ type: 'hello' });
      },
      subscribe: (request) =>
        subscribe(request.stream, {
          type: 'subscribe',
          stream: request.stream,
          ...(request.resume === undefined ? {} : { resume: request.resume }),
        }),
      async unsubscribe(stream) {
        send({ type: 'unsubscribe', stream });
        return { ok: true };
      },
      async resync(stream) {
        const ack = await subscribe(stream, { type: 'resync', stream });
        return ack.ok ? { ok: true } : ack;
      },
      close() {
        if (current === listener) current = undefined;
        open = false;
      },
    };
  };
}
