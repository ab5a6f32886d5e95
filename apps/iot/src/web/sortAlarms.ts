import { compareSeverity, isActive, type Alarm } from '../domain/alarms/alarmTypes';

/** Active before cleared, unacknowledged before acknowledged, then most severe, then newest. */
export function sortAlarms(alarms: Alarm[]): Alarm[] {
  const rank = (alarm: Alarm) => (isActive(alarm) ? 0 : 2) + (alarm.status.endsWith('UNACK') ? 0 : 1);
  return alarms.sort(
    (a, b) => rank(a) - rank(b) || compareSeverity(a.severity, b.severity) || b.endTs - a.endTs,
  );
}
