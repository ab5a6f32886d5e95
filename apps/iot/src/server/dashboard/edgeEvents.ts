import type { EdgeEvent } from '../../domain/dashboardWire.js';
import { nodeKey } from '../../domain/site.js';
import type { BridgeEvent } from '../../domain/SiteEvents.js';

/**
 * How the stream inspector shows what the bridge did: a gap, the rebirth it asked for, a reordered arrival, a stale
 * death it ignored, a message it could not use.
 */
export function bridgeEventOf(event: BridgeEvent, at: number): EdgeEvent {
  switch (event.type) {
    case 'gap':
      return {
        kind: 'gap',
        node: nodeKey(event.node),
        at,
        detail: `seq gap: expected ${event.expected}, received ${event.received} (${event.reason})`,
      };
    case 'rebirth-requested':
      return {
        kind: 'rebirth',
        node: nodeKey(event.node),
        at,
        detail: `NCMD Node Control/Rebirth (${event.reason})`,
      };
    case 'stale-death-ignored':
      return {
        kind: 'stale-death',
        node: nodeKey(event.node),
        at,
        detail: `stale NDEATH bdSeq ${event.bdSeq} ignored (current ${event.current ?? 'none'})`,
      };
    case 'reordered':
      return {
        kind: 'reordered',
        node: nodeKey(event.node),
        at,
        detail: `seq ${event.seq} put back in order`,
      };
    case 'malformed':
      // Not a node's fault as far as anyone knows: the topic stands in for the node.
      return { kind: 'malformed', node: event.topic, at, detail: `dropped: ${event.reason}` };
  }
}
