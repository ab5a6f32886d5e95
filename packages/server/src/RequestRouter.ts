import type { ErrorCode } from '@twohop/protocol';
import type { z } from 'zod';

/**
 * The error codes of an app's requests: the protocol's own codes plus the app's, e.g.
 * `type ChatErrorCode = RequestErrorCode<'unknown_room' | 'not_member'>`.
 */
export type RequestErrorCode<AppCode extends string = never> = ErrorCode | AppCode;

/** A refused request as sent on the wire. */
export interface RequestFailure<Code extends string = ErrorCode> {
  readonly ok: false;
  readonly error: {
    readonly code: Code;
    readonly message: string;
    /** On `rate_limited`: when the request would be accepted. */
    readonly retryAfterMs?: number;
  };
}

/** Every reply: `{ok: true, ...result}` or `{ok: false, error: {code, message}}`. */
export type RequestReply<Result extends object = object, Code extends string = ErrorCode> =
  ({ readonly ok: true } & Result) | RequestFailure<Code>;

/**
 * What a handler throws to refuse a request with a stable code; the client gets `{ok: false, error: {code,
 * message}}`. Anything else thrown becomes `internal`, with its message kept from the client.
 */
export class RequestError<Code extends string = ErrorCode> extends Error {
  override readonly name = 'RequestError';
  /**
   * Whether this refusal counts as a strike against the connection. Every refusal does, except an
   * {@link RequestError.outcome}: a well-formed request the rules turned down.
   */
  readonly strike: boolean = true;

  constructor(
    readonly code: Code,
    message: string,
    /** Sent with the error, e.g. on an app's own rate limit. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }

  /**
   * A refusal that is the rules' answer to a well-formed request an honest client may send at any time — a bid a
   * rival's beat to the store by a millisecond, a seat someone else just took — and so not a strike: closing a
   * connection for losing a race would punish the honest. What bounds a client that sends such requests on purpose
   * is the request's cost against the connection's and the identity's budgets (their `rate_limited` refusals are
   * strikes, as every other refusal is).
   */
  static outcome<Code extends string>(code: Code, message: string): RequestError<Code> {
    const error = new RequestError(code, message);
    (error as { strike: boolean }).strike = false;
    return error;
  }
}

/** Whether `error` is a {@link RequestError} (optionally with a given code). */
export function isRequestError(error: unknown, code?: string): error is RequestError<string> {
  return error instanceof RequestError && (code === undefined || error.code === code);
}

/** One named request an app serves. */
export interface RequestDefinition<Context, Schema extends z.ZodType, Result extends object> {
  /** A strict object schema (`z.strictObject`): a request with a key the schema does not name is refused. */
  readonly schema: Schema;
  /**
   * What one request takes from the connection's and the identity's budgets, in tokens: 1 for a cheap read, more
   * for what costs the server more (a page of history, a write that fans out). @default 1
   */
  readonly cost?: number;
  /** Does the work and returns the reply's fields, or throws a {@link RequestError}. */
  handle(input: z.output<Schema>, context: Context): Result | Promise<Result>;
}

/** A request bound to one connection's context: what a {@link RequestGate} runs. */
export interface BoundRequest {
  readonly name: string;
  readonly cost: number;
  readonly schema: z.ZodType;
  run(input: unknown): object | Promise<object>;
}

/**
 * The requests one connection may make, by name. A view over its router, not a copy: binding costs one small object
 * per connection, and a request is looked up (and bound) only when it comes.
 */
export interface BoundRequests {
  /** The names served. */
  readonly names: readonly string[];
  /** The request `name`, bound to the connection's context; undefined when it is not served. */
  get(name: string): BoundRequest | undefined;
}

interface Entry<Context> {
  readonly schema: z.ZodType;
  readonly cost: number;
  handle(input: unknown, context: Context): object | Promise<object>;
}

/**
 * An app's requests, by name: each with a strict schema, a cost and a handler. Build it once, then `bind` it to each
 * connection's context and serve it through a {@link RequestGate} (or {@link attachSocketIoRequests}), which applies
 * the limits every request shares.
 *
 * ```ts
 * const requests = new RequestRouter<{ userId: string }>().add('room:join', {
 *   schema: z.strictObject({ room: z.string().max(64) }),
 *   cost: 2,
 *   handle: async ({ room }, { userId }) => ({ messages: await store.join(room, userId) }),
 * });
 * ```
 */
export class RequestRouter<Context> {
  readonly #entries = new Map<string, Entry<Context>>();

  /** Adds a request. Throws if the name is taken, the cost is not a positive number or the schema is not strict. */
  add<Schema extends z.ZodType, Result extends object>(
    name: string,
    definition: RequestDefinition<Context, Schema, Result>,
  ): this {
    const cost = definition.cost ?? 1;
    if (this.#entries.has(name)) throw new Error(`request ${name} is defined twice`);
    if (!(cost > 0 && Number.isFinite(cost)))
      throw new Error(`request ${name}: cost must be a positive number`);
    if (!isStrictObject(definition.schema)) {
      throw new Error(`request ${name}: the schema must be a z.strictObject, so unknown keys are refused`);
    }
    this.#entries.set(name, {
      schema: definition.schema,
      cost,
      handle: definition.handle as Entry<Context>['handle'],
    });
    return this;
  }

  /** The names of the requests, in the order they were added. */
  get names(): string[] {
    return [...this.#entries.keys()];
  }

  /** The requests with their handlers bound to one connection's context (a view: the router is not copied). */
  bind(context: Context): BoundRequests {
    return new Binding(this.#entries, context);
  }
}

/** A router's requests bound to one context, each bound as it is looked up. */
class Binding<Context> implements BoundRequests {
  readonly #entries: ReadonlyMap<string, Entry<Context>>;
  readonly #context: Context;

  constructor(entries: ReadonlyMap<string, Entry<Context>>, context: Context) {
    this.#entries = entries;
    this.#context = context;
  }

  get names(): string[] {
    return [...this.#entries.keys()];
  }

  get(name: string): BoundRequest | undefined {
    const entry = this.#entries.get(name);
    if (entry === undefined) return undefined;
    const context = this.#context;
    return { name, cost: entry.cost, schema: entry.schema, run: (input) => entry.handle(input, context) };
  }
}

/** A zod object schema whose unknown keys fail (its catchall is `never`). */
function isStrictObject(schema: z.ZodType): boolean {
  const def = schema._zod.def as { type: string; catchall?: { _zod: { def: { type: string } } } };
  return def.type === 'object' && def.catchall?._zod.def.type === 'never';
}
