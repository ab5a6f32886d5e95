import type { ChatStore, SendInput } from '../src/domain/ChatStore.js';

/**
 * A store that loses the ack of chosen sends after committing them — the one case where a retry must be answered
 * `duplicate: true` from the store's dedup:
 * - `cut` (default): the sender is cut off before the server can ack (`state.cut`, set once the server exists);
 * - `hold`: the reply is held back until `state.release()`, so the client times out first and drops the late ack.
 */
export function losingAcks(
  store: ChatStore,
  lose: (input: SendInput) => boolean,
  mode: 'cut' | 'hold' = 'cut',
) {
  const held: Array<() => void> = [];
  const state = {
    cut: (_userId: string) => {},
    /** Acks lost so far. */
    lost: 0,
    /** Lets every held reply go (late: the client has given up on it). */
    release: () => held.splice(0).forEach((resolve) => resolve()),
  };
  const send = async (input: SendInput) => {
    const ack = await store.send(input);
    if (!ack.duplicate && lose(input)) {
      state.lost++;
      if (mode === 'cut') state.cut(input.userId);
      else await new Promise<void>((resolve) => held.push(resolve));
    }
    return ack;
  };
  const wrapped = new Proxy(store, {
    get(target, key) {
      if (key === 'send') return send;
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { store: wrapped, state };
}
