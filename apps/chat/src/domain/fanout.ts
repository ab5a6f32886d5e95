/**
 * Fan-out by room size: on write (every member's connections get every message, open or not) up to `largeRoom`
 * members; on read above it (full messages only where the room is open; the others get a conflated notice and fetch
 * when they open it). A small room's unread badges are exact and live; a large room costs a packet per message
 * only for those looking.
 */
export type Fanout = 'write' | 'read';

/** The fan-out for a room of `members` members. */
export function fanoutFor(members: number, largeRoom: number): Fanout {
  return members <= largeRoom ? 'write' : 'read';
}
