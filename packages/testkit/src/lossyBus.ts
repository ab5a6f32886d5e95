import type { Bus, BusEvent } from '@twohop/bus';

/** A {@link Bus} whose tails lose, repeat or hold back events: a hop-2 link with faults, for tests. */
export interface LossyBus {
  readonly bus: Bus;
  /** While on, every entry on every tail is lost. */
  losing: boolean;
  /** Entries lost so far. */
  readonly lost: number;
}

/**
 * Wraps `inner` so tests can fault its tails. Each tail event goes through `route`, which may call `deliver` once
 * (the default), never (a loss), twice (a duplicate) or later (a delay). Resets are never lost: a network bus that
 * loses one loses the next entries too, and those are what a mirror notices.
 */
export function lossyBus(
  inner: Bus,
  route: (event: BusEvent, deliver: () => void) => void = (_event, deliver) => deliver(),
): LossyBus {
  let lost = 0;
  const lossy: LossyBus = {
    losing: false,
    get lost() {
      return lost;
    },
    bus: {
      ...inner,
      tail<T>(stream: string, listener: (event: BusEvent<T>) => void) {
        return inner.tail<T>(stream, (event) => {
          if (lossy.losing && event.type === 'entry') lost++;
          else route(event as BusEvent, () => listener(event));
        });
      },
    },
  };
  return lossy;
}
