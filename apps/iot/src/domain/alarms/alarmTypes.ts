/**
 * Alarms as ThingsBoard models them: an alarm belongs to an originator (a device or an edge node) and has a type;
 * while it is not cleared, raising it again updates it instead of opening a second one. Its status is two flags —
 * active or cleared, unacknowledged or acknowledged — and its severity one of five.
 */

/** The five severities, most severe first. */
export const ALARM_SEVERITIES = ['CRITICAL', 'MAJOR', 'MINOR', 'WARNING', 'INDETERMINATE'] as const;

/** How severe an alarm is. `INDETERMINATE`: the condition may still hold but cannot be known (its device went offline). */
export type AlarmSeverity = (typeof ALARM_SEVERITIES)[number];

/** The lifecycle: active or cleared × unacknowledged or acknowledged, as ThingsBoard names the four states. */
export type AlarmStatus = 'ACTIVE_UNACK' | 'ACTIVE_ACK' | 'CLEARED_UNACK' | 'CLEARED_ACK';

/** One alarm, as the `alarms` stream carries it. Times are ms since the epoch. */
export interface Alarm {
  /** Stable for the alarm's life: `a<n>`. */
  readonly id: string;
  /** What raised it: `Temperature high`, `Node offline`, … */
  readonly type: string;
  /** The device or edge node it is about. */
  readonly originator: string;
  readonly severity: AlarmSeverity;
  readonly status: AlarmStatus;
  /** When it was first raised. */
  readonly startTs: number;
  /** When it was last raised or updated. */
  readonly endTs: number;
  readonly ackTs?: number;
  /** Who acknowledged it (a dashboard user's name). */
  readonly ackBy?: string;
  readonly clearTs?: number;
  /** The reading that raised or last updated it, when there is one. */
  readonly value?: number;
  /** How many times it was raised while active (1 for a new alarm). */
  readonly raises: number;
}

/** Whether an alarm is still active (not cleared). */
export const isActive = (alarm: Alarm): boolean => alarm.status.startsWith('ACTIVE');

/** Whether an alarm was acknowledged. */
export const isAcknowledged = (alarm: Alarm): boolean => alarm.status.endsWith('_ACK');

/** The status with one flag changed. */
export function statusOf(active: boolean, acknowledged: boolean): AlarmStatus {
  return `${active ? 'ACTIVE' : 'CLEARED'}_${acknowledged ? 'ACK' : 'UNACK'}`;
}

/** Orders severities: negative when `a` is more severe than `b`. */
export const compareSeverity = (a: AlarmSeverity, b: AlarmSeverity): number =>
  ALARM_SEVERITIES.indexOf(a) - ALARM_SEVERITIES.indexOf(b);
