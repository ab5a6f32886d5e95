import type { StreamPosition } from '@twohop/sequence';
import type {
  MirrorStats,
  KeyedChange,
  KeyedSnapshot,
  KeyedState,
  ResyncReason,
  StreamMessage,
} from '@twohop/snapshot-delta';

type Value = number;
type Changes = readonly KeyedChange<Value>[];
/** What the simulator sends a replica. */
export type SimulatedMessage = StreamMessage<KeyedSnapshot<Value>, Changes>;

/** Per-message and per-tick fault probabilities. */
export interface FaultRates {
  /** A downstream message is lost. */
  drop: number;
  /** A downstream message arrives twice. */
  duplicate: number;
  /** A downstream message is held back 1–5 ticks, so later ones overtake it. */
  reorder: number;
  /** Per tick and link: the connection drops, losing everything in flight both ways. */
  disconnect: number;
  /** Per tick and disconnected link: it reconnects and re-subscribes with `resume`. */
  reconnect: number;
  /** Per tick: the server restarts without its history (a new epoch) and every link drops. */
  restart: number;
  /**
   * Per tick: the stream starts a new epoch with an empty state while every link stays connected — as on a node
   * whose upstream lost its history — so new-epoch deltas reach replicas that hold the old state (rule 4).
   */
  epochReset: number;
  /**
   * A downstream delta arrives with one value altered: silent divergence that only a checksum shows (rule 5). Only
   * on streams that carry a checksum; nothing else could notice it.
   */
  corrupt: number;
}

/** Faults that exercise every rule within a few hundred changes. */
export const defaultFaults: FaultRates = {
  drop: 0.03,
  duplicate: 0.03,
  reorder: 0.03,
  disconnect: 0.01,
  reconnect: 0.2,
  restart: 0.002,
  epochReset: 0.001,
  corrupt: 0.002,
};

/** The part of a replica the simulator drives; {@link Replica} is the real one. */
export interface SimulatedReplica {
  receive(message: SimulatedMessage): void;
  readonly status: 'awaiting-snapshot' | 'live' | 'resyncing';
  readonly position: StreamPosition | undefined;
  readonly state: KeyedState<Value>;
}

/** Options for {@link simulateStream}. */
export interface SimulationOptions {
  seed: number;
  /** Replicas following the stream. @default 3 */
  replicas?: number;
  /** How many of them sit behind a conflating queue drained every few ticks (slow consumers). @default 1 */
  conflatingReplicas?: number;
  /** Changes published while faults are on. @default 300 */
  changes?: number;
  /** Distinct keys the changes touch. @default 16 */
  keys?: number;
  /** Share of changes that remove a key. @default 0.1 */
  removeRate?: number;
  /** The publisher's history ring: small, so resumes fall back to snapshots too. @default 24 */
  historyCapacity?: number;
  /** @default defaultFaults */
  faults?: Partial<FaultRates>;
  /** Whether the stream carries a checksum (rule 5). @default true */
  checksum?: boolean;
  /** Ticks a replica waits for a snapshot before asking again (a resync request or its answer may be lost). @default 10 */
  resyncTimeoutTicks?: number;
  /** Builds each replica; the default is the real {@link Replica}. Swap it to show the simulator catches a bad one. */
  createReplica?: (onResync: (reason: ResyncReason) => void) => SimulatedReplica;
}

/** What happened in one run. */
export interface SimulationResult {
  readonly seed: number;
  /** Every replica is live at its source's position with the publisher's state (and so is the mirror, if any). */
  readonly converged: boolean;
  /** Why not, replica by replica. */
  readonly problems: string[];
  readonly ticks: number;
  readonly counts: SimulationCounts;
  /** What the mirror did, in a mirror-chain run. */
  readonly mirror?: MirrorStats;
}

/** What a run counts: changes published, messages delivered, and each fault and recovery. */
export type SimulationCounts = Record<
  | 'published'
  | 'delivered'
  | 'dropped'
  | 'duplicated'
  | 'disconnects'
  | 'restarts'
  | 'epochResets'
  | 'corrupted'
  | 'resyncs'
  | 'checksumResyncs'
  | 'replays'
  | 'snapshots'
  | 'conflated',
  number
>;

/** All counts at zero: the start of a run, or of totals over many runs. */
export function emptySimulationCounts(): SimulationCounts {
  return {
    published: 0,
    delivered: 0,
    dropped: 0,
    duplicated: 0,
    disconnects: 0,
    restarts: 0,
    epochResets: 0,
    corrupted: 0,
    resyncs: 0,
    checksumResyncs: 0,
    replays: 0,
    snapshots: 0,
    conflated: 0,
  };
}
