import type { TransportFactory } from '@twohop/client';
import type { DeltaMessage } from '@twohop/protocol';
import type { StateModel } from '@twohop/snapshot-delta';
import type fc from 'fast-check';
import type { Server as HttpServer } from 'node:http';
import type { Registry } from 'prom-client';
import type { Server as SocketIoServer } from 'socket.io';
import type { Socket } from 'socket.io-client';

/**
 * What the conformance suite needs from an app. Each app contributes one adapter (`test/conformance/apps/`) and
 * declares its capabilities on the running app: `stream` (it serves hop-1 streams: snapshot + delta, subscribe and
 * resume) and/or `requests` (it keeps acknowledged request histories, as the chat's rooms). The common properties run
 * against every app; each capability's properties run against every app that offers it.
 */
export interface AppAdapter {
  readonly name: string;
  /** What the app offers beyond the common properties; each capability's properties run against it. */
  readonly capabilities: readonly Capability[];
  /**
   * Properties the app is known to fail today, by name, with why: each still runs and must fail (so the entry is
   * removed the day the app meets it), and docs/testing.md lists them.
   */
  readonly failsToday?: Readonly<Record<string, string>>;
  /** Starts the app in embedded mode on 127.0.0.1 (port 0 for a free one). */
  start(options: StartOptions): Promise<RunningApp>;
}

/** `stream`: hop-1 streams (snapshot + delta, subscribe/resume); `requests`: acknowledged request histories. */
export type Capability = 'stream' | 'requests';

/** How a property wants the app started. */
export interface StartOptions {
  /** A fixed port, to restart the app where its clients expect it. @default 0 */
  port?: number;
  /**
   * The server's heartbeat interval and the client's silence bound (`boundMs` > `beatMs`): a client that hears
   * nothing for `boundMs` declares the connection dead. @default the app's own values
   */
  heartbeat?: { beatMs: number; boundMs: number };
  /** Where the app keeps what it persists, so a restart on the same `dataDir` finds it again. */
  dataDir?: string;
  /** Lifts the bound on what the server holds for a reader that does not read: only canaries set it. */
  unboundedReplies?: boolean;
}

/** What every app offers, whatever its capabilities. */
export interface RunningApp {
  readonly url: string;
  readonly port: number;
  /** The app's HTTP and socket.io servers, for the suite's server-edge fault injection and canaries. */
  readonly http: HttpServer;
  readonly io: SocketIoServer;
  /**
   * Where the followed clients speak another binding than socket.io (plain WebSocket): rewrites each request they
   * send on the way out, as `rewriteRequests` does on the socket.io server — for the canaries.
   */
  rewriteFollowerRequests?(rewrite: (event: string, payload: Record<string, unknown>) => void): void;
  /** The registry `/metrics` serves. */
  readonly registry: Registry;
  /** Counters that must move once a client has followed the app, seen changes, reconnected and been refused once. */
  readonly countedMetrics: readonly string[];
  /** Follows the app the way its own clients do. */
  follow(options?: FollowOptions): Promise<AppClient>;
  /** Whether `client` (of this app or of an earlier run on the same port) holds exactly what this app holds now. */
  caughtUp(client: AppClient): Promise<boolean>;
  /** Makes what clients follow change `count` times, through the app's own paths. */
  cause(count: number): Promise<void>;
  /** A raw socket.io client, connected (and signed in, where the app has users): a hostile client or an observer. */
  connect(): Promise<Socket>;
  /** The shapes of the app's requests, for hostile input that reaches its handlers. */
  readonly hostile: HostileSpec;
  readonly stream?: StreamCapability;
  readonly requests?: RequestCapability;
  /** Cuts every TCP connection, as a network failure would; the app keeps listening. */
  dropConnections(): void;
  /** Graceful shutdown: clients are told to reconnect; resolves when the port is free. */
  stop(): Promise<void>;
  /** Stops with no notice to anyone: connections cut, the port freed (a crash, as clients see it). */
  crash(): Promise<void>;
}

/** Options for {@link RunningApp.follow}. */
export interface FollowOptions {
  /** The client's silence bound (the app's heartbeat `boundMs`). */
  heartbeatTimeoutMs?: number;
}

/** One of the app's own clients, following what the app serves with a verifying local copy. */
export interface AppClient {
  /** Every connection state the client went through, in order (`live`, `reconnecting`, …). */
  readonly states: readonly string[];
  /** The app's own client object (a stream client's replica, a chat session): what `caughtUp` compares. */
  readonly local: unknown;
  close(): void;
}

/** One request an app serves, with well-formed payloads: hostile input is derived from them one change at a time. */
export interface HostileRequest {
  readonly event: string;
  readonly valid: fc.Arbitrary<Record<string, unknown>>;
}

/** What hostile input needs to know about an app's requests. */
export interface HostileSpec {
  readonly requests: readonly HostileRequest[];
  /** Sent on each fresh connection before hostile input (a subscribe, a room join), so later requests reach state. */
  readonly setup: readonly { event: string; payload: unknown }[];
  /** The documented error codes a refusal may carry. */
  readonly codes: readonly string[];
}

/** An app that serves hop-1 streams (snapshot + delta, subscribe/resume). */
export interface StreamCapability {
  /** A stream of the app's, its state model, and (if the stream carries one) its checksum. */
  readonly stream: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly model: StateModel<any, any, any>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly checksum?: (state: any) => number | string;
  /** How the app's own clients connect. */
  transport(): TransportFactory;
  /** The server's own state of the stream and its position. */
  truth(): { state: unknown; seq: number; epoch: string };
  /** Whether a client's replica state equals the server's. */
  same(client: unknown, server: unknown): boolean;
  /** Hears every delta the stream publishes (to count the distinct keys a stall may hold). */
  onDelta(listener: (delta: DeltaMessage<unknown>) => void): void;
  /** Changes waiting in per-client queues, summed over connections. */
  queuedChanges(): number;
  /** Asks the server to treat the asking connection as unwritable for `ms` (0 ends a stall): the request to send. */
  stallRequest(ms: number): { event: string; payload: unknown };
  /** Serves the stream with every delta queued whole (no conflation): only canaries call it. */
  unconflate(): void;
  /** Whether the stream survives a restart (else a restart starts a new epoch). */
  readonly persisted: boolean;
}

/** An app whose clients follow an acknowledged, numbered history (a chat room). */
export interface RequestCapability {
  /** Follows the history as the app's own client does, optionally over a link that loses deliveries on demand. */
  follow(options?: FollowOptions): Promise<HistoryClient>;
  /** Entries a catch-up reply holds at most: resume is tested past it. */
  readonly pageSize: number;
  /** The request that resumes from a position, and the fields that carry the position. */
  readonly resume: { event: string; fields: readonly string[] };
  /** A client on the request path that can stop reading its socket; its requests and the server's bound. */
  stalledReader(): Promise<StalledReader>;
}

/** A client of a history, with what its catch-up and gap detection did. */
export interface HistoryClient extends AppClient {
  readonly stats: { readonly duplicates: number; readonly gaps: number; readonly rejoins: number };
  /** Entries the client holds. */
  held(): number;
  /** The next live delivery to this client is lost on the wire. */
  loseNextDelivery(): void;
  /** Holds this client's next connections back (at the server) until the returned function is called. */
  holdReconnect(): () => void;
}

/** A raw client that stops reading its TCP socket while it keeps sending requests. */
export interface StalledReader {
  /** Stops reading (the kernel buffers fill, then the server can no longer write). */
  stall(): void;
  resume(): void;
  /** Sends one request (a read of the history's newest page) without waiting for its reply. */
  send(): void;
  /** Requests sent so far, and replies received. */
  sent(): number;
  replies(): number;
  /** Bytes the server holds for this connection, not yet written to the network. */
  serverBuffered(): number;
  /** The most the server may hold for one connection before it stops serving or cuts it. */
  readonly bound: number;
  /** Whether the server closed the connection (a slow consumer cut). */
  closed(): boolean;
  close(): void;
}
