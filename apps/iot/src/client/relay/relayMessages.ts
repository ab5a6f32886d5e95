import type { ResumePosition, ServerMessage, SubscribeAck } from '@twohop/protocol';

/**
 * What a tab and the shared worker say over their MessagePort. The worker holds the one connection to the server and
 * relays stream frames to the tabs as a server would: an ack, a snapshot, then every frame of the stream.
 */
export type TabToRelay =
  /** Asks whether the worker's connection is up, and for the worker's view id. */
  | { readonly type: 'hello' }
  | { readonly type: 'subscribe'; readonly stream: string; readonly resume?: ResumePosition }
  | { readonly type: 'unsubscribe'; readonly stream: string }
  | { readonly type: 'resync'; readonly stream: string }
  /** The devices this tab has on screen (the worker asks the server for the union of every tab's). */
  | { readonly type: 'visible'; readonly devices: readonly string[] }
  /** The tab is going away (pagehide). */
  | { readonly type: 'bye' };

export type RelayToTab =
  | { readonly type: 'up'; readonly viewId: string }
  | { readonly type: 'down'; readonly reason: string }
  | { readonly type: 'ack'; readonly stream: string; readonly ack: SubscribeAck }
  /** A stream frame, with the size of its JSON (for the tab's bytes/s). */
  | { readonly type: 'frame'; readonly message: ServerMessage; readonly bytes: number };

/** The part of a MessagePort both sides use (the browser's, or Node's for tests). */
export interface PortLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  start?(): void;
}
