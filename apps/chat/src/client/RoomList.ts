import type { Reply, RoomSummary, RoomsPage } from '../domain/wire.js';

type Request = <T>(event: string, payload: object) => Promise<Reply<T>>;

/** How many rooms a page of the list holds (the server's default). */
const PAGE = 50;

/**
 * The room list a session shows: every room the user is a member of (always complete: memberships are bounded) and
 * the other rooms page by page, by name. Unread counts are `lastSeq − lastRead` for member rooms, kept live from
 * messages and notices between refreshes.
 */
export class RoomList {
  readonly rooms = new Map<string, RoomSummary>();
  /** Where the next page of other rooms starts (undefined: no more). */
  #next: string | undefined;

  constructor(
    readonly request: Request,
    readonly userId: string,
    readonly onChange: () => void,
  ) {}

  /** Reloads the user's rooms and the first page of all rooms. */
  async refresh(): Promise<RoomSummary[]> {
    const [mine, first] = await Promise.all([
      this.request<RoomsPage>('rooms:list', { mine: true, limit: 100 }),
      this.request<RoomsPage>('rooms:list', { limit: PAGE }),
    ]);
    if (!mine.ok) throw mine.error;
    if (!first.ok) throw first.error;
    this.rooms.clear();
    for (const room of [...first.rooms, ...mine.rooms]) this.rooms.set(room.name, room);
    this.#next = first.next;
    this.onChange();
    return [...this.rooms.values()];
  }

  /** Loads the next page of rooms, if there is one. */
  async loadMore(): Promise<RoomsPage> {
    if (this.#next === undefined) return { rooms: [] };
    const page = await this.request<RoomsPage>('rooms:list', { after: this.#next, limit: PAGE });
    if (!page.ok) throw page.error;
    for (const room of page.rooms) if (!this.rooms.has(room.name)) this.rooms.set(room.name, room);
    this.#next = page.next;
    this.onChange();
    return page;
  }

  /** A room the user just created elsewhere (another tab): listed, not yet counted. */
  known(name: string): void {
    if (this.rooms.has(name)) return;
    this.rooms.set(name, { name, lastSeq: 0, member: true, lastRead: 0, unread: 0 });
    this.onChange();
  }

  /** The user (re)joined `name`: a member, the room's head and their receipt as the join reply says. */
  joined(name: string, lastSeq: number, lastRead: number): void {
    const known = this.rooms.get(name);
    this.#set(name, { lastSeq: Math.max(lastSeq, known?.lastSeq ?? 0), lastRead });
  }

  /** The room has reached `seq` (a message or a notice); `read` when it was the user's own. */
  seen(name: string, seq: number, read = false): void {
    const known = this.rooms.get(name);
    if (known === undefined) return;
    this.#set(name, {
      lastSeq: Math.max(known.lastSeq, seq),
      ...(read ? { lastRead: Math.max(known.lastRead, seq) } : {}),
    });
  }

  /** The user has read `name` up to `seq` (never backwards). */
  setRead(name: string, seq: number): void {
    const known = this.rooms.get(name);
    if (known === undefined || known.lastRead >= seq) return;
    this.#set(name, { lastRead: seq });
  }

  #set(name: string, patch: Partial<Pick<RoomSummary, 'lastSeq' | 'lastRead'>>): void {
    const known = this.rooms.get(name) ?? { name, lastSeq: 0, member: true, lastRead: 0, unread: 0 };
    const lastSeq = patch.lastSeq ?? known.lastSeq;
    const lastRead = patch.lastRead ?? known.lastRead;
    this.rooms.set(name, {
      ...known,
      lastSeq,
      lastRead,
      member: true,
      unread: Math.max(0, lastSeq - lastRead),
    });
    this.onChange();
  }
}
