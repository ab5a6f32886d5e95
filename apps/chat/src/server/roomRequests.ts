import { z } from 'zod';
import { ChatError } from '../domain/errors.js';
import { requireMember, requireRoom } from '../domain/membership.js';
import { MAX_HISTORY_PAGE, MAX_ROOMS_PAGE, ROOM_NAME } from '../domain/wire.js';
import { request, spend, type ChatDeps, type ChatRequest } from './requestTypes.js';

export const room = z.string().regex(ROOM_NAME);
const seq = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
/** How many messages a fresh join returns. */
const JOIN_PAGE = 50;

/** The chat's room requests: listing, creating, opening, closing, leaving, history, typing, receipts. */
export function roomRequests({ store, rooms, options, creations }: ChatDeps): Record<string, ChatRequest> {
  const { maxRooms } = options;
  return {
    'rooms:list': request({
      schema: z.strictObject({
        after: room.optional(),
        limit: z.number().int().min(1).max(MAX_ROOMS_PAGE).optional(),
        mine: z.boolean().optional(),
      }),
      cost: 2,
      handle: async ({ after, limit, mine }, { session }) =>
        store.listRooms({
          userId: session.uid,
          limit: limit ?? 50,
          ...(after === undefined ? {} : { after }),
          ...(mine === undefined ? {} : { mine }),
        }),
    }),
    'room:create': request({
      schema: z.strictObject({ room }),
      cost: 4,
      handle: async ({ room: name }, { session }) => {
        spend(creations, session.uid, 'rooms are created at most 1 a minute per user');
        await store.createRoom(name, session.uid, maxRooms);
        await rooms.created(session.uid, name);
        return {};
      },
    }),
    'room:join': request({
      schema: z.strictObject({ room, after: seq.optional(), changesAfter: seq.optional() }),
      cost: 4,
      handle: async ({ room: name, after, changesAfter }, { socket, session }) => {
        await store.join(name, session.uid, maxRooms);
        await rooms.open(socket, session, name);
        // Fresh: the latest page. Resuming: exactly what was missed (or the newest page, `limited`), and the
        // edits and deletes since the client's last change.
        const [page, changed, head, lastRead] = await Promise.all([
          after === undefined
            ? store.latest(name, JOIN_PAGE).then((messages) => ({ messages, limited: false }))
            : store.after(name, after, JOIN_PAGE),
          changesAfter === undefined ? [] : store.changedSince(name, changesAfter, 500),
          store.head(name),
          store.markRead(name, session.uid, 0),
          // The presence snapshot below must include this connection's arrival, announced through the feed.
          rooms.caughtUp(),
        ]);
        const lastSeq = head?.lastSeq ?? 0;
        return {
          ...page,
          changed,
          lastSeq,
          lastChange: head?.lastChange ?? 0,
          lastRead,
          // Who has read the page being shown (for "seen by").
          receipts: await store.receiptsFrom(name, page.messages[0]?.seq ?? lastSeq),
          presence: rooms.presence.snapshot(name),
        };
      },
    }),
    'room:close': request({
      schema: z.strictObject({ room }),
      cost: 1,
      handle: async ({ room: name }, { socket, session }) => {
        await rooms.close(socket, session, name);
        return {};
      },
    }),
    'room:leave': request({
      schema: z.strictObject({ room }),
      cost: 2,
      handle: async ({ room: name }, { session }) => {
        requireRoom((await store.head(name)) !== undefined, name);
        await store.leave(name, session.uid);
        // Every tab of the user's closes the room, on whichever node it is: the adapter's rooms, not a local scan.
        await rooms.leaveEverywhere(session.uid, name);
        return {};
      },
    }),
    'room:history': request({
      schema: z.strictObject({
        room,
        before: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
        limit: z.number().int().min(1).max(MAX_HISTORY_PAGE).optional(),
      }),
      cost: 4,
      handle: async ({ room: name, before, limit }, { session }) => {
        requireRoom((await store.head(name)) !== undefined, name);
        requireMember(await store.isMember(name, session.uid), name);
        return { messages: await store.before(name, before, limit ?? 50) };
      },
    }),
    typing: request({
      schema: z.strictObject({ room }),
      cost: 1,
      handle: async ({ room: name }, { socket, session }) => {
        if (!rooms.isOpen(socket, name)) throw new ChatError('not_member', `open ${name} first`);
        return { sent: rooms.typed(socket, session, name) };
      },
    }),
    read: request({
      schema: z.strictObject({ room, seq }),
      cost: 1,
      handle: async ({ room: name, seq: upTo }, { session }) => {
        const head = await store.head(name);
        requireRoom(head !== undefined, name);
        requireMember(await store.isMember(name, session.uid), name);
        const lastRead = await store.markRead(name, session.uid, Math.min(upTo, head!.lastSeq));
        rooms.receipts.add(name, session.uid, lastRead);
        return { lastRead };
      },
    }),
  };
}
