import { z } from 'zod';
import { MAX_CLIENT_ID, MAX_TEXT } from '../domain/wire.js';
import { room } from './roomRequests.js';
import { request, spend, type ChatDeps, type ChatRequest } from './requestTypes.js';

const seq = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
/**
 * Text is checked by the chat's text rule (`invalid_text`: empty, too long, lone surrogates); the schema only bounds
 * its size so an oversized string is refused before anything else looks at it.
 */
const text = z.string().max(MAX_TEXT * 2);

/** The chat's message requests: send (idempotent by client id), edit, delete. */
export function messageRequests({ store, rooms, metrics, sends }: ChatDeps): Record<string, ChatRequest> {
  return {
    'message:send': request({
      schema: z.strictObject({ room, clientId: z.string().min(1).max(MAX_CLIENT_ID), text }),
      cost: 2,
      handle: async ({ room: name, clientId, text: body }, { session }) => {
        spend(sends, session.uid, 'slow down');
        const stopTimer = metrics.commitSeconds.startTimer();
        const ack = await store.send({
          room: name,
          userId: session.uid,
          name: session.name,
          clientId,
          text: body,
        });
        stopTimer();
        if (ack.duplicate) {
          // A retry of a stored send whose ack was lost: the original ack, nothing stored or broadcast again.
          metrics.duplicates.inc();
          return ack;
        }
        // What you sent, you have read; a message ends the sender's typing.
        await store.markRead(name, session.uid, ack.seq);
        rooms.typing.reset(name, session.uid);
        // The store announced the message on the feed; the ack follows its delivery here, as on one node.
        await rooms.caughtUp();
        return ack;
      },
    }),
    'message:edit': request({
      schema: z.strictObject({ room, seq, text }),
      cost: 2,
      handle: async ({ room: name, seq: at, text: body }, { session }) => {
        await store.edit(name, at, session.uid, body);
        await rooms.caughtUp();
        return {};
      },
    }),
    'message:delete': request({
      schema: z.strictObject({ room, seq }),
      cost: 2,
      handle: async ({ room: name, seq: at }, { session }) => {
        await store.delete(name, at, session.uid);
        await rooms.caughtUp();
        return {};
      },
    }),
  };
}
