import { z } from 'zod';

/**
 * Schemas for every message a client may send (docs/protocol.md, "Messages"). Servers validate every inbound
 * message with these before looking at it; anything else gets an `invalid_message` error.
 */

/** A stream name: `kind:rest`, printable, bounded. */
export const streamName = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._~:/@+-]*$/, 'stream names use letters, digits and . _ ~ : / @ + -');

/** Where a client's replica stands: the resume point of rule 6. */
export const resumePosition = z.strictObject({
  epoch: z.string().min(1).max(128),
  seq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
});

/** Keys that reach an object's prototype when assigned; never valid in a message. */
export const RESERVED_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

const hasNoReservedKey = (value: unknown) =>
  typeof value !== 'object' || value === null || !Object.keys(value).some((key) => RESERVED_KEYS.has(key));

/**
 * Per-subscription options, e.g. a tier (`pro`, `retail`, `mobile`) or a depth; each app documents its own. Keys
 * are names (a letter, then letters, digits, `_` or `-`); `__proto__`, `constructor` and `prototype` are refused
 * (a record schema alone would drop `__proto__` silently, so the raw keys are checked first).
 */
export const subscribeOptions = z
  .unknown()
  .refine(hasNoReservedKey, 'reserved keys (__proto__, constructor, prototype) are not allowed')
  .pipe(
    z.record(
      z
        .string()
        .max(64)
        .regex(/^[A-Za-z][\w-]*$/, 'option names are a letter, then letters, digits, _ or -'),
      z.union([z.string().max(256), z.number(), z.boolean()]),
    ),
  );

/** `subscribe {stream, options?, resume?}` (docs/protocol.md, "Messages"). */
export const subscribeRequest = z.strictObject({
  stream: streamName,
  options: subscribeOptions
    .refine((options) => Object.keys(options).length <= 16, 'at most 16 options')
    .optional(),
  resume: resumePosition.optional(),
});

export const unsubscribeRequest = z.strictObject({ stream: streamName });

export const resyncRequest = z.strictObject({ stream: streamName });

export type ResumePosition = z.infer<typeof resumePosition>;
export type SubscribeOptions = z.infer<typeof subscribeOptions>;
export type SubscribeRequest = z.infer<typeof subscribeRequest>;
export type UnsubscribeRequest = z.infer<typeof unsubscribeRequest>;
export type ResyncRequest = z.infer<typeof resyncRequest>;

/** The events a client may send, each with its schema. */
export const clientRequests = {
  subscribe: subscribeRequest,
  unsubscribe: unsubscribeRequest,
  resync: resyncRequest,
} as const;

/** The name of an event a client may send. */
export type ClientEvent = keyof typeof clientRequests;

/** Whether `event` names a client request. */
export function isClientEvent(event: unknown): event is ClientEvent {
  return typeof event === 'string' && Object.hasOwn(clientRequests, event);
}

/** A one-line, human description of why `error` rejected a message. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'message'}: ${issue.message}`)
    .join('; ');
}
