import type { CloseNotice, ServerMessage } from '@twohop/protocol';
import type { WebSocket } from 'ws';
import type { Fanout } from './Fanout.js';
import type { InjectedStall } from './faultInjection.js';
import type { OutboundTransport } from './OutboundTransport.js';
import type { StreamConnection } from './StreamConnection.js';
import type { Subscription } from './Subscription.js';
import type { EncodedFrame, WebSocketOutput } from './webSocketOutput.js';

/**
 * One connection as everything addresses it: its {@link StreamConnection}'s transport, its hook into the shared
 * fan-out, and the liveness sweep's flag. One object with its methods on the prototype, so an idle connection holds
 * no closures of its own.
 */
export class WebSocketMember implements OutboundTransport {
  readonly name = 'ws';
  alive = true;
  /** Set right after construction (the connection takes this member as its transport). */
  connection!: StreamConnection;

  constructor(
    readonly socket: WebSocket,
    readonly output: WebSocketOutput,
    readonly binary: boolean,
    readonly shared: {
      readonly fanout: Fanout<WebSocketMember>;
      readonly encode: (message: ServerMessage, binary: boolean) => EncodedFrame;
    },
    /** The demo's injected stall, with `allowFaultInjection` only. */
    readonly stall: InjectedStall | undefined,
  ) {}

  canWrite(): boolean {
    return this.output.canWrite() && this.stall?.active !== true;
  }

  write(message: ServerMessage): number {
    return this.output.send(this.shared.encode(message, this.binary));
  }

  bufferedBytes(): number {
    return this.output.bufferedBytes();
  }

  onDrain(listener: () => void): void {
    this.output.onDrain(listener);
  }

  close(notice: CloseNotice): void {
    this.output.close(notice);
  }

  /** Subscriptions are driven by the shared fan-out. */
  add(subscription: Subscription): void {
    this.shared.fanout.add(subscription, this);
  }

  remove(subscription: Subscription): void {
    this.shared.fanout.remove(subscription);
  }
}
