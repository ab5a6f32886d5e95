import type { Socket } from 'socket.io';
import type { z } from 'zod';
import type { ChatStore } from '../domain/ChatStore.js';
import type { ChatRooms } from './ChatRooms.js';
import type { ChatMetrics } from './chatMetrics.js';
import type { ResolvedChatOptions } from './options.js';
import type { Session } from '@twohop/app-kit';
import { RequestError, type IdentityBudgets } from '@twohop/server';

/** What a request handler knows about the connection it serves. */
export interface ChatContext {
  readonly socket: Socket;
  /** The connection's session (replaced when the client refreshes its token). */
  session: Session;
}

/** What every handler shares: the store, the rooms, the per-user budgets, the options. */
export interface ChatDeps {
  readonly store: ChatStore;
  readonly rooms: ChatRooms;
  readonly options: ResolvedChatOptions;
  readonly metrics: ChatMetrics;
  /** Messages per user (`sendRate`, `sendBurst`). */
  readonly sends: IdentityBudgets;
  /** Rooms created per user (`roomsPerMinute`, `roomBurst`). */
  readonly creations: IdentityBudgets;
}

/**
 * One request the chat serves, as `@twohop/server`'s `RequestRouter` takes it: a strict schema, its weight against the
 * connection's and the user's budgets (what it costs the server: a page of history more than a typing mark), and its
 * handler, which returns the reply's fields or throws a `ChatError` (or a `RequestError`).
 */
export interface ChatRequest<Schema extends z.ZodType = z.ZodType> {
  readonly schema: Schema;
  readonly cost: number;
  handle(input: z.output<Schema>, context: ChatContext): Promise<object>;
}

/** Defines a request with its input typed by its schema. */
export const request = <Schema extends z.ZodType>(definition: ChatRequest<Schema>): ChatRequest =>
  definition as unknown as ChatRequest;

/** Takes one token of `key`'s from `budgets`, or refuses with `rate_limited` and when to retry. */
export function spend(budgets: IdentityBudgets, key: string, message: string): void {
  const bucket = budgets.of(key);
  if (!bucket.take()) throw new RequestError('rate_limited', message, Math.ceil(bucket.waitMs()));
}
