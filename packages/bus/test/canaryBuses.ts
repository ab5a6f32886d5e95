import type { StreamPosition } from '@twohop/sequence';
import type { Bus, BusEvent, LogRead } from '../src/Bus.js';
import type { OpenBuses } from './busConformance.js';

/** Wraps every handle `open` makes with `breakIt`: a deliberately broken bus, to show the suite catches it. */
const broken =
  (open: OpenBuses, breakIt: (bus: Bus) => Bus): OpenBuses =>
  async (count, options) =>
    (await open(count, options)).map(breakIt);

/** A log that skips a seq: reads leave out every entry whose seq is a multiple of 7. */
export const skippingSeqs = (open: OpenBuses): OpenBuses =>
  broken(open, (bus) => ({
    ...bus,
    async read<T>(stream: string, after: StreamPosition): Promise<LogRead<T>> {
      const read = await bus.read<T>(stream, after);
      return read.ok ? { ...read, entries: read.entries.filter((entry) => entry.seq % 7 !== 0) } : read;
    },
  }));

/** A tail that misses entries: every 13th event never reaches the listener. */
export const leakyTail = (open: OpenBuses): OpenBuses =>
  broken(open, (bus) => ({
    ...bus,
    tail<T>(stream: string, listener: (event: BusEvent<T>) => void) {
      let n = 0;
      return bus.tail<T>(stream, (event) => {
        if (++n % 13 !== 0) listener(event);
      });
    },
  }));
