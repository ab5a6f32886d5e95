import { onScopeDispose, shallowRef, computed, type ComputedRef, type Ref } from 'vue';
import type { ChatSession } from '../client/ChatSession';

/**
 * Who is typing in `room` (not you), re-read on the frame `tick` and again the moment the earliest typing mark
 * expires, so "is typing…" disappears at its expiry even when nothing else happens in the room.
 */
export function useTypists(
  session: Ref<ChatSession | undefined>,
  room: Ref<string | undefined>,
  tick: Readonly<Ref<number>>,
): ComputedRef<string[]> {
  const expired = shallowRef(0);
  let timer: ReturnType<typeof setTimeout> | undefined;
  onScopeDispose(() => clearTimeout(timer));
  return computed(() => {
    void tick.value;
    void expired.value;
    const chat = session.value;
    const name = room.value;
    if (chat === undefined || name === undefined) return [];
    const now = Date.now();
    const marks = [...(chat.open.get(name)?.typing.values() ?? [])].filter((mark) => mark.until > now);
    clearTimeout(timer);
    if (marks.length > 0) {
      const next = Math.min(...marks.map((mark) => mark.until));
      timer = setTimeout(() => expired.value++, next - now + 1);
    }
    return marks.map((mark) => mark.name);
  });
}
