import { shallowRef, watchEffect, type Ref } from 'vue';
import type { ChatSession } from '../client/ChatSession';

/**
 * Who is typing in `room` (not you), re-read on the frame `tick` and again the moment the earliest typing mark
 * expires, so "is typing…" disappears at its expiry even when nothing else happens in the room.
 */
export function useTypists(
  session: Ref<ChatSession | undefined>,
  room: Ref<string | undefined>,
  tick: Readonly<Ref<number>>,
): Readonly<Ref<string[]>> {
  const names = shallowRef<string[]>([]);
  const expired = shallowRef(0);
  watchEffect((onCleanup) => {
    void tick.value;
    void expired.value;
    const name = room.value;
    const timeline = name === undefined ? undefined : session.value?.open.get(name);
    const now = session.value?.now() ?? 0;
    const marks = [...(timeline?.typing.values() ?? [])].filter((mark) => mark.until > now);
    names.value = marks.map((mark) => mark.name);
    if (marks.length === 0) return;
    const timer = setTimeout(() => expired.value++, Math.min(...marks.map((mark) => mark.until)) - now + 1);
    onCleanup(() => clearTimeout(timer));
  });
  return names;
}
