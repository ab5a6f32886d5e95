import { isAcknowledged, isActive, statusOf, type Alarm, type AlarmSeverity } from './alarmTypes.js';

/** Why an acknowledge was refused. */
export type AcknowledgeError = 'unknown_alarm';

/** What changed in the book: alarms set (new or updated) and alarms dropped (by the retention bound). */
export interface AlarmChanges {
  readonly set: readonly Alarm[];
  readonly removed: readonly string[];
}

/** Options for {@link AlarmBook}. */
export interface AlarmBookOptions {
  /** The most alarms kept; past it, the oldest cleared ones go first, then the oldest of any. @default 1000 */
  capacity?: number;
}

const NO_CHANGES: AlarmChanges = { set: [], removed: [] };
const key = (originator: string, type: string) => `${originator}\u0000${type}`;

/**
 * Every alarm the dashboard shows, in ThingsBoard's lifecycle. An originator has at most one open (not cleared)
 * alarm per type: raising it again updates that alarm (severity, end time, value) and keeps its acknowledgement;
 * a raise after it cleared opens a new alarm. Acknowledging is idempotent. Pure: times are passed in.
 */
export class AlarmBook {
  readonly #alarms = new Map<string, Alarm>();
  /** The open alarm of each originator and type. */
  readonly #open = new Map<string, string>();
  readonly #capacity: number;
  #next = 1;

  constructor(options: AlarmBookOptions = {}) {
    this.#capacity = options.capacity ?? 1000;
  }

  /** Every alarm kept, oldest first. */
  all(): Alarm[] {
    return [...this.#alarms.values()];
  }

  get(id: string): Alarm | undefined {
    return this.#alarms.get(id);
  }

  /** The open (active) alarm of `originator` and `type`, if any. */
  openAlarm(originator: string, type: string): Alarm | undefined {
    const id = this.#open.get(key(originator, type));
    return id === undefined ? undefined : this.#alarms.get(id);
  }

  /** The open alarms of `originator`, any type. */
  openAlarmsOf(originator: string): Alarm[] {
    return this.all().filter((alarm) => alarm.originator === originator && isActive(alarm));
  }

  /** Raises (or re-raises, updating) the alarm of `originator` and `type`. */
  raise(
    originator: string,
    type: string,
    severity: AlarmSeverity,
    now: number,
    value?: number,
  ): AlarmChanges {
    const open = this.openAlarm(originator, type);
    if (open !== undefined) {
      const updated: Alarm = {
        ...open,
        severity,
        endTs: now,
        raises: open.raises + 1,
        ...(value === undefined ? {} : { value }),
      };
      this.#alarms.set(open.id, updated);
      return { set: [updated], removed: [] };
    }
    const alarm: Alarm = {
      id: `a${this.#next++}`,
      type,
      originator,
      severity,
      status: 'ACTIVE_UNACK',
      startTs: now,
      endTs: now,
      raises: 1,
      ...(value === undefined ? {} : { value }),
    };
    this.#alarms.set(alarm.id, alarm);
    this.#open.set(key(originator, type), alarm.id);
    return { set: [alarm], removed: this.#trim() };
  }

  /** Clears the open alarm of `originator` and `type`; nothing when none is open. */
  clear(originator: string, type: string, now: number): AlarmChanges {
    const open = this.openAlarm(originator, type);
    if (open === undefined) return NO_CHANGES;
    this.#open.delete(key(originator, type));
    const cleared: Alarm = {
      ...open,
      status: statusOf(false, isAcknowledged(open)),
      clearTs: now,
      endTs: now,
    };
    this.#alarms.set(open.id, cleared);
    return { set: [cleared], removed: this.#trim() };
  }

  /** Acknowledges an alarm (active or cleared) on behalf of `user`; acknowledging twice changes nothing. */
  acknowledge(
    id: string,
    user: string,
    now: number,
  ):
    | { ok: true; changes: AlarmChanges; alarm: Alarm }
    | {
        ok: false;
        error: AcknowledgeError;
      } {
    const alarm = this.#alarms.get(id);
    if (alarm === undefined) return { ok: false, error: 'unknown_alarm' };
    if (isAcknowledged(alarm)) return { ok: true, changes: NO_CHANGES, alarm };
    const acknowledged: Alarm = {
      ...alarm,
      status: statusOf(isActive(alarm), true),
      ackTs: now,
      ackBy: user,
    };
    this.#alarms.set(id, acknowledged);
    return { ok: true, changes: { set: [acknowledged], removed: [] }, alarm: acknowledged };
  }

  /** Drops alarms past the capacity: cleared ones first (oldest first), then the oldest of any. */
  #trim(): string[] {
    const removed: string[] = [];
    if (this.#alarms.size <= this.#capacity) return removed;
    for (const alarm of this.#alarms.values()) {
      if (this.#alarms.size - removed.length <= this.#capacity) break;
      if (!isActive(alarm)) removed.push(alarm.id);
    }
    for (const alarm of this.#alarms.values()) {
      if (this.#alarms.size - removed.length <= this.#capacity) break;
      if (!removed.includes(alarm.id)) removed.push(alarm.id);
    }
    for (const id of removed) {
      const alarm = this.#alarms.get(id)!;
      this.#alarms.delete(id);
      if (this.#open.get(key(alarm.originator, alarm.type)) === id)
        this.#open.delete(key(alarm.originator, alarm.type));
    }
    return removed;
  }
}
