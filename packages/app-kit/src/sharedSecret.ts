import type { Bus } from '@twohop/bus';
import { randomBytes } from 'node:crypto';

/**
 * A secret every process of an app agrees on without being given one (what sessions, aliases or MQTT passwords are
 * signed or derived with): the first one ever appended to `stream` on the app's bus wins. The bus numbers appends
 * atomically, so every process reads back the same first entry, however many start at once; a process that finds
 * none offers `fresh()`. In embedded mode the bus is the process's own, so the secret lasts as long as it does —
 * set the app's own variable (e.g. `CHAT_SECRET`) on every process instead to choose it.
 */
export async function sharedSecret(
  bus: Bus,
  stream: string,
  fresh: () => string = () => randomBytes(32).toString('hex'),
): Promise<string> {
  const first = await firstEntry(bus, stream);
  if (first !== undefined) return first;
  await bus.append(stream, fresh());
  const agreed = await firstEntry(bus, stream);
  if (agreed === undefined) throw new Error(`the shared secret could not be read back from ${stream}`);
  return agreed;
}

/** The first entry of `stream`'s log in its current epoch, if it has one. */
async function firstEntry(bus: Bus, stream: string): Promise<string | undefined> {
  const position = await bus.position(stream);
  if (position.seq === 0) return undefined;
  const read = await bus.read<string>(stream, { epoch: position.epoch, seq: 0 });
  return read.ok ? read.entries[0]?.data : undefined;
}
