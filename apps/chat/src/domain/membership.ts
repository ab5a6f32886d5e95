import { ChatError } from './errors.js';
import type { ChatMessage } from './wire.js';

/**
 * The membership rules, as pure functions the stores and handlers apply: who may read, write and change what in a
 * room. A room's history is its members' (reading it needs membership); writing needs membership; changing a
 * message needs membership *and* being its sender — so a user who left can no longer edit or delete in the room.
 */

/** Throws `unknown_room` unless the room exists. */
export function requireRoom(exists: boolean, room: string): void {
  if (!exists) throw new ChatError('unknown_room', `no room ${room}`);
}

/** Throws `not_member` unless the user is a member of `room`. */
export function requireMember(member: boolean, room: string): void {
  if (!member) throw new ChatError('not_member', `join ${room} first`);
}

/** Throws `room_limit` when a user with `memberships` rooms may not take one more. */
export function requireRoomFor(memberships: number, maxRooms: number): void {
  if (memberships >= maxRooms)
    throw new ChatError('room_limit', `a user may be in at most ${maxRooms} rooms`);
}

/** Throws unless `userId`, a member (`member`), may change `message`: `not_member`, `not_owner`, `unknown_message`. */
export function requireChangeable(message: ChatMessage, userId: string, member: boolean): void {
  requireMember(member, message.room);
  if (message.userId !== userId) throw new ChatError('not_owner', 'only the sender can change a message');
}
