import type { ChatStore, SendInput } from '../src/domain/ChatStore.js';

/**
 * A store that, after committing chosen sends, cuts the sender off before the server can ack: the message is
 * stored, its ack never arrives — the one case where a retry must be answered `duplicate: true` from the store's
 * dedup. `cut` is set once the server (and its connections) exist.
 */
export function losingAcks(store: ChatStore, lose: (input: SendInput) => boolean) {
  const state = { cut: (_userId: string) => {}, lost: 0 };
  const send = async (input: SendInput) => {
    const ack = await store.send(input);
    if (!ack.duplicate && lose(input)) {
      state.lost++;
      state.cut(input.userId);
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
